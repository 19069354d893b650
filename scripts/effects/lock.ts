// One lock file with its holder's PID, for what only one process may do at a time: save progress, serve a board
// from one folder, start or stop the embedded lab, send the outbox. A lock whose holder is gone is taken over; one
// that stays held past the wait is one line naming the holder and the file.
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { WorkbookError } from '../core/errors.js';
import { alive } from './process.js';

export interface LockOptions {
  /** what the lock guards, for the one line: "the embedded lab", "the board's folder" */
  what: string;
  /** how long to wait for a live holder (0: not at all) */
  waitMs: number;
  /** a lock older than this is stale even if its PID is alive (a reused PID); none: only a dead holder is stale */
  staleMs?: number;
}

export class LockHeld extends WorkbookError {
  constructor(
    readonly holder: number,
    message: string,
  ) {
    super(message, { exitCode: 2, final: true });
  }
}

/** Take the lock (waiting as told); returns the function that gives it back. */
export async function takeLock(file: string, o: LockOptions): Promise<() => Promise<void>> {
  const deadline = Date.now() + o.waitMs;
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return async () => {
        // only our own lock is removed (a holder that took over a stale one keeps its own)
        if (Number(await readFile(file, 'utf8').catch(() => '')) === process.pid) await unlink(file).catch(() => {});
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new WorkbookError(`cannot take the lock of ${o.what} (${file}): ${code ?? (err as Error).message}`, { exitCode: 2, final: true });
      const st = await stat(file).catch(() => undefined);
      if (!st) continue; // gone meanwhile: try again
      if (!st.isFile()) throw new WorkbookError(`${file} (the lock of ${o.what}) is not a regular file: remove it`, { exitCode: 2, final: true });
      const holder = Number(await readFile(file, 'utf8').catch(() => ''));
      // a lock file still empty and young is being written by its holder: not stale
      const young = Date.now() - st.mtimeMs < 2_000;
      const dead = holder > 0 ? !alive(holder) : !young;
      if (dead || (o.staleMs !== undefined && Date.now() - st.mtimeMs > o.staleMs)) {
        await unlink(file).catch(() => {});
        continue;
      }
      if (Date.now() >= deadline) throw new LockHeld(holder, `${o.what} is in use by process ${holder || '(starting)'}; if no workbook is running, delete ${file}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Hold the lock while `fn` runs. */
export async function withLock<T>(file: string, o: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await takeLock(file, o);
  try {
    return await fn();
  } finally {
    await release();
  }
}
