import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tempo-workbook') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the tempo-workbook folder above ' + start);
    dir = up;
  }
}

/** The repository root, whether we run from `dist/` or from sources under vitest. */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const MANIFESTS = join(ROOT, 'manifests');
export const CHAPTERS = join(ROOT, 'chapters');

/** Paths inside the repo are shown (and passed to tools, which run with cwd=ROOT) relative to it. */
export function repoRelative(p: string): string {
  if (!isAbsolute(p)) return p;
  const r = relative(ROOT, p);
  return r.startsWith('..') ? p : r;
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
