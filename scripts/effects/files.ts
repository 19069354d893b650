import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdir spins forever on some special file systems
 * (`/proc/x`: procfs answers ENOENT to the create, and the recursion keeps retrying); here any error but EEXIST
 * ends it.
 */
export async function mkdirp(dir: string): Promise<void> {
  const parts: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    parts.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of parts) {
    try {
      await mkdir(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!(await stat(d)).isDirectory()) throw Object.assign(new Error(`${d} is not a folder`), { code: 'ENOTDIR' });
    }
  }
}

/** Replace a file whole: write a temp file beside it, then rename; the temp file never outlives a failure. */
export async function writeAtomic(file: string, text: string, mode = 0o644): Promise<void> {
  await mkdirp(dirname(file));
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await writeFile(tmp, text, { mode });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
