// The embedded lab's programs, when the learner names none: the pinned release archive for this OS/arch
// (manifests/versions.yaml, `embedded`), downloaded once, its SHA-256 checked before anything is unpacked, and
// the program kept under <state-dir>/bin/.
//
// Who vouches for the archive:
// - a SHA-256 pinned in versions.yaml, when there is one: it must match, wherever the archive came from;
// - else the release's own checksum file, fetched from the address versions.yaml names (https), never from a
//   mirror, and only through https redirects: whoever serves the archive cannot also vouch for it.
// So with a classroom mirror (WORKBOOK_RELEASES_MIRROR) an archive without a pinned SHA-256 is refused before it is
// downloaded. The archive is streamed to disk, hashed as it comes, and cut off past the release's size cap
// (`maxMiB`) or when the server sends nothing for 30 s; a partial download never outlives the call (its folder is
// removed on any failure or abort, and a later call removes what a killed one left).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { UsageError, WorkbookError } from '../core/errors.js';
import { z } from 'zod';
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

/** A classroom's mirror of the release pages (WORKBOOK_RELEASES_MIRROR=http://host:port): `https://github.com` is replaced by it. */
const mirrored = (url: string, mirror: string | undefined) => (mirror ? url.replace(/^https:\/\/github\.com/, mirror.replace(/\/+$/, '')) : url);

/** What to do instead of a download, for every line that says one failed. */
export const giveItYourself = (name: string) =>
  `give the program yourself: --${name}-bin PATH, or WORKBOOK_${name.toUpperCase()}_BIN=PATH, or ${name}-bin: PATH in workbook.config.yaml`;

export interface FetchOptions {
  /** <state-dir>/bin */
  cacheDir: string;
  platform?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Ctrl-C: the download stops and leaves nothing */
  signal?: AbortSignal;
  /** a server silent this long is an error naming it (default 30 s) */
  idleMs?: number;
}

const DEFAULT_MAX_MIB = 512;
const MAX_REDIRECTS = 5;

interface GetOptions {
  what: string;
  /** how the learner gets it without this download, said after every refusal */
  yourself: string;
  /** redirects only to https (the checksum file: its address is the trust) */
  httpsOnly: boolean;
  idleMs: number;
  signal?: AbortSignal;
}

/** A watchdog: aborts when `kick` is not called for `ms`, or when the caller's signal aborts. */
function watchdog(ms: number, outer?: AbortSignal) {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let idle = false;
  const kick = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      ctl.abort();
    }, ms);
  };
  const onAbort = () => ctl.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  kick();
  return { signal: ctl.signal, kick, idle: () => idle, stop: () => (clearTimeout(timer), outer?.removeEventListener('abort', onAbort)) };
}

/** GET with redirects followed by hand (each one checked), and a watchdog on silence. */
async function get(url: string, o: GetOptions): Promise<{ res: Response; dog: ReturnType<typeof watchdog> }> {
  const dog = watchdog(o.idleMs, o.signal);
  let at = url;
  try {
    for (let hop = 0; ; hop++) {
      const res = await fetch(at, { redirect: 'manual', signal: dog.signal });
      dog.kick();
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel().catch(() => {});
        if (hop >= MAX_REDIRECTS) throw new UsageError(`cannot download ${o.what} from ${url}: more than ${MAX_REDIRECTS} redirects; ${o.yourself}`);
        const next = new URL(res.headers.get('location')!, at);
        if (o.httpsOnly && next.protocol !== 'https:') throw new UsageError(`refusing ${o.what}: ${at} redirects to ${next.href}, which is not https; ${o.yourself}`);
        at = next.href;
        continue;
      }
      if (!res.ok) throw new UsageError(`cannot download ${o.what} from ${at}: HTTP ${res.status}; ${o.yourself}`);
      return { res, dog };
    }
  } catch (err) {
    dog.stop();
    if (err instanceof UsageError) throw err;
    if (o.signal?.aborted) throw new UsageError(`the download of ${o.what} was interrupted: nothing was kept`);
    if (dog.idle()) throw new UsageError(`cannot download ${o.what}: ${new URL(at).host} sent nothing for ${Math.round(o.idleMs / 1000)} s; ${o.yourself}`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new UsageError(`cannot download ${o.what} from ${at}: ${cause?.code ?? cause?.message ?? (err as Error).message}; ${o.yourself}`);
  }
}

/** Stream a response into `file`, hashing as it comes; refused past `maxBytes`. Returns the SHA-256. */
async function streamTo(res: Response, dog: ReturnType<typeof watchdog>, file: string, maxBytes: number, o: GetOptions & { url: string; /** what sets the bound, said when it is passed */ bound?: string }): Promise<string> {
  const bound = o.bound ?? `the ${maxBytes / 1024 / 1024} MiB manifests/versions.yaml allows`;
  const h = createHash('sha256');
  const out = await open(file, 'w', 0o600);
  let size = 0;
  try {
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) throw new UsageError(`refusing ${o.what}: ${o.url} says it is ${declared} bytes, more than ${bound}`);
    if (!res.body) return h.digest('hex');
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        dog.kick();
        size += value.length;
        if (size > maxBytes) throw new UsageError(`refusing ${o.what}: ${o.url} sent more than ${bound}`);
        h.update(value);
        await out.write(value);
      }
    } catch (err) {
      await reader.cancel().catch(() => {});
      if (err instanceof UsageError) throw err;
      if (o.signal?.aborted) throw new UsageError(`the download of ${o.what} was interrupted: nothing was kept`);
      if (dog.idle()) throw new UsageError(`cannot download ${o.what}: ${new URL(o.url).host} sent nothing for ${Math.round(o.idleMs / 1000)} s (after ${size} bytes); ${o.yourself}`);
      throw new UsageError(`cannot download ${o.what} from ${o.url}: ${(err as Error).message}; ${o.yourself}`);
    }
    return h.digest('hex');
  } finally {
    dog.stop();
    await out.close();
  }
}

/** A text body of at most `max` bytes (a checksum file). */
async function smallText(res: Response, dog: ReturnType<typeof watchdog>, max: number, what: string): Promise<string> {
  try {
    const parts: Uint8Array[] = [];
    let size = 0;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      dog.kick();
      size += value.length;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw new UsageError(`refusing ${what}: more than ${max / 1024} KiB, which no checksum file is`);
      }
      parts.push(value);
    }
    return Buffer.concat(parts).toString('utf8');
  } finally {
    dog.stop();
  }
}

/** Work folders a killed download left in the cache (a later call removes them: the lab's lock is held meanwhile). */
function removeLeftovers(cacheDir: string, name: string): void {
  if (!existsSync(cacheDir)) return;
  for (const f of readdirSync(cacheDir)) if (f.startsWith(`.${name}-`)) rmSync(join(cacheDir, f), { recursive: true, force: true });
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

  const pinned = r.sha256?.[plat];
  const mirror = env.WORKBOOK_RELEASES_MIRROR || undefined;
  const url = mirrored(fill(r.url, plat), mirror);
  const archiveName = basename(new URL(fill(r.url, plat)).pathname);
  if (mirror && !pinned) {
    throw new UsageError(`refusing to take ${name} ${r.version} from the mirror ${mirror}: no SHA-256 is pinned for ${plat} in manifests/versions.yaml, and a mirror cannot vouch for its own archive; ${giveItYourself(name)}`);
  }
  const what = `${name} ${r.version}`;
  const common = { yourself: giveItYourself(name), idleMs: o.idleMs ?? 30_000, ...(o.signal ? { signal: o.signal } : {}) };
  mkdirSync(o.cacheDir, { recursive: true });
  if (!statSync(o.cacheDir).isDirectory()) throw new UsageError(`${o.cacheDir} is not a folder`);
  removeLeftovers(o.cacheDir, name);
  const work = mkdtempSync(join(o.cacheDir, `.${name}-`));
  try {
    // the checksum first, from the release's own address: a refused one costs no download
    let expected: string;
    let source: string;
    if (pinned) {
      expected = pinned;
      source = 'manifests/versions.yaml';
    } else {
      const sums = await get(r.checksums, { ...common, what: `${what}'s checksums`, httpsOnly: true });
      const text = await smallText(sums.res, sums.dog, 256 * 1024, `${what}'s checksums`);
      const line = text.split('\n').map((l) => l.trim().split(/\s+\*?/)).find(([, f]) => f === archiveName);
      if (!line?.[0] || !/^[0-9a-f]{64}$/i.test(line[0])) throw new UsageError(`refusing ${archiveName}: the release's checksum file (${r.checksums}) does not list it`);
      expected = line[0].toLowerCase();
      source = `the release's ${basename(new URL(r.checksums).pathname)} (no checksum is pinned for ${plat} in manifests/versions.yaml)`;
    }
    o.log?.(`downloading ${url}`);
    const archive = join(work, archiveName);
    const got = await get(url, { ...common, what, httpsOnly: !pinned });
    const actual = await streamTo(got.res, got.dog, archive, (r.maxMiB ?? DEFAULT_MAX_MIB) * 1024 * 1024, { ...common, what, httpsOnly: !pinned, url });
    if (actual !== expected) throw new UsageError(`refusing ${archiveName}: its SHA-256 is ${actual}, but ${source} says ${expected}`);
    o.log?.(`SHA-256 ${actual} matches ${source}`);
    const tar = await import('tar');
    const inside = fill(r.binary, plat);
    const out = join(work, 'x');
    mkdirSync(out);
    try {
      await tar.x({ file: archive, cwd: out, filter: (p) => p.replace(/^\.\//, '') === inside });
    } catch (err) {
      throw new UsageError(`refusing ${archiveName}: not a tar.gz archive (${(err as Error).message.split('\n')[0]})`);
    }
    const unpacked = join(out, inside);
    if (!existsSync(unpacked) || !statSync(unpacked).isFile()) throw new UsageError(`refusing ${archiveName}: it holds no ${inside}`);
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

/** One jar of a pinned set (manifests/current/kafka-*.jars.tsv): where Maven Central keeps it, and its checksums. */
export const JarRowSchema = z.object({
  group: z.string().regex(/^[\w.-]+$/),
  artifact: z.string().regex(/^[\w.-]+$/),
  version: z.string().regex(/^[\w.+-]+$/),
  bytes: z.coerce.number().int().positive(),
  sha1: z.string().regex(/^[0-9a-f]{40}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type JarRow = z.infer<typeof JarRowSchema>;

/** The pinned set: one tab-separated row a jar, `#` lines are comments. A row that is not one is the file's error. */
export function readJarSet(file: string, text: string): JarRow[] {
  const rows: JarRow[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const [group, artifact, version, bytes, sha1, sha256, ...rest] = line.split('\t');
    const r = JarRowSchema.safeParse({ group, artifact, version, bytes, sha1, sha256 });
    if (!r.success || rest.length) throw new WorkbookError(`${file}:${i + 1}: not a row of group, artifact, version, bytes, sha1, sha256`);
    rows.push(r.data);
  });
  if (!rows.length) throw new WorkbookError(`${file}: no jar listed`);
  return rows;
}

export const MAVEN_CENTRAL = 'https://repo1.maven.org/maven2';
export const jarName = (j: JarRow) => `${j.artifact}-${j.version}.jar`;
/** Maven's repository layout: group dots become folders. */
export const jarUrl = (j: JarRow, base = MAVEN_CENTRAL) => `${base.replace(/\/+$/, '')}/${j.group.replaceAll('.', '/')}/${j.artifact}/${j.version}/${jarName(j)}`;

/**
 * A pinned set of jars in the cache (`<cacheDir>/<name>`): taken as it is when complete, else each jar downloaded
 * from Maven Central (or WORKBOOK_MAVEN_MIRROR: every jar is pinned, so a mirror cannot change one), its SHA-256
 * checked against the set, and the folder put in place whole or not at all.
 */
export async function fetchJars(name: string, jars: readonly JarRow[], o: FetchOptions & { /** how to give the jars without the download */ yourself: string }): Promise<string> {
  const dir = join(o.cacheDir, name);
  if (existsSync(join(dir, '.complete'))) return dir;
  const base = (o.env ?? process.env).WORKBOOK_MAVEN_MIRROR || MAVEN_CENTRAL;
  const common = { yourself: o.yourself, idleMs: o.idleMs ?? 30_000, ...(o.signal ? { signal: o.signal } : {}) };
  mkdirSync(o.cacheDir, { recursive: true });
  if (!statSync(o.cacheDir).isDirectory()) throw new UsageError(`${o.cacheDir} is not a folder`);
  removeLeftovers(o.cacheDir, name);
  const work = mkdtempSync(join(o.cacheDir, `.${name}-`));
  try {
    o.log?.(`downloading ${jars.length} jars of ${name} from ${base} (${Math.round(jars.reduce((n, j) => n + j.bytes, 0) / 1024 / 1024)} MiB)`);
    for (const j of jars) {
      const url = jarUrl(j, base);
      const what = `${name}'s ${jarName(j)}`;
      const got = await get(url, { ...common, what, httpsOnly: false });
      // a jar is its pinned size: a longer answer is refused as it comes
      const actual = await streamTo(got.res, got.dog, join(work, jarName(j)), j.bytes, { ...common, what, httpsOnly: false, url, bound: `its pinned ${j.bytes} bytes` });
      if (actual !== j.sha256) throw new UsageError(`refusing ${jarName(j)} from ${url}: its SHA-256 is ${actual}, but manifests pin ${j.sha256}`);
    }
    writeFileSync(join(work, '.complete'), `${jars.length} jars, each checked against its pinned SHA-256\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    o.log?.(`${jars.length} jars checked, in ${dir}`);
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
