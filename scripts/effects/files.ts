import { lstat, mkdir, open, readlink, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
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

/**
 * Write a report where the learner pointed: a regular file (or a new one) is replaced whole, atomically; a
 * symlink is followed and its target replaced (the link stays a link); a device, a FIFO or a socket is written in
 * place (`--json /dev/stdout`, a named pipe), never replaced by a regular file.
 */
export async function writeReport(file: string, text: string): Promise<void> {
  const link = await lstat(file).catch(() => undefined);
  const target = link?.isSymbolicLink() ? await realpath(file).catch(() => undefined) : file;
  if (target === undefined) {
    // a dangling link: create its target, as `>` in a shell would
    return writeAtomic(resolve(dirname(file), await readlink(file)), text);
  }
  const st = await stat(target).catch(() => undefined);
  if (st && !st.isFile()) {
    if (st.isDirectory()) throw Object.assign(new Error(`${target} is a folder`), { code: 'EISDIR' });
    const h = await open(target, constants.O_WRONLY | constants.O_APPEND);
    try {
      await h.writeFile(text);
    } finally {
      await h.close();
    }
    return;
  }
  await writeAtomic(target, text);
}

