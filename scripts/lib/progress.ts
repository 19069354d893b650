import { constants } from 'node:fs';
import { access, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { mkdirp } from './files.js';
import { join } from 'node:path';
import { UsageError, WorkbookError } from './errors.js';

export type ItemStatus = 'passed' | 'failed' | 'skipped' | 'warned';

export interface ItemProgress {
  status: ItemStatus;
  at: string;
  durationMs: number;
  evidence?: string;
}

export interface ChapterProgress {
  status: 'running' | 'passed' | 'failed' | 'interrupted';
  mode: 'run' | 'verify';
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  steps: Record<string, ItemProgress>;
  checks: Record<string, ItemProgress>;
}

export interface ProgressData {
  version: 1;
  updatedAt: string;
  /** Facts the workbook must remember: which cluster it created (teardown deletes only that one). */
  facts: Record<string, unknown>;
  chapters: Record<string, ChapterProgress>;
}

export const PROGRESS_FILE = 'progress.json';

function empty(): ProgressData {
  return { version: 1, updatedAt: new Date(0).toISOString(), facts: {}, chapters: {} };
}

function isProgress(v: unknown): v is ProgressData {
  const p = v as ProgressData;
  return !!p && typeof p === 'object' && p.version === 1 && typeof p.chapters === 'object' && p.chapters !== null && typeof p.facts === 'object' && p.facts !== null;
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
      raw = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
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
    if (isProgress(parsed)) return new ProgressStore(dir, parsed);
    const backup = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    await rename(file, backup);
    const store = new ProgressStore(dir, empty());
    store.notice = `progress file ${file} was unreadable; kept it as ${backup} and started fresh`;
    return store;
  }

  /** Fail early, with exit 2, when progress could not be saved. */
  static async ensureWritable(dir: string): Promise<void> {
    try {
      await mkdirp(dir);
      await access(dir, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new UsageError(`progress folder ${dir} is not writable (${code}); choose another with --state-dir`);
    }
  }

  private saving: Promise<void> = Promise.resolve();
  private writes = 0;

  /** Saves are queued: overlapping work (--fast) never has two renames race over one file. */
  save(): Promise<void> {
    const next = this.saving.catch(() => {}).then(() => this.writeNow());
    this.saving = next;
    return next;
  }

  private async writeNow(): Promise<void> {
    this.data.updatedAt = new Date().toISOString();
    await mkdirp(this.dir);
    const tmp = `${this.file}.${process.pid}.${++this.writes}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(this.data, null, 2) + '\n', { mode: 0o644 });
      await rename(tmp, this.file);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw new WorkbookError(`cannot save progress to ${this.file}: ${(err as Error).message}`, { exitCode: 2 });
    }
  }

  startChapter(id: string, mode: 'run' | 'verify', at = new Date()): ChapterProgress {
    const prev = this.data.chapters[id];
    const ch: ChapterProgress = {
      status: 'running',
      mode,
      startedAt: at.toISOString(),
      // a verify keeps the record of steps already run
      steps: mode === 'verify' && prev ? prev.steps : {},
      checks: {},
    };
    this.data.chapters[id] = ch;
    return ch;
  }

  record(chapterId: string, kind: 'steps' | 'checks', itemId: string, item: ItemProgress): void {
    const ch = this.data.chapters[chapterId];
    if (ch) ch[kind][itemId] = item;
  }

  finishChapter(id: string, status: 'passed' | 'failed' | 'interrupted', at = new Date()): void {
    const ch = this.data.chapters[id];
    if (!ch) return;
    ch.status = status;
    ch.finishedAt = at.toISOString();
    ch.durationMs = at.getTime() - Date.parse(ch.startedAt);
  }

  /** Mark whatever is still running as interrupted (Ctrl-C). */
  interruptRunning(at = new Date()): boolean {
    let changed = false;
    for (const [id, ch] of Object.entries(this.data.chapters)) {
      if (ch.status === 'running') {
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
    await this.save();
    return backup;
  }
}
