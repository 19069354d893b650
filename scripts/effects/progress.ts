import { constants } from 'node:fs';
import { alive } from './process.js';
import { access, readFile, rename, stat, writeFile, unlink } from 'node:fs/promises';
import { mkdirp, writeAtomic } from './files.js';
import { readBounded } from '../core/read.js';
import { join } from 'node:path';
import { UsageError, WorkbookError } from '../core/errors.js';

import { z } from 'zod';
import { CHAPTER_STATES, ITEM_STATUSES, type ChapterState, type ItemStatus } from '../core/verdict.js';
export type { ItemStatus };

export interface ItemProgress {
  status: ItemStatus;
  at: string;
  durationMs: number;
  evidence?: string;
}

export interface ChapterProgress {
  status: 'running' | ChapterState;
  mode: 'run' | 'verify';
  /** the process running it, while it runs: a later start finds a dead one and marks its chapter interrupted */
  pid?: number;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  steps: Record<string, ItemProgress>;
  checks: Record<string, ItemProgress>;
}

/** A finished attempt at a challenge, kept as it ended: never rewritten. */
export interface ChallengeAttempt {
  /** fixed; reset (the learner restored the lab); restarted (a new start while it was under way) */
  status: 'fixed' | 'reset' | 'restarted';
  startedAt: string;
  hintsUsed: number;
  fixedAt?: string;
  timeToFixMs?: number;
  /** when the next attempt began */
  endedAt: string;
}

/** A challenge (`workbook challenge`): the attempt under way (or the last one) at the top, earlier ones in `attempts`. */
export interface ChallengeProgress {
  status: 'broken' | 'fixed' | 'reset';
  startedAt: string;
  hintsUsed: number;
  /** the last `challenge check`: when, and each broken check's result */
  checkedAt?: string;
  checks?: Record<string, ItemProgress>;
  fixedAt?: string;
  /** from the fault being put in to the first `challenge check` that passed */
  timeToFixMs?: number;
  /** earlier attempts, oldest first (absent before the first restart) */
  attempts?: ChallengeAttempt[];
}

/** One answer given to an exercise (`workbook exercise`): what was typed, and whether it was right. */
export interface ExerciseAttempt {
  at: string;
  answer: string;
  right: boolean;
  /** the grade's evidence ("right: 73 traces, the same set as expected"; "…also returns 12 traces whose root…") */
  evidence: string;
}

/** An exercise: every answer in order, and when it was first solved. */
export interface ExerciseProgress {
  /** when the question was first shown: the time to solve counts from here (else from the first answer) */
  firstShownAt?: string;
  firstTriedAt: string;
  solvedAt?: string;
  /** from the first answer to the first right one */
  timeToSolveMs?: number;
  /** when the learner asked to see an answer (`exercise <id> --show-answer`) */
  answerShownAt?: string;
  attempts: ExerciseAttempt[];
}

export interface ProgressData {
  version: 1;
  updatedAt: string;
  /** Facts the workbook must remember: which cluster it created (teardown deletes only that one). */
  facts: Record<string, unknown>;
  chapters: Record<string, ChapterProgress>;
  /** absent in files written before challenges existed */
  challenges?: Record<string, ChallengeProgress>;
  /** absent in files written before exercises existed */
  exercises?: Record<string, ExerciseProgress>;
}

export const PROGRESS_FILE = 'progress.json';

/** What one exercise keeps of its answers: the newest few, each cut, so the file cannot outgrow its own limit. */
export const KEEP_ANSWERS = { count: 20, answerChars: 4000, evidenceChars: 1000 } as const;

/** An exercise's record, bounded: the newest answers, each cut (the first try's time and the solve stay). */
function boundExercise(e: ExerciseProgress): ExerciseProgress {
  const cut = (t: string, n: number) => (t.length > n ? `${t.slice(0, n)}…` : t);
  return { ...e, attempts: e.attempts.slice(-KEEP_ANSWERS.count).map((a) => ({ ...a, answer: cut(a.answer, KEEP_ANSWERS.answerChars), evidence: cut(a.evidence, KEEP_ANSWERS.evidenceChars) })) };
}

function empty(): ProgressData {
  return { version: 1, updatedAt: new Date(0).toISOString(), facts: {}, chapters: {} };
}

/** The file's shape, checked whole before it is used: a file of the right JSON but the wrong shape is set aside too. */
const ITEM = z.object({ status: z.enum(ITEM_STATUSES as [ItemStatus, ...ItemStatus[]]), at: z.string(), durationMs: z.number(), evidence: z.string().optional() }).passthrough();
const CHAPTER = z
  .object({
    status: z.enum(['running', ...CHAPTER_STATES] as [string, ...string[]]),
    mode: z.enum(['run', 'verify']),
    pid: z.number().int().optional(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    durationMs: z.number().optional(),
    steps: z.record(ITEM),
    checks: z.record(ITEM),
  })
  .passthrough();
const CHALLENGE = z
  .object({
    status: z.enum(['broken', 'fixed', 'reset']),
    startedAt: z.string(),
    hintsUsed: z.number().int().nonnegative(),
    checkedAt: z.string().optional(),
    checks: z.record(ITEM).optional(),
    fixedAt: z.string().optional(),
    timeToFixMs: z.number().optional(),
    attempts: z
      .array(z.object({ status: z.enum(['fixed', 'reset', 'restarted']), startedAt: z.string(), hintsUsed: z.number().int().nonnegative(), fixedAt: z.string().optional(), timeToFixMs: z.number().optional(), endedAt: z.string() }).passthrough())
      .optional(),
  })
  .passthrough();
const EXERCISE = z
  .object({
    firstShownAt: z.string().optional(),
    firstTriedAt: z.string(),
    solvedAt: z.string().optional(),
    timeToSolveMs: z.number().optional(),
    answerShownAt: z.string().optional(),
    attempts: z.array(z.object({ at: z.string(), answer: z.string(), right: z.boolean(), evidence: z.string() }).passthrough()),
  })
  .passthrough();
const PROGRESS = z.object({ version: z.literal(1), updatedAt: z.string().optional(), facts: z.record(z.unknown()), chapters: z.record(CHAPTER), challenges: z.record(CHALLENGE).optional(), exercises: z.record(EXERCISE).optional() }).passthrough();

function isProgress(v: unknown): v is ProgressData {
  return PROGRESS.safeParse(v).success;
}

/** Why a parsed file is not progress, in one line (the first problem zod found). */
function shapeProblem(v: unknown): string {
  const r = PROGRESS.safeParse(v);
  if (r.success) return '';
  const i = r.error.issues[0]!;
  return `${i.path.join('.') || '(top)'}: ${i.message}`;
}

/**
 * Progress lives in one small JSON file, always replaced whole (write a temp file, then rename), so a Ctrl-C or
 * a crash leaves either the old file or the new one, never half of one.
 */
export class ProgressStore {
  /** Set when the file on disk was unreadable and was moved aside. */
  notice?: string;
  private constructor(
    readonly dir: string,
    public data: ProgressData,
  ) {}

  get file(): string {
    return join(this.dir, PROGRESS_FILE);
  }

  /** Read progress; a corrupt file is kept as a backup and a fresh start is made. */
  static async open(dir: string, now = () => new Date()): Promise<ProgressStore> {
    const file = join(dir, PROGRESS_FILE);
    let raw: string | undefined;
    try {
      raw = await readBounded(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ETOOBIG') {
        // too large to be ours: set aside like a corrupt one, never a lock-out (even `reset` must work)
        const backup = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
        await rename(file, backup);
        const store = new ProgressStore(dir, empty());
        store.notice = `progress file ${file} was unreadable (${(err as Error).message}); kept it as ${backup} and started fresh`;
        return store;
      }
      if (code !== 'ENOENT') {
        throw new WorkbookError(`cannot read progress file ${file}: ${(err as Error).message}`, { exitCode: 2 });
      }
    }
    if (raw === undefined) return new ProgressStore(dir, empty());
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (isProgress(parsed)) {
      const store = new ProgressStore(dir, parsed);
      store.settleDead();
      return store;
    }
    // a newer workbook's file is not corrupt: leave it alone and say so
    const version = (parsed as { version?: unknown } | undefined)?.version;
    if (typeof version === 'number' && version > 1) {
      throw new UsageError(`progress file ${file} was written by a newer tempo-workbook (format ${version}; this one reads format 1): update the workbook, or use another --state-dir`);
    }
    const backup = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    await rename(file, backup);
    const store = new ProgressStore(dir, empty());
    const why = parsed === undefined ? 'not JSON' : `not a progress file (${shapeProblem(parsed)})`;
    store.notice = `progress file ${file} was unreadable (${why}); kept it as ${backup} and started fresh`;
    return store;
  }

  /** Fail early, with exit 2, when progress could not be saved. */
  static async ensureWritable(dir: string): Promise<void> {
    try {
      await mkdirp(dir);
      await access(dir, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new UsageError({ en: `progress folder ${dir} is not writable (${code}); choose another with --state-dir`, 'zh-TW': `進度資料夾 ${dir} 無法寫入（${code}）；請用 --state-dir 指定其他資料夾` });
    }
  }

  private saving: Promise<void> = Promise.resolve();
  /** What this process changed: a save merges only these into what is on disk (other processes keep theirs). */
  private readonly touchedChapters = new Set<string>();
  private readonly touchedFacts = new Set<string>();
  /** each challenge's and exercise's changes, as functions of the record: applied again to what is on disk at save */
  private readonly touchedChallenges = new Map<string, ((c: ChallengeProgress | undefined) => ChallengeProgress)[]>();
  private readonly touchedExercises = new Map<string, ((e: ExerciseProgress | undefined) => ExerciseProgress)[]>();
  /** reset / teardown: the next save replaces the file instead of merging */
  private replaceAll = false;

  setFact(key: string, value: unknown): void {
    this.data.facts[key] = value;
    this.touchedFacts.add(key);
  }

  /** A challenge's record, changed in place by `update`; this process' change wins over the file on disk. */
  setChallenge(id: string, update: (c: ChallengeProgress | undefined) => ChallengeProgress): ChallengeProgress {
    return this.setRecord('challenges', this.touchedChallenges, id, update);
  }

  /** An exercise's record, changed in place by `update`; this process' change wins over the file on disk. */
  setExercise(id: string, update: (e: ExerciseProgress | undefined) => ExerciseProgress): ExerciseProgress {
    return this.setRecord('exercises', this.touchedExercises, id, (e) => boundExercise(update(e)));
  }

  /**
   * A record changed by `update`, a function of the record as it is: at save it is applied again, under the lock,
   * to the record on disk, so two processes' changes (two answers at once) both count and neither undoes the other.
   */
  private setRecord<K extends 'challenges' | 'exercises', V extends NonNullable<ProgressData[K]>[string]>(key: K, touched: Map<string, ((v: V | undefined) => V)[]>, id: string, update: (v: V | undefined) => V): V {
    const map = (this.data[key] ??= {} as NonNullable<ProgressData[K]>) as Record<string, V>;
    const next = update(map[id]);
    map[id] = next;
    touched.set(id, [...(touched.get(id) ?? []), update]);
    return next;
  }

  deleteFact(key: string): void {
    delete this.data.facts[key];
    this.touchedFacts.add(key);
  }

  /** Forget every chapter but those `keep` holds (teardown): the next save replaces the file. */
  forgetChapters(keep: (c: ChapterProgress) => boolean): void {
    for (const [id, c] of Object.entries(this.data.chapters)) if (!keep(c)) delete this.data.chapters[id];
    this.replaceAll = true;
  }

  /** Hold the lock file while reading, merging and writing (other workbook processes wait their turn). */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await writeFile(lock, String(process.pid), { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // a lock left by a process that died (or older than 10 s: no save takes that long) is taken over
        // (a lock file still empty is being written by its holder: not stale)
        const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
        const since = (await stat(lock).catch(() => undefined))?.mtimeMs;
        if (since === undefined) continue; // gone meanwhile: try again
        if ((holder > 0 && !alive(holder)) || Date.now() - since > 10_000) {
          await unlink(lock).catch(() => {});
          continue;
        }
        if (Date.now() > deadline) throw new WorkbookError(`progress file ${this.file} stays locked by process ${holder}; if no workbook is running, delete ${lock}`, { exitCode: 2 });
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => {});
    }
  }

  /** Take in what other processes saved since: every chapter and fact this process did not change. */
  private async mergeFromDisk(): Promise<void> {
    if (this.replaceAll) return;
    const raw = await readFile(this.file, 'utf8').catch(() => undefined);
    let disk: unknown;
    try {
      disk = raw === undefined ? undefined : JSON.parse(raw);
    } catch {
      disk = undefined;
    }
    if (!isProgress(disk)) return;
    for (const [id, c] of Object.entries(disk.chapters)) if (!this.touchedChapters.has(id)) this.data.chapters[id] = c;
    for (const id of Object.keys(this.data.chapters)) if (!this.touchedChapters.has(id) && !(id in disk.chapters)) delete this.data.chapters[id];
    // challenges and exercises: theirs, but for the ones this process changed
    for (const [key, touched] of [['challenges', this.touchedChallenges], ['exercises', this.touchedExercises]] as const) {
      const theirs = (disk[key] ?? {}) as Record<string, never>;
      const merged: Record<string, unknown> = { ...theirs };
      // this process' changes, applied again to the record as the disk has it now
      for (const [id, updates] of touched as Map<string, ((v: unknown) => unknown)[]>) merged[id] = updates.reduce<unknown>((v, u) => u(v), theirs[id]);
      if (Object.keys(merged).length || this.data[key]) (this.data as unknown as Record<string, unknown>)[key] = merged;
    }
    for (const [k, v] of Object.entries(disk.facts)) if (!this.touchedFacts.has(k)) this.data.facts[k] = v;
    for (const k of Object.keys(this.data.facts)) if (!this.touchedFacts.has(k) && !(k in disk.facts)) delete this.data.facts[k];
  }

  /** Saves are queued: overlapping work (--fast) never has two renames race over one file. */
  save(): Promise<void> {
    const next = this.saving.catch(() => {}).then(() => this.writeNow());
    this.saving = next;
    return next;
  }

  private async writeNow(): Promise<void> {
    await mkdirp(this.dir);
    await this.withLock(async () => {
      await this.mergeFromDisk();
      this.replaceAll = false;
      this.data.updatedAt = new Date().toISOString();
      await writeAtomic(this.file, JSON.stringify(this.data, null, 2) + '\n').catch((err: Error) => {
        throw new WorkbookError(`cannot save progress to ${this.file}: ${err.message}`, { exitCode: 2 });
      });
      // saved: the next save reapplies only what changes after this (the disk holds these now). The record stays
      // "touched" with no change pending: it is then the disk's own, as at this save.
      for (const m of [this.touchedChallenges, this.touchedExercises] as Map<string, unknown[]>[]) for (const id of m.keys()) m.set(id, []);
    });
  }

  /**
   * A chapter left `running` by a process that is gone (killed with -9, a crash, a closed laptop) was interrupted:
   * say so now, and write it with this process' next save.
   */
  private settleDead(at = new Date()): void {
    for (const [id, ch] of Object.entries(this.data.chapters)) {
      if (ch.status !== 'running' || ch.pid === process.pid) continue;
      if (ch.pid !== undefined && alive(ch.pid)) continue;
      this.finishChapter(id, 'interrupted', at);
      delete this.data.chapters[id]!.pid;
    }
  }

  startChapter(id: string, mode: 'run' | 'verify', at = new Date()): ChapterProgress {
    const prev = this.data.chapters[id];
    const ch: ChapterProgress = {
      status: 'running',
      mode,
      pid: process.pid,
      startedAt: at.toISOString(),
      // a verify keeps the record of steps already run
      steps: mode === 'verify' && prev ? prev.steps : {},
      checks: {},
    };
    this.data.chapters[id] = ch;
    this.touchedChapters.add(id);
    return ch;
  }

  record(chapterId: string, kind: 'steps' | 'checks', itemId: string, item: ItemProgress): void {
    const ch = this.data.chapters[chapterId];
    if (ch) ch[kind][itemId] = item;
    this.touchedChapters.add(chapterId);
  }

  finishChapter(id: string, status: ChapterState, at = new Date()): void {
    const ch = this.data.chapters[id];
    if (!ch) return;
    this.touchedChapters.add(id);
    ch.status = status;
    delete ch.pid;
    ch.finishedAt = at.toISOString();
    ch.durationMs = at.getTime() - Date.parse(ch.startedAt);
  }

  /** Mark what this process is still running as interrupted (Ctrl-C); another process' running chapter is its own. */
  interruptRunning(at = new Date()): boolean {
    let changed = false;
    for (const [id, ch] of Object.entries(this.data.chapters)) {
      if (ch.status === 'running' && this.touchedChapters.has(id)) {
        this.finishChapter(id, 'interrupted', at);
        changed = true;
      }
    }
    return changed;
  }

  /** Forget progress: the old file is kept as a backup. Facts (e.g. which cluster we created) are kept too. */
  async reset(now = new Date()): Promise<string | undefined> {
    let backup: string | undefined;
    try {
      await access(this.file);
      backup = `${this.file}.bak-${now.toISOString().replace(/[:.]/g, '-')}`;
      await rename(this.file, backup);
    } catch {
      backup = undefined;
    }
    this.data = { ...empty(), facts: this.data.facts };
    this.replaceAll = true;
    await this.save();
    return backup;
  }
}
