import { UsageError, openStore, say, toBoard, withLab, write, type CommandInput } from './kit.js';
import { COMMON, ENDPOINT_FLAGS, type CommandSpec } from '../cli/options.js';
import type { Challenge, Chapter, Check, Lab } from '../core/model.js';
import type { Text } from '../core/text.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'watch',
  usage: 'watch [chapter|challenge]',
  positional: 'chapter',
  flags: [...COMMON, ...ENDPOINT_FLAGS, 'show-secrets', 'show-how'],
  summary: {
    en: 're-run a chapter\'s checks every few seconds and when manifests/ changes, on one live board (default: the challenge under way, or where you left off)',
    'zh-TW': '每隔幾秒以及 manifests/ 有變動時重新執行章節的檢查，顯示在即時看板上（預設：進行中的挑戰，或上次停下的章節）',
  },
};

/** Between rounds (WORKBOOK_WATCH_MS for tests and benchmarks). */
export const WATCH_INTERVAL_MS = 2000;
/** A check's budget within one round: a fix shows within it (it re-probes), a broken check does not hold the board. */
export const ROUND_CHECK_BUDGET_MS = 2000;

interface Target {
  title: string;
  /** the checks, each with its chapter */
  items: { chapter: Chapter; check: Check }[];
  /** what to say once everything passes */
  passed: Text;
  /** a challenge's start: readings from before it do not count (LabContext.since) */
  since?: number;
  /** in a terminal, Enter once everything passes: what it does, and doing it (after the watch has stopped) */
  then?: { label: Text; run: (input: CommandInput) => Promise<number> };
}

async function target(arg: string | undefined, lab: Lab, store: Awaited<ReturnType<typeof openStore>>): Promise<Target> {
  const { CATALOG, findChapter, nextAfter } = await import('../core/catalog.js');
  const { CHALLENGES, brokenChecks } = await import('../lab/challenges.js');
  const challenge = (c: Challenge): Target => ({
    title: `${say({ en: 'challenge', 'zh-TW': '挑戰' }, lab.lang)} ${c.id}: ${say(c.title, lab.lang)}`,
    items: brokenChecks(c, CATALOG),
    ...(store.data.challenges?.[c.id]?.status === 'broken' ? { since: Date.parse(store.data.challenges[c.id]!.startedAt) } : {}),
    passed: { en: `✔ Every check the fault broke passes again. Record it: workbook challenge check ${c.id}`, 'zh-TW': `✔ 故障影響的檢查全部重新通過。記錄下來：workbook challenge check ${c.id}` },
    then: {
      label: { en: 'Enter records the fix (challenge check)', 'zh-TW': '按 Enter 記錄修復（challenge check）' },
      run: async (input) => (await import('./challenge.js')).run({ ...input, positionals: ['check', c.id] }),
    },
  });
  const chapter = (ch: Chapter): Target => {
    const next = ch.role === 'teardown' ? undefined : nextAfter(ch);
    return {
      title: `${ch.number}. ${say(ch.title, lab.lang)}`,
      items: ch.checks.map((check) => ({ chapter: ch, check })),
      passed: next
        ? { en: `✔ Chapter ${ch.number} passes. Next: ${next.number}. ${next.title.en} — workbook run ${next.id}`, 'zh-TW': `✔ 第 ${ch.number} 章通過。下一章：${next.number}. ${next.title['zh-TW']} — workbook run ${next.id}` }
        : { en: `✔ Chapter ${ch.number} passes.`, 'zh-TW': `✔ 第 ${ch.number} 章通過。` },
      ...(next
        ? {
            then: {
              label: { en: `Enter goes on to chapter ${next.number} (workbook run ${next.id})`, 'zh-TW': `按 Enter 前往第 ${next.number} 章（workbook run ${next.id}）` },
              run: async (input: CommandInput) => {
                const { execute } = await import('./kit.js');
                return execute([next], 'run', input.lab, input.io, input.flags);
              },
            },
          }
        : {}),
    };
  };
  if (arg) {
    const c = CHALLENGES.find((x) => x.id === arg.trim().toLowerCase());
    if (c) return challenge(c);
    try {
      return chapter(findChapter(arg));
    } catch {
      const { chapterList } = await import('../core/catalog.js');
      const { challengeList } = await import('../lab/challenges.js');
      throw new UsageError({
        en: `nothing called "${arg}" to watch (chapters: ${chapterList()}; challenges: ${challengeList()})`,
        'zh-TW': `沒有可監看的 "${arg}"（章節：${chapterList()}；挑戰：${challengeList()}）`,
      });
    }
  }
  // a challenge under way (the latest started), else where the learner left off
  const open = Object.entries(store.data.challenges ?? {}).filter(([, p]) => p.status === 'broken').sort((a, b) => b[1].startedAt.localeCompare(a[1].startedAt))[0];
  const c = open && CHALLENGES.find((x) => x.id === open[0]);
  if (c) return challenge(c);
  const { nextChapter } = await import('../ui/status.js');
  return chapter(nextChapter(store.data, lab) ?? CATALOG.filter((x) => x.role !== 'teardown').at(-1)!);
}

/** `workbook watch [chapter|challenge]`: rounds of checks until Ctrl-C, redrawn on a board or printed as changes. */
export async function run(input: CommandInput): Promise<number> {
  const { lab, io, positional } = input;
  const { findExercise } = await import('../lab/exercises.js');
  const exercise = findExercise(positional);
  if (exercise) return watchExercise(exercise, input);
  const store = await openStore(lab, io);
  const t = await target(positional, lab, store);
  if (!t.items.length) {
    write(io.stdout, say({ en: 'nothing to watch: this chapter has no checks', 'zh-TW': '沒有可監看的項目：本章沒有檢查' }, lab.lang));
    return 0;
  }
  const { Session, nullStore } = await import('../core/session.js');
  const { runCheckList } = await import('../core/runner.js');
  const { Board, Redraw, changeLine, renderBoard } = await import('../ui/watch-board.js');
  const { fit } = await import('../core/markdown.js');
  const { MANIFESTS } = await import('../core/paths.js');
  const { watch } = await import('node:fs');
  const n = Number(io.env.WORKBOOK_WATCH_MS);
  const intervalMs = Number.isFinite(n) && n >= 50 ? n : WATCH_INTERVAL_MS;
  const tty = io.stdout.isTTY === true && !lab.ci;
  const out = io.stdout;

  // in a terminal, Enter (a line: stdin stays cooked, so Ctrl-C is still Ctrl-C) goes on once everything passes
  const keys = tty && io.stdin.isTTY === true;
  let goOn = false;
  const code = await withLab(lab, io, store, async (ctx) => {
    if (t.since !== undefined) ctx.since = t.since;
    const board = new Board(t.items.map(({ chapter, check }) => ({ ref: `${chapter.id}/${check.id}`, title: say(check.title, lab.lang) })), ctx.clock.now());
    const redraw = new Redraw(out);
    let wasPassing = false;
    let changedFiles = 0;
    const every = say({ en: `again every ${intervalMs / 1000} s and when manifests/ changes; Ctrl-C stops`, 'zh-TW': `每 ${intervalMs / 1000} 秒及 manifests/ 變動時重跑；Ctrl-C 停止` }, lab.lang);
    const title = `${say({ en: 'watching', 'zh-TW': '監看中' }, lab.lang)} ${t.title}`;
    const head = () => `${title}\n${say({ en: `round ${board.round}`, 'zh-TW': `第 ${board.round} 輪` }, lab.lang)} · ${every}`;
    const foot = () => (board.passing() ? `${say(t.passed, lab.lang)}${t.then && keys ? `\n${say(t.then.label, lab.lang)}; Ctrl-C stops.` : ''}` : say({ en: `${board.cells.filter((c) => c.state === 'failed').length} of ${board.cells.length} failing`, 'zh-TW': `${board.cells.length} 項中有 ${board.cells.filter((c) => c.state === 'failed').length} 項失敗` }, lab.lang));
    // the last requests of each check, for "check it yourself" (h in a terminal, --show-how)
    const how = new Map<string, string[]>();
    let showHow = Boolean(lab.showHow);
    const howLines = () =>
      showHow
        ? ['', say({ en: 'Check it yourself (h hides; lines cut to the screen: --show-how outside a terminal prints them whole):', 'zh-TW': '自己檢查看看（h 隱藏；行會依畫面截斷：在終端機外用 --show-how 可印出完整指令）：' }, lab.lang), ...[...how.entries()].flatMap(([ref, cmds]) => [`  ${ref}:`, ...cmds.map((c) => (c.startsWith('#') ? `    ${c}` : `    $ ${c}`))])]
            .map((l) => fit(l, Math.max(40, (out.columns || 80) - 1)))
            .join('\n')
        : keys
          ? `\n${say({ en: 'h + Enter: how to check it yourself', 'zh-TW': 'h + Enter：自己檢查的方法' }, lab.lang)}`
          : '';
    const draw = () => {
      if (tty) redraw.draw(renderBoard(board, { head: head(), foot: foot() + howLines(), now: ctx.clock.now(), width: Math.max(40, (out.columns || 80) - 1), lang: lab.lang }));
    };
    const announce = () => {
      const passing = board.passing();
      if (passing && !wasPassing && !tty) write(out, say(t.passed, lab.lang));
      wasPassing = passing;
    };

    // a change under manifests/ starts the next round at once
    let wake: (() => void) | undefined;
    const watcher = (() => {
      try {
        return watch(MANIFESTS, { recursive: true }, () => {
          changedFiles++;
          wake?.();
        });
      } catch {
        return undefined; // no recursive watch on this platform: the interval alone
      }
    })();
    io.signal?.addEventListener('abort', () => wake?.());
    const onKey = (data: Buffer | string) => {
      // the terminal echoes the typed line below the board
      redraw.below(String(data).split('\n').length - 1);
      // "h" and Enter: each check's requests under the board, as commands to paste (again: hidden)
      if (String(data).trim().toLowerCase() === 'h') {
        showHow = !showHow;
        draw();
        return;
      }
      if (!board.passing() || !t.then) return;
      goOn = true;
      wake?.();
    };
    if (keys) io.stdin.on('data', onKey);
    if (!tty) write(out, `${title} — ${every}`);

    try {
      while (!io.signal?.aborted && !goOn) {
        board.round++;
        const seen = changedFiles;
        const session = new Session(ctx, nullStore(), 'verify', io.signal);
        session.checkBudgetMs = ROUND_CHECK_BUDGET_MS;
        let changedThisRound = false;
        session.on((e) => {
          if (e.type === 'item-finished' && e.item.result.manual) how.set(`${e.item.chapter.id}/${e.item.id}`, e.item.result.manual);
          const changed = board.apply(e, ctx.clock.now());
          if (changed) changedThisRound = true;
          if (changed && !tty) write(out, changeLine(changed, new Date()));
          if (changed && !tty && showHow && e.type === 'item-finished' && e.item.result.manual) for (const c of e.item.result.manual) write(out, c.startsWith('#') ? `    ${c}` : `    $ ${c}`);
          if (changed || e.type === 'item-finished') {
            draw();
            announce();
          }
        });
        draw();
        // in the board's order, each through its chapter in the one run loop
        await runCheckList(session, t.items);
        // a round that changed a state goes to the workshop board (after `workbook join`), in the background
        if (changedThisRound) await toBoard(lab, io, async () => (await import('../ui/report.js')).jsonReport(session, [...new Set(t.items.map((i) => i.chapter))]));
        if (io.signal?.aborted || goOn) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, intervalMs);
          function done() {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          }
          wake = done;
          // a file changed while the round ran: go again now
          if (changedFiles !== seen || io.signal?.aborted || goOn) done();
        });
      }
    } finally {
      watcher?.close();
      if (keys) {
        io.stdin.off('data', onKey);
        (io.stdin as NodeJS.ReadStream).pause?.();
      }
    }
    return 0;
  });
  return goOn && t.then && !io.signal?.aborted ? t.then.run(input) : code;
}

/**
 * `workbook watch <exercise>`: follows the answers given to an exercise (in another terminal, from the menu), one
 * line each as it is graded, until it is solved or Ctrl-C. Nothing is graded here: the answers are the learner's.
 */
async function watchExercise(ex: import('../lab/exercises.js').Exercise, { lab, io }: CommandInput): Promise<number> {
  const { ProgressStore } = await import('../effects/progress.js');
  const { formatDuration } = await import('../core/format.js');
  const n = Number(io.env.WORKBOOK_WATCH_MS);
  const intervalMs = Number.isFinite(n) && n >= 50 ? n : WATCH_INTERVAL_MS;
  write(io.stdout, `${say({ en: 'watching exercise', 'zh-TW': '監看練習' }, lab.lang)} ${ex.id}: ${say(ex.title, lab.lang)} — ${say({ en: `answer with \`workbook exercise ${ex.id}\` in another terminal; Ctrl-C stops`, 'zh-TW': `請在另一個終端機用 \`workbook exercise ${ex.id}\` 作答；Ctrl-C 停止` }, lab.lang)}\n${say(ex.task, lab.lang)}`);
  let seen = -1;
  while (!io.signal?.aborted) {
    const p = (await ProgressStore.open(lab.stateDir)).data.exercises?.[ex.id];
    const attempts = p?.attempts ?? [];
    if (seen < 0) seen = attempts.length;
    for (const a of attempts.slice(seen)) write(io.stdout, `${new Date(a.at).toTimeString().slice(0, 8)} ${a.right ? '✔' : '✖'} ${a.answer} — ${a.evidence}`);
    seen = attempts.length;
    if (p?.solvedAt) {
      write(io.stdout, say({ en: `✔ Solved in ${formatDuration(p.timeToSolveMs ?? 0)}.`, 'zh-TW': `✔ 已解出，耗時 ${formatDuration(p.timeToSolveMs ?? 0)}。` }, lab.lang));
      return 0;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      io.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
  return 0;
}
