// The one run loop. The clack and listr2 UIs, `run all --fast` and `watch` all go through it; what happens is
// emitted by the session as typed events (scripts/core/session.ts), which the progress store and reports follow.
// The rules live here once:
// - a chapter is begun in progress only when one of its items runs (reading a lesson and stopping keeps the last
//   result);
// - steps run in order and stop the chapter at the first failure: its checks are then not run;
// - checks all run (a failed one does not stop the others); their `needs` are honoured by the session: a check
//   starts only once every check it needs in the same list has finished, and those that do not wait for each
//   other run at once (a UI that draws one at a time asks for `concurrency: 1`);
// - after Ctrl-C (the session's signal) nothing more is started, and begun chapters end as interrupted;
// - in `run` mode a failed chapter stops the chapters after it; `verify` goes on through all of them.
import type { Confirm, ItemResult } from './engine.js';
import type { ChapterState } from './verdict.js';
import type { Chapter, Check, Outcome, Step } from './model.js';
import type { Session } from './session.js';

/** What a UI may do around one step. */
export interface StepIo {
  onLine?: (line: string) => void;
  confirm?: Confirm;
  /** after the step, with its result (also after a throw: then `undefined`) */
  done?: (r: ItemResult | undefined) => void | Promise<void>;
}

export interface CheckIo {
  onAttempt?: (o: Outcome, attempt: number) => void;
  done?: (r: ItemResult) => void | Promise<void>;
}

/** A UI's hooks into the loop; every one is optional (a headless run needs none). */
export interface RunHooks {
  /** a chapter is opened (the clack UI shows its lesson) */
  openChapter?(ch: Chapter): void | Promise<void>;
  /** before each step of a `run`: run it, skip it (the learner did it by hand), or stop here */
  beforeStep?(ch: Chapter, step: Step): Promise<'run' | 'skip' | 'quit'>;
  step?(ch: Chapter, step: Step): StepIo;
  /** before a chapter's checks */
  beforeChecks?(ch: Chapter): void | Promise<void>;
  check?(ch: Chapter, check: Check): CheckIo;
  /** a chapter that was begun is finished (passed is false for failed and interrupted) */
  /** the chapter ended in this state (drawn as itself: not-applicable and blocked are not failures) */
  closeChapter?(ch: Chapter, state: ChapterState): void | Promise<void>;
  /** how many checks of a chapter may run at once (default: all that do not wait for each other) */
  concurrency?: number;
}

export type StepsOutcome = 'ok' | 'failed' | 'stopped';

/** Steps in order; the first failure ends them. 'stopped': the learner chose "Stop here". */
export async function runSteps(session: Session, ch: Chapter, steps: readonly Step[], hooks: RunHooks = {}): Promise<StepsOutcome> {
  for (const step of steps) {
    if (session.signal?.aborted) return 'failed';
    const choice = hooks.beforeStep ? await hooks.beforeStep(ch, step) : 'run';
    if (choice === 'quit') return 'stopped';
    if (choice === 'skip') continue;
    const io = hooks.step?.(ch, step) ?? {};
    let r: ItemResult | undefined;
    try {
      r = await session.step(ch, step, { onLine: io.onLine, confirm: io.confirm, signal: session.signal });
    } finally {
      await io.done?.(r);
    }
    if (r!.status === 'failed') return 'failed';
  }
  return 'ok';
}

/**
 * Checks of a chapter. A check waits for every check it `needs` that is in this list (so the session can tell
 * whether it is blocked); the others start at once, up to `concurrency` at a time (1: in order). Results come
 * back in the order of `checks`.
 */
export async function runChecks(session: Session, ch: Chapter, checks: readonly Check[], hooks: RunHooks = {}, concurrency = hooks.concurrency ?? Number.POSITIVE_INFINITY): Promise<ItemResult[]> {
  const results = new Map<Check, ItemResult>();
  const done = new Map<string, Promise<void>>();
  const ids = new Set(checks.map((c) => `${ch.id}/${c.id}`));
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    while (running >= Math.max(1, concurrency)) await new Promise<void>((r) => waiting.push(r));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  const one = async (check: Check) => {
    await Promise.all((check.needs ?? []).filter((n) => ids.has(n.check) && n.check !== `${ch.id}/${check.id}`).map((n) => done.get(n.check)));
    await slot();
    try {
      // after Ctrl-C the remaining checks are not started
      if (session.signal?.aborted) return;
      const io = hooks.check?.(ch, check) ?? {};
      const r = await session.check(ch, check, { signal: session.signal, onAttempt: io.onAttempt });
      results.set(check, r);
      await io.done?.(r);
    } finally {
      release();
    }
  };
  // every promise exists before any check starts, so a need declared later in the list is waited for too
  let start!: () => void;
  const gate = new Promise<void>((r) => (start = r));
  for (const check of checks) done.set(`${ch.id}/${check.id}`, gate.then(() => one(check)));
  start();
  await Promise.all(done.values());
  return checks.map((c) => results.get(c)).filter((r): r is ItemResult => !!r);
}

/**
 * Checks drawn from several chapters (a challenge's broken checks, what `watch` shows), in the given order, each
 * through its own chapter's runChecks: a result for every check that ran (none after Ctrl-C).
 */
export async function runCheckList<T extends { chapter: Chapter; check: Check }>(session: Session, items: readonly T[], hooks: RunHooks = {}): Promise<(T & { result: ItemResult })[]> {
  const out: (T & { result: ItemResult })[] = [];
  for (const item of items) {
    const [result] = await runChecks(session, item.chapter, [item.check], hooks);
    if (result) out.push({ ...item, result });
  }
  return out;
}

export type RunOutcome = 'completed' | 'failed' | 'stopped';

/** Chapters in order, through the hooks: the one loop behind `run`, `verify`, the menu and `watch`. */
export async function runChapters(chapters: readonly Chapter[], session: Session, hooks: RunHooks = {}): Promise<RunOutcome> {
  let failedAny = false;
  for (const ch of chapters) {
    if (session.signal?.aborted) break;
    await hooks.openChapter?.(ch);
    // a throw (Ctrl-C at a prompt, a confirmation refused) leaves a begun chapter running: the command's cleanup
    // marks it interrupted (scripts/commands/kit.ts withLab), never passed
    const steps = session.mode === 'run' ? await runSteps(session, ch, ch.steps, hooks) : 'ok';
    if (steps === 'ok' && ch.checks.length && !session.signal?.aborted) {
      await hooks.beforeChecks?.(ch);
      await runChecks(session, ch, ch.checks, hooks);
    }
    if (session.begun(ch)) {
      const ok = await session.endChapter(ch);
      await hooks.closeChapter?.(ch, session.chapterState(ch));
      if (!ok) failedAny = true;
    }
    if (steps === 'stopped') return 'stopped';
    if (failedAny && session.mode === 'run') return 'failed';
  }
  return failedAny ? 'failed' : 'completed';
}
