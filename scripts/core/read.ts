// Reading the files the workbook needs (settings, progress, lessons, versions), bounded: each must be a regular
// file of sane size. `--config /dev/zero` once grew to 16.8 GB and crashed; now it is one line.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Files the workbook reads are small; a larger one (or not a regular file: /dev/zero, a FIFO) is refused with one line. */
export const MAX_READ_BYTES = 4 * 1024 * 1024;

/** Read a text file the workbook needs (settings, progress, lessons, overlays), bounded: a regular file of at most `max` bytes. */
const notRegular = (file: string) => Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOTREG' });
const tooBig = (file: string, size: number, max: number) => Object.assign(new Error(`${file} is ${size} bytes, more than the ${max / 1024 / 1024} MiB a workbook file may have`), { code: 'ETOOBIG' });
const grew = (file: string, max: number) => Object.assign(new Error(`${file} grew past ${max / 1024 / 1024} MiB while it was read`), { code: 'ETOOBIG' });

export async function readBounded(file: string, max = MAX_READ_BYTES): Promise<string> {
  const st = await stat(file);
  if (!st.isFile()) throw notRegular(file);
  if (st.size > max) throw tooBig(file, st.size, max);
  const h = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(Math.min(st.size, max) + 1);
    const { bytesRead } = await h.read(buf, 0, buf.length, 0);
    if (bytesRead > max) throw grew(file, max);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await h.close();
  }
}

/** The same, synchronously (settings are resolved before anything else runs). */
export function readBoundedSync(file: string, max = MAX_READ_BYTES): string {
  // stat before open: opening a FIFO would wait for a writer
  if (!statSync(file).isFile()) throw notRegular(file);
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(file);
    if (st.size > max) throw tooBig(file, st.size, max);
    const buf = Buffer.alloc(st.size + 1);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n > max) throw grew(file, max);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** A file's SHA-256 (hex), read as a stream: release archives and a classroom bundle's files are large. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}
