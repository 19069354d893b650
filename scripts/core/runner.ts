// The one run loop. The clack and listr2 UIs, `run all --fast` and `watch` all go through it; what happens is
// emitted by the session as typed events (scripts/core/session.ts), which the progress store and reports follow.
// The rules live here once:
// - a chapter is begun in progress only when one of its items runs (reading a lesson and stopping keeps the last
//   result);
// - steps run in order and stop the chapter at the first failure: its checks are then not run;
// - checks all run (a failed one does not stop the others); their `needs` are honoured by the session;
// - after Ctrl-C (the session's signal) nothing more is started, and begun chapters end as interrupted;
// - in `run` mode a failed chapter stops the chapters after it; `verify` goes on through all of them.
import type { Confirm, ItemResult } from './engine.js';
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
  closeChapter?(ch: Chapter, passed: boolean): void | Promise<void>;
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

/** Checks of a chapter; `concurrency` > 1 runs that many at once (`--fast`), otherwise in order. */
export async function runChecks(session: Session, ch: Chapter, checks: readonly Check[], hooks: RunHooks = {}, concurrency = 1): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  const queue = [...checks];
  const worker = async () => {
    for (let check = queue.shift(); check; check = queue.shift()) {
      // after Ctrl-C the remaining checks are not started
      if (session.signal?.aborted) return;
      const io = hooks.check?.(ch, check) ?? {};
      const r = await session.check(ch, check, { signal: session.signal, onAttempt: io.onAttempt });
      results.push(r);
      await io.done?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, checks.length)) }, worker));
  return results;
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
      await hooks.closeChapter?.(ch, ok);
      if (!ok) failedAny = true;
    }
    if (steps === 'stopped') return 'stopped';
    if (failedAny && session.mode === 'run') return 'failed';
  }
  return failedAny ? 'failed' : 'completed';
}
