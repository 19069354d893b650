import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { Lang } from '../core/text.js';

/**
 * listr's simple renderer writes its own status words ("[SKIPPED: …]", "[FAILED: …]"): this logger puts the
 * learner's words in their place, so zh-TW output carries no English status word.
 */
const LISTR_WORDS = { skipped: { en: 'SKIPPED', 'zh-TW': '略過' } } as const;

class WordsLogger extends ListrLogger {
  constructor(
    private readonly lang: Lang,
    options: ConstructorParameters<typeof ListrLogger>[0],
  ) {
    super(options);
  }
  override log(level: Parameters<ListrLogger['log']>[0], message: Parameters<ListrLogger['log']>[1], options?: Parameters<ListrLogger['log']>[2]): void {
    const suffix = options?.suffix as { field?: string } | undefined;
    if (this.lang !== 'en' && suffix && typeof suffix.field === 'string') {
      suffix.field = suffix.field.replace(/^SKIPPED: /, `${say(LISTR_WORDS.skipped, this.lang)}：`).replace(/^FAILED: /, `${say(STATUS_WORDS.failed, this.lang)}：`);
    }
    super.log(level, message, options);
  }
}
import type { ItemResult } from '../core/engine.js';
import { collapseAttempts, formatCommand } from '../core/format.js';
import type { Chapter } from '../core/model.js';
import type { Session } from '../core/session.js';
import { HEARTBEAT_MS, startHeartbeat } from '../lab/heartbeat.js';
import { punct, say } from '../core/text.js';
import { runChapters, type RunHooks } from '../core/runner.js';
import { MARK, STATUS_WORDS, otherCounts } from '../core/verdict.js';

export interface ListrUiOptions {
  /** 'default' redraws in place on a TTY; 'simple' prints one line per event (CI, pipes). */
  renderer: 'default' | 'simple';
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  signal?: AbortSignal;
  /** a line every so often while a step runs (default HEARTBEAT_MS) */
  heartbeatMs?: number;
}

/** How an item ended for the view; `undefined`: it never ran (an earlier step failed, Ctrl-C, a stopped run). */
type Slot = { result?: ItemResult; settle(r?: ItemResult): void; wait: Promise<ItemResult | undefined>; line?: string; task?: { output?: string } };

function slot(): Slot {
  let settle!: (r?: ItemResult) => void;
  const wait = new Promise<ItemResult | undefined>((resolve) => (settle = resolve));
  const s: Slot = { wait, settle: (r) => ((s.result = r), settle(r)) };
  return s;
}

/**
 * Chapters shown as listr2 tasks. listr only draws: the one run loop (scripts/core/runner.ts) runs the items, and
 * each task waits for its item's result from the loop's hooks.
 */
export async function runWithListr(chapters: readonly Chapter[], session: Session, o: ListrUiOptions): Promise<void> {
  const lang = session.ctx.lab.lang;
  const slots = new Map<string, Slot>();
  const key = (ch: Chapter, kind: string, id: string) => `${ch.id}\u0000${kind}\u0000${id}`;
  // once the loop is over, an item it never reached is settled as not run as soon as its task asks
  let over = false;
  const fresh = () => {
    const s = slot();
    if (over) s.settle(undefined);
    return s;
  };
  const get = (k: string) => slots.get(k) ?? (slots.set(k, fresh()), slots.get(k)!);
  /** the chapter's own slot: how it closed */
  const closeOf = (ch: Chapter) => get(key(ch, 'chapter', ''));
  const show = (s: Slot, line: string) => {
    s.line = line;
    if (s.task) s.task.output = line;
  };
  const NOT_RUN = 'not run';
  /** A task shows its item's output lines from now on (the last one so far at once), then its result. */
  const shown = (k: string, t: { output?: string }) => {
    const s = get(k);
    s.task = t;
    if (s.line) t.output = s.line;
    return s.wait;
  };

  const chapterTasks: ListrTask[] = chapters.map((ch) => ({
    title: `${ch.number}. ${say(ch.title, lang)}`,
    task: async (_ctx, chTask) => {
      const steps: ListrTask[] = session.mode === 'run'
        ? ch.steps.map((step) => ({
            title: `$ ${formatCommand(step.command(session.ctx.lab).argv)}`,
            exitOnError: true,
            task: async (_c, t) => {
              const r = await shown(key(ch, 'step', step.id), t);
              if (!r) return t.skip(`${t.title} — ${NOT_RUN}`);
              if (r.status === 'skipped') return t.skip(`${t.title} — ${r.evidence}`);
              if (r.status === 'interrupted') return t.skip(`${t.title} — ${MARK.interrupted} ${r.evidence}`);
              if (r.status === 'failed') throw new Error(`${r.command}: ${r.evidence}`);
            },
          }))
        : [];
      const checks: ListrTask[] = ch.checks.map((check) => ({
        title: say(check.title, lang),
        exitOnError: false,
        task: async (_c, t) => {
          const r = await shown(key(ch, 'check', check.id), t);
          if (!r) return t.skip(NOT_RUN);
          if (r.status === 'failed') throw new Error(r.evidence);
          // listr has no warning, blocked or not-applicable state: each is shown as skipped (↓) with its word,
          // never with a check mark
          if (r.status !== 'passed') return t.skip(`${MARK[r.status]} ${say(STATUS_WORDS[r.status], lang)}${punct(lang).colon}${r.evidence}`);
          t.title = `${say(check.title, lang)} — ${r.evidence}`;
        },
      }));
      const close: ListrTask = {
        exitOnError: true,
        task: async (_c, t) => {
          const r = await closeOf(ch).wait;
          if (!r || r.status === 'passed') return;
          const words = `${say(STATUS_WORDS[r.status], lang)}${punct(lang).colon}${r.evidence}`;
          if (r.status === 'failed') {
            t.title = `${ch.number}. ${say(ch.title, lang)}`;
            throw new Error(words);
          }
          // not applicable, blocked, interrupted: skipped (↓) with its own mark and word, never ✖ FAILED
          return chTask.skip(`${MARK[r.status]} ${words}`);
        },
      };
      return chTask.newListr([...steps, ...checks, close], { concurrent: false, exitOnError: true });
    },
  }));

  const hooks: RunHooks = {
    step: (ch, step) => {
      const s = get(key(ch, 'step', step.id));
      const beat = startHeartbeat(step, session.ctx, { everyMs: o.heartbeatMs ?? HEARTBEAT_MS, emit: (l) => show(s, l) });
      return {
        onLine: (l) => {
          beat.line(l);
          show(s, l);
        },
        done: async (r) => {
          await beat.stop();
          s.settle(r);
        },
      };
    },
    check: (ch, check) => {
      const s = get(key(ch, 'check', check.id));
      const attempts = collapseAttempts((line) => show(s, line));
      return {
        onAttempt: (out, n) => {
          if (!out.ok && n > 1) attempts.attempt(out.evidence, n);
        },
        done: (r) => {
          attempts.end();
          s.settle(r);
        },
      };
    },
    closeChapter: (ch, state) => {
      const items = session.itemsOf(ch);
      const counts = otherCounts(items.map((i) => i.result.status));
      const why = state === 'not-applicable' ? say({ en: 'no check applies here: nothing verified', 'zh-TW': '沒有適用於這裡的檢查：沒有驗證任何項目' }, lang) : `${counts.map(([s, n]) => `${n} ${say(STATUS_WORDS[s], lang)}`).join(punct(lang).list)} / ${items.length}`;
      // each state as itself: only a failure is drawn as one
      closeOf(ch).settle({ status: state, durationMs: 0, evidence: state === 'passed' ? '' : why });
    },
  };

  const logger = new WordsLogger(lang, { processOutput: new ProcessOutput(o.stdout, o.stderr) });
  const list = new Listr(chapterTasks, {
    concurrent: false,
    exitOnError: session.mode === 'run',
    registerSignalListeners: false,
    renderer: o.renderer,
    fallbackRenderer: 'simple',
    rendererOptions: { logger, collapseSubtasks: false, collapseErrors: false, showErrorMessage: true } as never,
  });
  // failures are results (already recorded); only a cancellation travels on to the caller
  const drawn = list.run().catch(() => {});
  let thrown: unknown;
  await runChapters(chapters, session, hooks).catch((err: unknown) => (thrown = err));
  // a chapter the loop left half-way (a confirmation refused, Ctrl-C at a prompt) is never drawn with a check mark
  if (thrown) for (const ch of chapters) if (session.begun(ch) && !('result' in closeOf(ch))) closeOf(ch).settle({ status: 'failed', durationMs: 0, evidence: `not finished: ${(thrown as Error).message ?? String(thrown)}` });
  // whatever the loop did not reach is shown as not run, so the drawing ends too
  over = true;
  for (const s of slots.values()) if (!('result' in s)) s.settle(undefined);
  await drawn;
  if (thrown) throw thrown;
}
