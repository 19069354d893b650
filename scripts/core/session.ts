import { executeCheck, executeStep, type Confirm, type ItemResult } from './engine.js';
import type { Chapter, LabContext, Check, Outcome, Step } from './model.js';
import { say } from './text.js';
import { chapterState, holdsBack, runPassed, type ChapterState } from './verdict.js';

export interface RecordedItem {
  chapter: Chapter;
  kind: 'step' | 'check';
  id: string;
  title: string;
  result: ItemResult;
}

/** What a session records into: the progress store (scripts/effects/progress.ts) is one. */
export interface RunStore {
  data: { chapters: Record<string, { status: string } | undefined> };
  startChapter(id: string, mode: 'run' | 'verify'): unknown;
  record(chapterId: string, kind: 'steps' | 'checks', itemId: string, item: { status: ItemResult['status']; at: string; durationMs: number; evidence?: string }): void;
  finishChapter(id: string, status: ChapterState): void;
  interruptRunning(): boolean;
  save(): Promise<void>;
}

/** What happens in a run, in order; UIs, the progress store, reports and `watch` listen to these. */
export type RunEvent =
  | { type: 'chapter-started'; chapter: Chapter; mode: 'run' | 'verify' }
  | { type: 'item-started'; chapter: Chapter; kind: 'step' | 'check'; id: string; title: string }
  | { type: 'attempt'; chapter: Chapter; id: string; attempt: number; outcome: Outcome }
  | { type: 'item-finished'; item: RecordedItem }
  | { type: 'chapter-finished'; chapter: Chapter; status: ChapterState };

export type RunListener = (e: RunEvent) => void | Promise<void>;

/** A chapter's state from its recorded items (scripts/core/verdict.ts decides). */
export function stateOf(items: readonly { kind: 'step' | 'check'; result: ItemResult }[], interrupted = false): ChapterState {
  return chapterState(items.map((i) => ({ kind: i.kind, status: i.result.status })), { interrupted });
}

/** The progress store as a listener: a chapter's record starts, grows with each item, and ends. */
export function progressRecorder(store: RunStore): RunListener {
  return async (e) => {
    if (e.type === 'chapter-started') store.startChapter(e.chapter.id, e.mode);
    else if (e.type === 'item-finished') {
      const { chapter, kind, id, result } = e.item;
      store.record(chapter.id, kind === 'step' ? 'steps' : 'checks', id, { status: result.status, at: new Date().toISOString(), durationMs: result.durationMs, evidence: result.evidence });
    } else if (e.type === 'chapter-finished') store.finishChapter(e.chapter.id, e.status);
    else return;
    await store.save();
  };
}

/**
 * One run or verify: executes through the engine and emits what happens as typed events (the progress store is
 * one listener); keeps results for reports.
 */
export class Session {
  readonly items: RecordedItem[] = [];
  readonly startedAt: number;
  /** a shorter budget for every check than --timeout (`watch` re-runs checks; `challenge check` wants a verdict) */
  checkBudgetMs?: number;
  private readonly listeners: RunListener[];
  constructor(
    readonly ctx: LabContext,
    readonly store: RunStore,
    readonly mode: 'run' | 'verify',
    /** aborted on Ctrl-C: chapters then end as interrupted, not failed */
    readonly signal?: AbortSignal,
  ) {
    this.startedAt = ctx.clock.now();
    this.listeners = [progressRecorder(store)];
  }

  /** Listen to this session's events, in order; a listener's promise is awaited before the run goes on (attempts, reported while a check probes, are not awaited). */
  on(listener: RunListener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  private async emit(e: RunEvent): Promise<void> {
    for (const l of [...this.listeners]) await l(e);
  }

  private readonly open = new Set<Chapter>();

  /** Whether the chapter was begun in this session and not yet finished. */
  begun(ch: Chapter): boolean {
    return this.open.has(ch);
  }

  private readonly opening = new Map<Chapter, Promise<void>>();
  /** when each chapter began and ended in this session (wall time: its checks run at once) */
  private readonly spans = new Map<Chapter, { start: number; end?: number }>();

  /** A chapter's wall time in this session: from its first item to its end (or to now, while it runs). */
  chapterWallMs(ch: Chapter): number {
    const s = this.spans.get(ch);
    return s ? (s.end ?? this.ctx.clock.now()) - s.start : 0;
  }

  /** The session's wall time so far. */
  wallMs(): number {
    return this.ctx.clock.now() - this.startedAt;
  }

  /** Begins the chapter in progress once; the first step or check of a chapter does it, and checks that start at once all wait for it. */
  private beginChapter(ch: Chapter): Promise<void> {
    if (this.open.has(ch)) return this.opening.get(ch) ?? Promise.resolve();
    this.open.add(ch);
    this.spans.set(ch, { start: this.ctx.clock.now() });
    const p = this.emit({ type: 'chapter-started', chapter: ch, mode: this.mode });
    this.opening.set(ch, p);
    return p;
  }

  async step(ch: Chapter, step: Step, options: { onLine?: (l: string) => void; confirm?: Confirm; signal?: AbortSignal } = {}): Promise<ItemResult> {
    const title = say(step.title, this.ctx.lab.lang);
    await this.beginChapter(ch);
    await this.emit({ type: 'item-started', chapter: ch, kind: 'step', id: step.id, title });
    const result = await executeStep(step, this.ctx, options);
    await this.keep(ch, 'step', step.id, title, result);
    return result;
  }

  /**
   * Why a check cannot run: a check it needs failed, or was itself blocked, earlier in this run. The reason names
   * the check at the root ("chapter/check") and what it saw. A need that did not apply (not applicable) or did not
   * run in this session does not block: the check probes for itself.
   */
  blockedBy(check: Check): string | undefined {
    for (const need of check.needs ?? []) {
      if (need.unless?.some((u) => this.ctx.lab.urls[u])) continue;
      const [chId, checkId] = need.check.split('/');
      const got = this.items.find((i) => i.kind === 'check' && i.chapter.id === chId && i.id === checkId);
      if (!got) continue;
      // a dependency blocked for its own dependency already names the root
      if (got.result.status === 'blocked') return got.result.evidence;
      if (got.result.status === 'failed' || got.result.status === 'interrupted') {
        return say({ en: `needs ${need.check} (chapter ${got.chapter.number}), which ${got.result.status}: ${got.result.evidence}`, 'zh-TW': `需要 ${need.check}（第 ${got.chapter.number} 章），而它${got.result.status === 'failed' ? '失敗了' : '被中斷了'}：${got.result.evidence}` }, this.ctx.lab.lang);
      }
    }
    return undefined;
  }

  async check(ch: Chapter, check: Check, options: { onAttempt?: (o: Outcome, n: number) => void; signal?: AbortSignal } = {}): Promise<ItemResult> {
    const title = say(check.title, this.ctx.lab.lang);
    await this.beginChapter(ch);
    await this.emit({ type: 'item-started', chapter: ch, kind: 'check', id: check.id, title });
    const blocked = this.blockedBy(check);
    const onAttempt = (o: Outcome, n: number) => {
      options.onAttempt?.(o, n);
      void this.emit({ type: 'attempt', chapter: ch, id: check.id, attempt: n, outcome: o });
    };
    const result = blocked ? { status: 'blocked' as const, durationMs: 0, evidence: blocked } : await executeCheck(check, this.ctx, { ...options, onAttempt, ...(this.checkBudgetMs !== undefined ? { deadlineMs: Math.min(this.checkBudgetMs, this.ctx.lab.timeoutMs) } : {}) });
    await this.keep(ch, 'check', check.id, title, result);
    return result;
  }

  /** Ends a begun chapter with its state (scripts/core/verdict.ts); true when it passed. */
  async endChapter(ch: Chapter): Promise<boolean> {
    this.open.delete(ch);
    this.opening.delete(ch);
    const span = this.spans.get(ch);
    if (span) span.end = this.ctx.clock.now();
    const state = this.chapterState(ch);
    await this.emit({ type: 'chapter-finished', chapter: ch, status: state });
    return state === 'passed';
  }

  /** The state of a chapter this session ran items of; Ctrl-C makes it interrupted. */
  chapterState(ch: Chapter): ChapterState {
    return stateOf(this.items.filter((i) => i.chapter === ch), !!this.signal?.aborted);
  }

  /** The chapters this session ran items of, in catalog order, with their states. */
  chapterStates(chapters: readonly Chapter[]): { chapter: Chapter; state: ChapterState }[] {
    return chapters.filter((ch) => this.items.some((i) => i.chapter === ch)).map((chapter) => ({ chapter, state: this.chapterState(chapter) }));
  }

  /** The run's verdict: true only when every chapter it ran passed or did not apply, and one passed. */
  passed(chapters: readonly Chapter[]): boolean {
    return runPassed(this.chapterStates(chapters).map((c) => c.state));
  }

  /** Items that keep the run from passing: failed, blocked or interrupted. */
  /** A chapter's items in the chapter's own order (checks that ran at once finish in any order). */
  itemsOf(ch: Chapter): RecordedItem[] {
    const order = [...ch.steps.map((s) => `step/${s.id}`), ...ch.checks.map((c) => `check/${c.id}`)];
    const at = (i: RecordedItem) => order.indexOf(`${i.kind}/${i.id}`);
    return this.items.filter((i) => i.chapter === ch).sort((a, b) => at(a) - at(b));
  }

  failures(): RecordedItem[] {
    return this.items.filter((i) => holdsBack(i.result.status));
  }

  private async keep(ch: Chapter, kind: 'step' | 'check', id: string, title: string, result: ItemResult): Promise<void> {
    const item = { chapter: ch, kind, id, title, result };
    this.items.push(item);
    await this.emit({ type: 'item-finished', item });
  }
}

/** A store that keeps nothing: `challenge` and `watch` run checks without rewriting the chapters' progress. */
export function nullStore(): RunStore {
  return { data: { chapters: {} }, startChapter: () => undefined, record: () => undefined, finishChapter: () => undefined, interruptRunning: () => false, save: async () => undefined };
}
