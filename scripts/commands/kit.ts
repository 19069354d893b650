// What the commands share: their input, the lab context (port-forwards, Ctrl-C), running chapters through the
// UIs, reports and the closing summary. Each command is a file beside this one; scripts/main.ts dispatches.
import { CancelledError, UsageError, WorkbookError } from '../core/errors.js';
import type { Flags } from '../cli/options.js';
import { promptWords, say } from '../core/text.js';
import type { Chapter, LabContext, Lab } from '../core/model.js';
import type { ProgressStore } from '../effects/progress.js';
import type { Session } from '../core/session.js';
import type { Effects } from '../effects/context.js';
import type { Spawn } from '../effects/portforward.js';

export { CancelledError, UsageError, WorkbookError, say };

export interface MainIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Tests swap the process boundary. */
  ports?: Partial<Effects>;
  spawn?: Spawn;
  /** Aborted on Ctrl-C / SIGTERM by the entry file. */
  signal?: AbortSignal;
  /** Cleanups run by the entry file after main returns or on a signal. */
  onCleanup?: (fn: () => Promise<void> | void) => void;
}

/** What a command receives: the resolved lab, the process boundary, its flags and positional argument. */
export interface CommandInput {
  lab: Lab;
  io: MainIo;
  flags: Flags;
  positional?: string;
  /** every positional argument, in order */
  positionals?: string[];
}

export const write = (s: NodeJS.WritableStream, text: string) => s.write(text.endsWith('\n') ? text : text + '\n');

export async function openStore(lab: Lab, io: MainIo) {
  const { ProgressStore } = await import('../effects/progress.js');
  await ProgressStore.ensureWritable(lab.stateDir);
  const store = await ProgressStore.open(lab.stateDir);
  if (store.notice) write(io.stderr, `warning: ${store.notice}`);
  return store;
}

/**
 * The context every command that touches the lab works in: the real ports (or a test's), port-forwards owned by
 * this process and stopped on the way out or on Ctrl-C, and running chapters marked interrupted on Ctrl-C.
 */
export async function withLab<T>(lab: Lab, io: MainIo, store: ProgressStore, fn: (ctx: LabContext) => Promise<T>): Promise<T> {
  const { createContext, realEffects } = await import('../effects/context.js');
  const { PortForwardManager } = await import('../effects/portforward.js');
  const forwards = new PortForwardManager({ spawn: io.spawn, notice: (m) => write(io.stderr, `note: ${m}`), signal: io.signal });
  io.onCleanup?.(() => forwards.stopAll());
  io.onCleanup?.(async () => {
    if (store.interruptRunning()) await store.save();
  });
  const ctx = createContext(lab, { ...realEffects(io.env), ...io.ports }, store, forwards);
  try {
    return await fn(ctx);
  } finally {
    await forwards.stopAll();
  }
}

/** Reports (if asked for) and the closing summary of a run or verify. */
export async function finish(session: Session, chapters: readonly Chapter[], io: MainIo, flags: Flags, extra: Record<string, unknown> = {}): Promise<void> {
  const { renderSummary } = await import('../ui/summary.js');
  // a report on stdout (-) keeps stdout for itself: the summary goes to stderr
  write(reportOnStdout(flags) ? io.stderr : io.stdout, renderSummary(session, chapters));
  if (flags.json || flags.junit) {
    const { writeReports } = await import('../ui/report.js');
    await writeReports(session, chapters, { json: flags.json, junit: flags.junit }, { cwd: io.cwd, out: io.stdout, extra });
  }
  await toBoard(session.ctx.lab, io, async () => (await import('../ui/report.js')).jsonReport(session, chapters, extra));
}

/**
 * After `workbook join`: the report goes to the board in the background (queued first; never waited for). It is
 * built only then: a learner who joined no board pays nothing for it.
 */
export async function toBoard(lab: Lab, io: MainIo, report: () => Promise<Record<string, unknown>> | Record<string, unknown>): Promise<void> {
  const { readJoined, queueReport } = await import('../effects/outbox.js');
  let joined;
  try {
    joined = readJoined(lab.stateDir);
  } catch (err) {
    // a broken board.json never fails the learner's run: it is said, and nothing is queued
    return void write(io.stderr, `note: not sent to the workshop board: ${(err as Error).message}`);
  }
  if (!joined) return;
  // no secret ever leaves: with --show-secrets a report may hold a password, so it is not sent
  if (lab.showSecrets) return void write(io.stderr, 'note: not sent to the workshop board: --show-secrets puts passwords into the report');
  const { ROOT } = await import('../core/paths.js');
  const { join } = await import('node:path');
  await queueReport(lab.stateDir, joined, await report(), join(ROOT, 'dist/scripts/cli.js'), io.env).catch((err: Error) => write(io.stderr, `note: the report for the board was not queued: ${err.message}`));
}

export const reportOnStdout = (flags: Flags) => flags.json === '-' || flags.junit === '-';

export async function preflightReports(io: MainIo, flags: Flags): Promise<void> {
  if (!flags.json && !flags.junit) return;
  const { checkReportPaths } = await import('../ui/report.js');
  await checkReportPaths({ json: flags.json, junit: flags.junit }, io.cwd);
}

export async function execute(chapters: Chapter[], mode: 'run' | 'verify', lab: Lab, io: MainIo, flags: Flags): Promise<number> {
  await preflightReports(io, flags);
  const store = await openStore(lab, io);
  const { Session } = await import('../core/session.js');
  // verify stays fully diagnostic (the tool for a real broken lab); a learner in a challenge is told it names causes
  const underWay = Object.entries(store.data.challenges ?? {}).filter(([, c]) => c.status === 'broken').map(([id]) => id);
  if (underWay.length && mode === 'verify') {
    write(reportOnStdout(flags) ? io.stderr : io.stdout, say({ en: `A challenge is under way (${underWay.join(', ')}): verify names the causes it finds; \`workbook challenge check\` keeps them back until hint 2.`, 'zh-TW': `有挑戰正在進行（${underWay.join('、')}）：verify 會說出它找到的原因；\`workbook challenge check\` 則會保留到第 2 個提示之後。` }, lab.lang));
  }
  // "Stop here": the learner's choice, not a failure (exit 0, progress as it was)
  let stopped = false;
  const session = await withLab(lab, io, store, async (ctx) => {
    const session = new Session(ctx, store, mode, io.signal);
    if (lab.interactive && mode === 'run') {
      const { runWithClack } = await import('../ui/ui-clack.js');
      stopped = (await runWithClack(chapters, session, { input: io.stdin as never, output: io.stdout, signal: io.signal }, heartbeatMs(io.env))) === 'stopped';
    } else {
      const { runWithListr } = await import('../ui/ui-listr.js');
      const out = reportOnStdout(flags) ? io.stderr : io.stdout;
      await runWithListr(chapters, session, { renderer: lab.interactive ? 'default' : 'simple', stdout: out, stderr: io.stderr, signal: io.signal, heartbeatMs: heartbeatMs(io.env) });
    }
    return session;
  });
  if (stopped && !session.items.length) return 0;
  // a workshop's report carries the challenges and exercises too: time to fix, hints used, answers given
  await finish(session, chapters, io, flags, { ...(store.data.challenges ? { challenges: store.data.challenges } : {}), ...(store.data.exercises ? { exercises: store.data.exercises } : {}) });
  if (stopped) return session.failures().length ? 1 : 0;
  // exit 0 only for a verified run: nothing failed, blocked or interrupted, and something passed
  if (!session.passed(chapters)) return 1;
  // in a terminal, a chapter that passed leads on to the next one if the learner wants
  if (lab.interactive && mode === 'run' && chapters.length === 1 && chapters[0]!.role !== 'teardown' && !io.signal?.aborted) {
    // first, the chapter's own exercises: the learner writes the query, the lab grades it
    const { EXERCISES } = await import('../lab/exercises.js');
    const todo = EXERCISES.filter((e) => e.chapter === chapters[0]!.id && !store.data.exercises?.[e.id]?.solvedAt);
    if (todo.length) {
      const p = await import('@clack/prompts');
      const go = await p.confirm({ input: io.stdin as never, output: io.stdout, message: say({ en: `Try this chapter's exercises now (${todo.length}: you write the query, the lab grades it)?`, 'zh-TW': `現在試試本章的練習嗎（${todo.length} 題：你寫查詢，由實驗環境評分）？` }, lab.lang), initialValue: true, ...yesNo(lab.lang) });
      if (go === true) for (const e of todo) if ((await (await import('./exercise.js')).run({ lab, io, flags: {}, positionals: [e.id] })) !== 0) break;
    }
    // where Continue goes: the first chapter after this one that applies to this lab and has not passed
    const { nextChapter } = await import('../ui/status.js');
    const next = nextChapter(store.data, lab, chapters[0]);
    if (next) {
      const p = await import('@clack/prompts');
      const go = await p.confirm({ input: io.stdin as never, output: io.stdout, message: say({ en: `Continue with ${next.number}. ${next.title.en}?`, 'zh-TW': `繼續進行 ${next.number}. ${next.title['zh-TW']}？` }, lab.lang), initialValue: true, ...yesNo(lab.lang) });
      if (go === true) return execute([next], mode, lab, io, flags);
    }
  }
  return 0;
}

/** WORKBOOK_HEARTBEAT_MS shortens the long-step progress line's interval (tests); default every 20 s. */
export function heartbeatMs(env: NodeJS.ProcessEnv): number | undefined {
  const n = Number(env.WORKBOOK_HEARTBEAT_MS);
  return Number.isFinite(n) && n >= 100 ? n : undefined;
}

/** A lesson rendered for the terminal it goes to: wrapped to its width, bold and code in colour on a TTY. */
export async function lessonText(ch: Chapter, lab: Lab, out: NodeJS.WritableStream, widthLess = 0): Promise<string> {
  const { renderMarkdown } = await import('../core/markdown.js');
  const width = ((out as NodeJS.WriteStream).columns || 80) - widthLess;
  const { readLesson } = await import('../core/catalog.js');
  return renderMarkdown(await readLesson(ch, lab.lang), { width, color: lab.color === true && (out as NodeJS.WriteStream).isTTY === true }).trimEnd();
}

export const yesNo = (lang: Lab['lang']) => {
  const w = promptWords(lang);
  return { active: w.active, inactive: w.inactive };
};
