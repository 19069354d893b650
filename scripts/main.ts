import { CancelledError, UsageError, WorkbookError } from './lib/errors.js';
import { COMMANDS, parseCli, type Flags } from './lib/options.js';
import { commandHelp, mainHelp } from './lib/help.js';
import { langFromLocale, isLang, promptWords, say, type Lang } from './lib/text.js';
import type { Chapter, ChapterContext, Lab } from './lib/model.js';
import type { ProgressStore } from './lib/progress.js';
import type { Session } from './lib/session.js';
import type { Ports } from './lib/context.js';
import type { Spawn } from './lib/portforward.js';

export interface MainIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Tests swap the process boundary. */
  ports?: Partial<Ports>;
  spawn?: Spawn;
  /** Aborted on Ctrl-C / SIGTERM by the entry file. */
  signal?: AbortSignal;
  /** Cleanups run by the entry file after main returns or on a signal. */
  onCleanup?: (fn: () => Promise<void> | void) => void;
}

const write = (s: NodeJS.WritableStream, text: string) => s.write(text.endsWith('\n') ? text : text + '\n');

function helpLang(flags: Flags, env: NodeJS.ProcessEnv): Lang {
  const l = flags.lang ?? env.WORKBOOK_LANG;
  return l && isLang(l) ? l : langFromLocale(env.LC_ALL || env.LC_MESSAGES || env.LANG);
}

/** Returns the exit code; only the entry file calls process.exit. */
export async function main(argv: string[], io: MainIo): Promise<number> {
  const parsed = parseCli(argv);
  const { command, flags } = parsed;
  if (flags.version && !command) {
    const { packageVersion } = await import('./lib/paths.js');
    write(io.stdout, packageVersion());
    return 0;
  }
  if (flags.help) {
    const spec = COMMANDS.find((c) => c.name === command);
    write(io.stdout, spec ? commandHelp(spec, helpLang(flags, io.env)) : mainHelp(helpLang(flags, io.env)));
    return 0;
  }

  const { resolveLab } = await import('./lib/settings.js');
  const trace: string[] = [];
  const lab = resolveLab(flags, { env: io.env, cwd: io.cwd, stdinIsTTY: !!io.stdin.isTTY, stdoutIsTTY: !!io.stdout.isTTY }, trace);
  if (io.env.WORKBOOK_DEBUG) for (const t of trace) write(io.stderr, `debug: ${t}`);

  const { selectChapters, findChapter, readLesson, CATALOG, teardownChapter } = await import('./lib/catalog.js');

  switch (command) {
    case 'plan': {
      const { renderPlan, renderFastPlan } = await import('./commands/plan.js');
      if (flags.fast) {
        if (parsed.positional && parsed.positional !== 'all') throw new UsageError('--fast plans the whole lab: use `workbook plan all --fast`');
        write(io.stdout, renderFastPlan(lab));
        return 0;
      }
      write(io.stdout, renderPlan(selectChapters(parsed.positional), lab));
      return 0;
    }
    case 'lesson': {
      if (!parsed.positional) throw new UsageError({ en: 'which chapter? (usage: workbook lesson <chapter>)', 'zh-TW': '哪一章？（用法：workbook lesson <章節>）' });
      write(io.stdout, await lessonText(findChapter(parsed.positional), lab, io.stdout));
      return 0;
    }
    case 'status': {
      const { ProgressStore } = await import('./lib/progress.js');
      const { renderStatus } = await import('./commands/status.js');
      const store = await ProgressStore.open(lab.stateDir);
      if (store.notice) write(io.stderr, `warning: ${store.notice}`);
      write(io.stdout, renderStatus(store.data, store.file, lab.lang));
      return 0;
    }
    case 'reset':
      return reset(lab, io);
    case 'traffic':
      return traffic(lab, io, flags);
    case 'prefetch':
      return prefetchCommand(lab, io);
    case 'open':
      return open(lab, io, parsed.positional);
    case 'doctor':
      return execute([CATALOG[0]!], 'verify', lab, io, flags);
    case 'down':
      return execute([teardownChapter()], 'run', lab, io, flags);
    case 'verify':
      return execute(selectChapters(parsed.positional), 'verify', lab, io, flags);
    case 'run': {
      if (flags.fast) {
        if (parsed.positional !== 'all') throw new UsageError('--fast runs the whole lab: use `workbook run all --fast`');
        return executeFast(lab, io, flags);
      }
      if (parsed.positional) return execute(selectChapters(parsed.positional), 'run', lab, io, flags);
      const { ProgressStore } = await import('./lib/progress.js');
      const { nextChapter } = await import('./commands/status.js');
      const next = nextChapter((await ProgressStore.open(lab.stateDir)).data);
      if (!next) {
        write(io.stdout, say({ en: 'Every chapter has passed. Run one again with `workbook run <chapter>`.', 'zh-TW': '所有章節都已通過。可用 `workbook run <章節>` 重新執行。' }, lab.lang));
        return 0;
      }
      return execute([next], 'run', lab, io, flags);
    }
    case undefined:
      if (!lab.interactive) {
        write(io.stderr, mainHelp(lab.lang));
        write(io.stderr, 'error: no command given, and this is not an interactive terminal (try: workbook plan all)');
        return 2;
      }
      return menu(lab, io, flags);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function openStore(lab: Lab, io: MainIo) {
  const { ProgressStore } = await import('./lib/progress.js');
  await ProgressStore.ensureWritable(lab.stateDir);
  const store = await ProgressStore.open(lab.stateDir);
  if (store.notice) write(io.stderr, `warning: ${store.notice}`);
  return store;
}

async function reset(lab: Lab, io: MainIo): Promise<number> {
  const store = await openStore(lab, io);
  if (!lab.yes) {
    if (!lab.interactive) throw new UsageError({ en: 'reset forgets your progress: run again with --yes', 'zh-TW': 'reset 會清除你的進度：請加上 --yes 再執行一次' });
    const p = await import('@clack/prompts');
    const ok = await p.confirm({ input: io.stdin as never, output: io.stdout, message: say({ en: 'Forget all progress? (a backup is kept; no cluster is touched)', 'zh-TW': '要清除所有進度嗎？（會保留備份，不會動到叢集）' }, lab.lang), initialValue: false, ...yesNo(lab.lang) });
    if (ok !== true) throw new CancelledError();
  }
  const backup = await store.reset();
  write(io.stdout, say({ en: `Progress reset${backup ? `; the old file is kept as ${backup}` : ''}.`, 'zh-TW': `進度已重設${backup ? `；舊檔保留為 ${backup}` : ''}。` }, lab.lang));
  return 0;
}

/**
 * The context every command that touches the lab works in: the real ports (or a test's), port-forwards owned by
 * this process and stopped on the way out or on Ctrl-C, and running chapters marked interrupted on Ctrl-C.
 */
async function withLab<T>(lab: Lab, io: MainIo, store: ProgressStore, fn: (ctx: ChapterContext) => Promise<T>): Promise<T> {
  const { createContext, realPorts } = await import('./lib/context.js');
  const { PortForwardManager } = await import('./lib/portforward.js');
  const forwards = new PortForwardManager({ spawn: io.spawn, notice: (m) => write(io.stderr, `note: ${m}`) });
  io.onCleanup?.(() => forwards.stopAll());
  io.onCleanup?.(async () => {
    if (store.interruptRunning()) await store.save();
  });
  const ctx = createContext(lab, { ...realPorts(io.env), ...io.ports }, store, forwards);
  try {
    return await fn(ctx);
  } finally {
    await forwards.stopAll();
  }
}

/** Reports (if asked for) and the closing summary of a run or verify. */
async function finish(session: Session, chapters: readonly Chapter[], io: MainIo, flags: Flags): Promise<void> {
  const { renderSummary } = await import('./lib/summary.js');
  // a report on stdout (-) keeps stdout for itself: the summary goes to stderr
  write(reportOnStdout(flags) ? io.stderr : io.stdout, renderSummary(session, chapters));
  if (flags.json || flags.junit) {
    const { writeReports } = await import('./lib/report.js');
    await writeReports(session, chapters, { json: flags.json, junit: flags.junit }, { cwd: io.cwd, out: io.stdout });
  }
}

const reportOnStdout = (flags: Flags) => flags.json === '-' || flags.junit === '-';

async function preflightReports(io: MainIo, flags: Flags): Promise<void> {
  if (!flags.json && !flags.junit) return;
  const { checkReportPaths } = await import('./lib/report.js');
  await checkReportPaths({ json: flags.json, junit: flags.junit }, io.cwd);
}

async function execute(chapters: Chapter[], mode: 'run' | 'verify', lab: Lab, io: MainIo, flags: Flags): Promise<number> {
  await preflightReports(io, flags);
  const store = await openStore(lab, io);
  const { Session } = await import('./lib/session.js');
  // "Stop here": the learner's choice, not a failure (exit 0, progress as it was)
  let stopped = false;
  const session = await withLab(lab, io, store, async (ctx) => {
    const session = new Session(ctx, store, mode, io.signal);
    if (lab.interactive && mode === 'run') {
      const { runWithClack } = await import('./lib/ui-clack.js');
      stopped = (await runWithClack(chapters, session, { input: io.stdin as never, output: io.stdout, signal: io.signal }, heartbeatMs(io.env))) === 'stopped';
    } else {
      const { runWithListr } = await import('./lib/ui-listr.js');
      const out = reportOnStdout(flags) ? io.stderr : io.stdout;
      await runWithListr(chapters, session, { renderer: lab.interactive ? 'default' : 'simple', stdout: out, stderr: io.stderr, signal: io.signal, heartbeatMs: heartbeatMs(io.env) });
    }
    return session;
  });
  if (stopped && !session.items.length) return 0;
  await finish(session, chapters, io, flags);
  if (session.failures().length) return 1;
  if (stopped) return 0;
  // in a terminal, a chapter that passed leads on to the next one if the learner wants
  if (lab.interactive && mode === 'run' && chapters.length === 1 && chapters[0]!.role !== 'teardown' && !io.signal?.aborted) {
    const { nextAfter } = await import('./lib/catalog.js');
    const next = nextAfter(chapters[0]!);
    if (next) {
      const p = await import('@clack/prompts');
      const go = await p.confirm({ input: io.stdin as never, output: io.stdout, message: say({ en: `Continue with ${next.number}. ${next.title.en}?`, 'zh-TW': `繼續進行 ${next.number}. ${next.title['zh-TW']}？` }, lab.lang), initialValue: true, ...yesNo(lab.lang) });
      if (go === true) return execute([next], mode, lab, io, flags);
    }
  }
  return 0;
}

async function open(lab: Lab, io: MainIo, target: string | undefined): Promise<number> {
  const { OPEN_TARGETS } = await import('./lib/endpoints.js');
  const name = OPEN_TARGETS.find((t) => t === target);
  if (!name) throw new UsageError(`open what? (usage: workbook open <${OPEN_TARGETS.join('|')}>)`);
  const { ProgressStore } = await import('./lib/progress.js');
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  return withLab(lab, io, await ProgressStore.open(lab.stateDir), async (ctx) => {
    const url = await ctx.endpoint(name);
    let login = '';
    if (name === 'grafana') {
      const { grafanaCredentials, describeCredentials } = await import('./lib/grafana.js');
      login = ` — ${t('user', '帳號')} ${describeCredentials(ctx, await grafanaCredentials(ctx))}`;
    }
    write(io.stdout, `${name}: ${url}${login}`);
    if (lab.urls[name as keyof typeof lab.urls]) return 0; // an explicit URL: nothing to keep open
    write(io.stdout, t('The port-forward stays open until you press Ctrl-C.', '按下 Ctrl-C 之前，port-forward 會一直保持開啟。'));
    await new Promise<void>((resolve) => {
      if (io.signal?.aborted) return resolve();
      io.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    return 0;
  });
}

async function prefetchCommand(lab: Lab, io: MainIo): Promise<number> {
  const { prefetch, xk6Script } = await import('./commands/prefetch.js');
  const { ProgressStore } = await import('./lib/progress.js');
  const r = await withLab(lab, io, await ProgressStore.open(lab.stateDir), (ctx) => prefetch(ctx, { stdout: io.stdout, stderr: io.stderr, interactive: lab.interactive }));
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  write(io.stdout, '');
  write(io.stdout, t(`${r.pulled.length} pulled, ${r.present.length} already present, ${r.failed.length} failed`, `拉取 ${r.pulled.length} 個，已存在 ${r.present.length} 個，失敗 ${r.failed.length} 個`));
  if (r.loaded.length) write(io.stdout, t(`loaded ${r.loaded.length} images into cluster ${lab.clusterName}`, `已將 ${r.loaded.length} 個映像檔載入叢集 ${lab.clusterName}`));
  const script = await xk6Script();
  write(io.stdout, t(script.en, script['zh-TW']));
  if (r.clusterMissing) write(io.stdout, t(`cluster ${lab.clusterName} does not exist yet: run \`workbook prefetch\` again after chapter 1 to load the images into it`, `叢集 ${lab.clusterName} 尚未建立：完成第 1 章後再執行一次 \`workbook prefetch\`，即可把映像檔載入叢集`));
  for (const f of r.failed) write(io.stdout, `✖ ${f.ref}: ${f.error}`);
  return r.failed.length ? 1 : 0;
}

async function traffic(lab: Lab, io: MainIo, flags: Flags): Promise<number> {
  const { parseTrafficFlags, sendTraffic } = await import('./commands/traffic.js');
  const { count, rate } = parseTrafficFlags(flags.count, flags.rate);
  const { ProgressStore } = await import('./lib/progress.js');
  const r = await withLab(lab, io, await ProgressStore.open(lab.stateDir), (ctx) => sendTraffic(ctx, { count, rate, signal: io.signal, log: (l) => write(io.stdout, l) }));
  return r.failed ? 1 : 0;
}

async function executeFast(lab: Lab, io: MainIo, flags: Flags): Promise<number> {
  await preflightReports(io, flags);
  const store = await openStore(lab, io);
  const { Session } = await import('./lib/session.js');
  const { FAST_PLAN, runFast, renderFastEvent, criticalPath } = await import('./lib/fast.js');
  const { formatDuration } = await import('./lib/format.js');
  const { session, r } = await withLab(lab, io, store, async (ctx) => {
    const session = new Session(ctx, store, 'run', io.signal);
    const r = await runFast(FAST_PLAN, session, { log: (e) => write(io.stdout, renderFastEvent(e)), signal: io.signal });
    return { session, r };
  });
  const { selectChapters } = await import('./lib/catalog.js');
  await finish(session, selectChapters('all'), io, flags);
  const measured = criticalPath(FAST_PLAN.filter((j) => j.id in r.jobMs), r.jobMs);
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  write(io.stdout, t(`Wall time with --fast: ${formatDuration(r.wallMs)}; the same jobs one after another: ${formatDuration(measured.sequentialMs)}.`, `使用 --fast 的實際耗時：${formatDuration(r.wallMs)}；同樣的工作依序執行需要：${formatDuration(measured.sequentialMs)}。`));
  write(io.stdout, t(`Critical path: ${measured.path.join(' → ')}`, `關鍵路徑：${measured.path.join(' → ')}`));
  if (r.skipped.length) write(io.stdout, t(`Skipped after a failure: ${r.skipped.join(', ')}`, `因前面失敗而略過：${r.skipped.join(', ')}`));
  return r.failed.length || r.skipped.length || session.failures().length ? 1 : 0;
}

async function menu(lab: Lab, io: MainIo, flags: Flags): Promise<number> {
  const p = await import('@clack/prompts');
  const { CATALOG, teardownChapter } = await import('./lib/catalog.js');
  const { nextChapter, renderStatus } = await import('./commands/status.js');
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  const o = { input: io.stdin as never, output: io.stdout };
  p.intro('tempo-workbook', o);
  const pickChapter = async (message: string) => {
    const store = await openStore(lab, io);
    const ch = await p.select({
      ...o,
      message,
      options: CATALOG.map((c) => ({ value: c.id, label: `${c.number}. ${say(c.title, lab.lang)}`, hint: store.data.chapters[c.id]?.status })),
    });
    return p.isCancel(ch) ? undefined : CATALOG.find((c) => c.id === ch);
  };
  // every action comes back here; only Quit (or Esc/Ctrl-C at the menu) leaves
  for (;;) {
    const store = await openStore(lab, io);
    const next = nextChapter(store.data);
    const choice = await p.select({
      ...o,
      message: t('What next?', '接下來要做什麼？'),
      options: [
        ...(next ? [{ value: 'continue', label: t(`Continue: ${next.number}. ${next.title.en}`, `繼續：${next.number}. ${next.title['zh-TW']}`) }] : []),
        { value: 'pick', label: t('Run a chapter', '執行某一章') },
        { value: 'read', label: t('Read a lesson (runs nothing)', '閱讀課文（不執行任何東西）') },
        { value: 'verify', label: t('Verify everything (changes nothing)', '驗證全部（不做任何變更）') },
        { value: 'status', label: t('Show progress', '顯示進度') },
        { value: 'reset', label: t('Reset progress', '重設進度') },
        { value: 'down', label: t('Tear down the lab', '移除實驗環境') },
        { value: 'quit', label: t('Quit', '離開') },
      ],
    });
    if (p.isCancel(choice) || choice === 'quit') {
      p.outro(t('See you.', '下次見。'), o);
      return 0;
    }
    try {
      switch (choice) {
        case 'continue':
          await execute([next!], 'run', lab, io, flags);
          break;
        case 'pick': {
          const ch = await pickChapter(t('Which chapter?', '哪一章？'));
          if (ch) await execute([ch], 'run', lab, io, flags);
          break;
        }
        case 'read': {
          const ch = await pickChapter(t('Which lesson?', '哪一課？'));
          if (ch) p.note(await lessonText(ch, lab, io.stdout, 6), say(ch.title, lab.lang), o);
          break;
        }
        case 'verify': {
          const { selectChapters } = await import('./lib/catalog.js');
          await execute(selectChapters('all'), 'verify', lab, io, flags);
          break;
        }
        case 'status':
          p.note(renderStatus(store.data, store.file, lab.lang), undefined, o);
          break;
        case 'reset':
          await reset(lab, io);
          break;
        case 'down':
          await execute([teardownChapter()], 'run', lab, io, flags);
          break;
      }
    } catch (err) {
      // a declined or cancelled action, or a usage error, returns to the menu with its message
      if (!(err instanceof CancelledError || err instanceof UsageError || err instanceof WorkbookError)) throw err;
      if (io.signal?.aborted) throw err;
      p.log.warn(err.message, o);
    }
  }
}

export { UsageError, WorkbookError, CancelledError };

/** WORKBOOK_HEARTBEAT_MS shortens the long-step progress line's interval (tests); default every 20 s. */
function heartbeatMs(env: NodeJS.ProcessEnv): number | undefined {
  const n = Number(env.WORKBOOK_HEARTBEAT_MS);
  return Number.isFinite(n) && n >= 100 ? n : undefined;
}

/** A lesson rendered for the terminal it goes to: wrapped to its width, bold and code in colour on a TTY. */
async function lessonText(ch: Chapter, lab: Lab, out: NodeJS.WritableStream, widthLess = 0): Promise<string> {
  const { renderMarkdown } = await import('./lib/markdown.js');
  const tty = (out as NodeJS.WriteStream).isTTY === true;
  const width = ((out as NodeJS.WriteStream).columns || 80) - widthLess;
  const { readLesson } = await import('./lib/catalog.js');
  return renderMarkdown(await readLesson(ch, lab.lang), { width, color: tty && !lab.ci }).trimEnd();
}

const yesNo = (lang: Lab['lang']) => {
  const w = promptWords(lang);
  return { active: w.active, inactive: w.inactive };
};
