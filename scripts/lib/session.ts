import { executeCheck, executeStep, type Confirm, type ItemResult } from './engine.js';
import type { Chapter, ChapterContext, Check, Outcome, Step } from './model.js';
import type { ProgressStore } from './progress.js';
import { say } from './text.js';

export interface RecordedItem {
  chapter: Chapter;
  kind: 'step' | 'check';
  id: string;
  title: string;
  result: ItemResult;
}

/** One run or verify: executes through the engine, records progress after every item, keeps results for reports. */
export class Session {
  readonly items: RecordedItem[] = [];
  readonly startedAt: number;
  constructor(
    readonly ctx: ChapterContext,
    readonly store: ProgressStore,
    readonly mode: 'run' | 'verify',
    /** aborted on Ctrl-C: chapters then end as interrupted, not failed */
    readonly signal?: AbortSignal,
  ) {
    this.startedAt = ctx.clock.now();
  }

  async beginChapter(ch: Chapter): Promise<void> {
    this.store.startChapter(ch.id, this.mode);
    await this.store.save();
  }

  async step(ch: Chapter, step: Step, options: { onLine?: (l: string) => void; confirm?: Confirm; signal?: AbortSignal } = {}): Promise<ItemResult> {
    const result = await executeStep(step, this.ctx, options);
    await this.keep(ch, 'step', step.id, say(step.title, this.ctx.lab.lang), result);
    return result;
  }

  /** Why a check cannot run: a check it needs failed (or was skipped) earlier in this run. */
  blockedBy(check: Check): string | undefined {
    for (const need of check.needs ?? []) {
      if (need.unless?.some((u) => this.ctx.lab.urls[u])) continue;
      const [chId, checkId] = need.check.split('/');
      const got = this.items.find((i) => i.kind === 'check' && i.chapter.id === chId && i.id === checkId);
      if (!got || (got.result.status !== 'failed' && got.result.status !== 'skipped')) continue;
      // a dependency skipped for its own dependency already says "needs chapter …"
      if (got.result.status === 'skipped' && got.result.evidence.startsWith('needs chapter')) return got.result.evidence;
      if (got.result.status === 'skipped') continue;
      return `needs chapter ${got.chapter.number}: ${got.result.evidence}`;
    }
    return undefined;
  }

  async check(ch: Chapter, check: Check, options: { onAttempt?: (o: Outcome, n: number) => void; signal?: AbortSignal } = {}): Promise<ItemResult> {
    const blocked = this.blockedBy(check);
    const result = blocked ? { status: 'skipped' as const, durationMs: 0, evidence: blocked } : await executeCheck(check, this.ctx, options);
    await this.keep(ch, 'check', check.id, say(check.title, this.ctx.lab.lang), result);
    return result;
  }

  async endChapter(ch: Chapter): Promise<boolean> {
    const passed = this.items.filter((i) => i.chapter === ch).every((i) => i.result.status !== 'failed');
    this.store.finishChapter(ch.id, this.signal?.aborted ? 'interrupted' : passed ? 'passed' : 'failed');
    await this.store.save();
    return passed;
  }

  failures(): RecordedItem[] {
    return this.items.filter((i) => i.result.status === 'failed');
  }

  private async keep(ch: Chapter, kind: 'step' | 'check', id: string, title: string, result: ItemResult): Promise<void> {
    this.items.push({ chapter: ch, kind, id, title, result });
    this.store.record(ch.id, kind === 'step' ? 'steps' : 'checks', id, {
      status: result.status,
      at: new Date().toISOString(),
      durationMs: result.durationMs,
      evidence: result.evidence,
    });
    await this.store.save();
  }
}
