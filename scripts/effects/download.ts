// The embedded lab's programs, when the learner names none: the pinned release archive for this OS/arch
// (manifests/versions.yaml, `embedded`), downloaded once, its SHA-256 checked before anything is unpacked, and
// the program kept under <state-dir>/bin/. A pinned checksum must match; where none is pinned yet, the release's own
// checksum file is asked, and the learner is told so. Anything else (no archive for this platform, a mismatch, a
// checksum file without the archive) is refused in one line, and nothing is kept.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { sha256File } from '../core/read.js';
import type { Release } from '../core/model.js';

/** Go's names for this machine (as release archives use them). */
export function platformOf(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform;
  const a = arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
  return `${os}/${a}`;
}

const fill = (t: string, plat: string) => {
  const [os, arch] = plat.split('/') as [string, string];
  return t.replaceAll('{os}', os).replaceAll('{arch}', arch);
};

/**
 * A classroom's mirror of the release pages (WORKBOOK_RELEASES_MIRROR=http://host:port): `https://github.com` is
 * replaced by it; the checksums stay the same, so a mirror cannot hand out another program.
 */
const mirrored = (url: string, env: NodeJS.ProcessEnv) => (env.WORKBOOK_RELEASES_MIRROR ? url.replace(/^https:\/\/github\.com/, env.WORKBOOK_RELEASES_MIRROR.replace(/\/+$/, '')) : url);

export interface FetchOptions {
  /** <state-dir>/bin */
  cacheDir: string;
  platform?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

async function get(url: string, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(600_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new UsageError(`cannot download ${what} from ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok) throw new UsageError(`cannot download ${what} from ${url}: HTTP ${res.status}`);
  return res;
}

/** The program for this platform: from the cache, or downloaded, checked and unpacked into it. */
export async function fetchBinary(name: string, r: Release, o: FetchOptions): Promise<string> {
  const plat = o.platform ?? platformOf();
  const env = o.env ?? process.env;
  if (!r.platforms.includes(plat)) {
    throw new UsageError(`${name} ${r.version} has no release archive for ${plat} (there are: ${r.platforms.join(', ')}): give --${name}-bin PATH to a ${name} built for this machine`);
  }
  const dir = join(o.cacheDir, `${name}-${r.version}-${plat.replace('/', '-')}`);
  const target = join(dir, basename(fill(r.binary, plat)));
  if (existsSync(target) && existsSync(join(dir, 'archive.sha256'))) return target;

  const url = mirrored(fill(r.url, plat), env);
  const archiveName = basename(new URL(fill(r.url, plat)).pathname);
  mkdirSync(o.cacheDir, { recursive: true });
  const work = mkdtempSync(join(o.cacheDir, `.${name}-`));
  try {
    o.log?.(`downloading ${url}`);
    const res = await get(url, `${name} ${r.version}`);
    const archive = join(work, archiveName);
    writeFileSync(archive, Buffer.from(await res.arrayBuffer()));
    const actual = await sha256File(archive);
    const pinned = r.sha256?.[plat];
    let expected: string;
    let source: string;
    if (pinned) {
      expected = pinned;
      source = 'manifests/versions.yaml';
    } else {
      const sumsUrl = mirrored(r.checksums, env);
      const sums = await (await get(sumsUrl, `${name} ${r.version}'s checksums`)).text();
      const line = sums.split('\n').map((l) => l.trim().split(/\s+\*?/)).find(([, f]) => f === archiveName);
      if (!line?.[0] || !/^[0-9a-f]{64}$/i.test(line[0])) throw new UsageError(`refusing ${archiveName}: the release's checksum file (${sumsUrl}) does not list it`);
      expected = line[0].toLowerCase();
      source = `the release's ${basename(new URL(r.checksums).pathname)} (no checksum is pinned for ${plat} in manifests/versions.yaml)`;
    }
    if (actual !== expected) throw new UsageError(`refusing ${archiveName}: its SHA-256 is ${actual}, but ${source} says ${expected}`);
    o.log?.(`SHA-256 ${actual} matches ${source}`);
    const tar = await import('tar');
    const inside = fill(r.binary, plat);
    const out = join(work, 'x');
    mkdirSync(out);
    await tar.x({ file: archive, cwd: out, filter: (p) => p.replace(/^\.\//, '') === inside });
    const unpacked = join(out, inside);
    if (!existsSync(unpacked)) throw new UsageError(`refusing ${archiveName}: it holds no ${inside}`);
    chmodSync(unpacked, 0o755);
    // into the cache whole or not at all
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dirname(dir), { recursive: true });
    mkdirSync(join(work, 'keep'));
    renameSync(unpacked, join(work, 'keep', basename(inside)));
    writeFileSync(join(work, 'keep', 'archive.sha256'), `${actual}  ${archiveName}\n`);
    renameSync(join(work, 'keep'), dir);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** What a cached program was checked against (for `lab status`, and tests). */
export function cachedChecksum(program: string): string | undefined {
  try {
    return readFileSync(join(dirname(program), 'archive.sha256'), 'utf8').split(/\s+/)[0];
  } catch {
    return undefined;
  }
}
