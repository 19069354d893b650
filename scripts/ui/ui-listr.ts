import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { ItemResult } from '../core/engine.js';
import { collapseAttempts, formatCommand } from '../core/format.js';
import type { Chapter } from '../core/model.js';
import type { Session } from '../core/session.js';
import { HEARTBEAT_MS, startHeartbeat } from '../lab/heartbeat.js';
import { say } from '../core/text.js';
import { CancelledError, UsageError } from '../core/errors.js';

export interface ListrUiOptions {
  /** 'default' redraws in place on a TTY; 'simple' prints one line per event (CI, pipes). */
  renderer: 'default' | 'simple';
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  signal?: AbortSignal;
  /** a line every so often while a step runs (default HEARTBEAT_MS) */
  heartbeatMs?: number;
}

/** Run chapters as listr2 tasks: steps stop a chapter at the first failure, checks all run. */
export async function runWithListr(chapters: readonly Chapter[], session: Session, o: ListrUiOptions): Promise<void> {
  const lang = session.ctx.lab.lang;
  let cancelled: CancelledError | UsageError | undefined;
  const interrupted = () => (o.signal?.aborted ? 'interrupted' : false);
  const label = (title: string, r: ItemResult) => `${title} — ${r.evidence}`;
  const chapterTasks: ListrTask[] = chapters.map((ch) => ({
    title: `${ch.number}. ${say(ch.title, lang)}`,
    task: async (_ctx, chTask) => {
      await session.beginChapter(ch);
      const steps: ListrTask[] = session.mode === 'run'
        ? ch.steps.map((step) => ({
            title: `$ ${formatCommand(step.command(session.ctx.lab).argv)}`,
            skip: interrupted,
            exitOnError: true,
            task: async (_c, t) => {
              const beat = startHeartbeat(step, session.ctx, { everyMs: o.heartbeatMs ?? HEARTBEAT_MS, emit: (l) => (t.output = l) });
              const r = await session
                .step(ch, step, {
                  onLine: (l) => {
                    beat.line(l);
                    t.output = l;
                  },
                  signal: o.signal,
                })
                .catch((err: unknown) => {
                  if (err instanceof CancelledError || err instanceof UsageError) cancelled = err;
                  throw err;
                })
                .finally(() => beat.stop());
              if (r.status === 'skipped') return t.skip(`${t.title} — ${r.evidence}`);
              if (r.status === 'failed') throw new Error(`${r.command}: ${r.evidence}`);
            },
          }))
        : [];
      const checks: ListrTask[] = ch.checks.map((check) => ({
        title: say(check.title, lang),
        skip: interrupted,
        exitOnError: false,
        task: async (_c, t) => {
          const title = say(check.title, lang);
          const attempts = collapseAttempts((line) => (t.output = line));
          const r = await session.check(ch, check, {
            signal: o.signal,
            onAttempt: (out, n) => {
              if (!out.ok && n > 1) attempts.attempt(out.evidence, n);
            },
          });
          attempts.end();
          if (r.status === 'failed') throw new Error(r.evidence);
          // listr has no warning state: a warning and a check that did not run are both shown as skipped (↓),
          // never with a check mark
          if (r.status === 'skipped') return t.skip(r.evidence);
          if (r.status === 'warned') return t.skip(`⚠ warning: ${r.evidence}`);
          t.title = label(title, r);
        },
      }));
      // runs even after a failed step, so the chapter is always closed in progress and marked failed here
      const close: ListrTask = {
        exitOnError: true,
        task: async (_c, t) => {
          if (!(await session.endChapter(ch))) {
            const items = session.items.filter((i) => i.chapter === ch);
            const failed = items.filter((i) => i.result.status === 'failed').length;
            t.title = `${ch.number}. ${say(ch.title, lang)}`;
            throw new Error(`${failed} of ${items.length} failed`);
          }
        },
      };
      return chTask.newListr([...steps, ...checks, close], {
        concurrent: false,
        // per task: a failed step stops the chapter; a failed check lets the other checks report too
        exitOnError: true,
      });
    },
  }));

  const logger = new ListrLogger({ processOutput: new ProcessOutput(o.stdout, o.stderr) });
  const list = new Listr(chapterTasks, {
    concurrent: false,
    exitOnError: session.mode === 'run',
    registerSignalListeners: false,
    renderer: o.renderer,
    fallbackRenderer: 'simple',
    rendererOptions: { logger, collapseSubtasks: false, collapseErrors: false, showErrorMessage: true } as never,
  });
  // failures are results (already recorded); only a cancellation travels on to the caller
  await list.run().catch(() => {});
  for (const ch of chapters) {
    if (session.store.data.chapters[ch.id]?.status === 'running') await session.endChapter(ch);
  }
  if (cancelled) throw cancelled;
}
