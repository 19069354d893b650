// The embedded lab's downloads (scripts/effects/download.ts) against a release page served on 127.0.0.1: the archive
// is checked against the release's checksum file or a pinned SHA-256 before anything is unpacked; a mismatch, an
// unlisted archive or a platform without an archive is refused in one line and nothing is kept. The archives are
// built here with the same layout as the real ones (grafana/tempo@v2.2.2:.goreleaser.yml: the binary at the top;
// Prometheus: under prometheus-<version>.<os>-<arch>/), holding a small script instead of the real program.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tar from 'tar';
import { fetchBinary, platformOf } from '../../scripts/effects/download.js';
import type { Release } from '../../scripts/core/model.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { UsageError } from '../../scripts/core/errors.js';

const work = mkdtempSync(join(tmpdir(), 'wb-dl-'));
const files = new Map<string, Buffer>();
const hits: string[] = [];
const routes = new Map<string, (res: import('node:http').ServerResponse) => void>();
let server: Server;
let base = '';

/** A tar.gz holding `inside` (a script that prints `says`), its bytes and SHA-256. */
async function archive(inside: string, says: string): Promise<{ bytes: Buffer; sha: string }> {
  const src = mkdtempSync(join(work, 'src-'));
  mkdirSync(join(src, inside, '..'), { recursive: true });
  writeFileSync(join(src, inside), `#!/bin/sh\necho ${says}\n`);
  chmodSync(join(src, inside), 0o755);
  const out = join(src, 'a.tar.gz');
  await tar.c({ gzip: true, file: out, cwd: src }, [inside]);
  const bytes = readFileSync(out);
  return { bytes, sha: createHash('sha256').update(bytes).digest('hex') };
}

/** The release as versions.yaml would name it, at the local server (the release's own address, here http on loopback). */
const release = (over: Partial<Release> = {}): Release => ({
  version: '2.2.2',
  url: `${base}/grafana/tempo/releases/download/v2.2.2/tempo_2.2.2_{os}_{arch}.tar.gz`,
  checksums: `${base}/grafana/tempo/releases/download/v2.2.2/SHA256SUMS`,
  binary: 'tempo',
  platforms: ['linux/amd64', 'linux/arm64', 'darwin/arm64'],
  ...over,
});
/** The release as versions.yaml names it (github.com), served through a mirror. */
const viaMirror = (over: Partial<Release> = {}): Release => ({
  ...release(),
  url: 'https://github.com/grafana/tempo/releases/download/v2.2.2/tempo_2.2.2_{os}_{arch}.tar.gz',
  checksums: 'https://github.com/grafana/tempo/releases/download/v2.2.2/SHA256SUMS',
  ...over,
});
const env = () => ({ WORKBOOK_RELEASES_MIRROR: base });
const noMirror = {};
let good: { bytes: Buffer; sha: string };
let promSha = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url!);
    const special = routes.get(req.url!);
    if (special) return special(res);
    const body = files.get(req.url!);
    if (!body) return void res.writeHead(404).end('Not Found');
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  good = await archive('tempo', 'tempo-2.2.2');
  const other = await archive('tempo', 'tampered');
  files.set('/grafana/tempo/releases/download/v2.2.2/tempo_2.2.2_linux_amd64.tar.gz', good.bytes);
  files.set('/grafana/tempo/releases/download/v2.2.2/tempo_2.2.2_linux_arm64.tar.gz', other.bytes);
  files.set('/grafana/tempo/releases/download/v2.2.2/SHA256SUMS', Buffer.from(`${good.sha}  tempo_2.2.2_linux_amd64.tar.gz\n${good.sha}  tempo_2.2.2_linux_arm64.tar.gz\n`));
  const prom = await archive('prometheus-2.47.0.linux-amd64/prometheus', 'prometheus-2.47.0');
  promSha = prom.sha;
  files.set('/prometheus/prometheus/releases/download/v2.47.0/prometheus-2.47.0.linux-amd64.tar.gz', prom.bytes);
  files.set('/prometheus/prometheus/releases/download/v2.47.0/sha256sums.txt', Buffer.from(`0000000000000000000000000000000000000000000000000000000000000000  prometheus-2.47.0.darwin-arm64.tar.gz\n${prom.sha}  prometheus-2.47.0.linux-amd64.tar.gz\n`));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

describe('downloading the embedded lab\'s programs', () => {
  it('names the platform in Go\'s words', () => {
    expect(platformOf('linux', 'x64')).toBe('linux/amd64');
    expect(platformOf('darwin', 'arm64')).toBe('darwin/arm64');
    expect(platformOf('win32', 'x64')).toBe('windows/amd64');
  });

  it('checks the archive against the release\'s checksum file when none is pinned, keeps the program, and reuses it', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const log: string[] = [];
    const bin = await fetchBinary('tempo', release(), { cacheDir, platform: 'linux/amd64', env: noMirror, log: (l) => log.push(l) });
    expect(bin).toBe(join(cacheDir, 'tempo-2.2.2-linux-amd64', 'tempo'));
    expect(execFileSync(bin).toString().trim()).toBe('tempo-2.2.2');
    expect(log).toEqual([
      `downloading ${base}/grafana/tempo/releases/download/v2.2.2/tempo_2.2.2_linux_amd64.tar.gz`,
      `SHA-256 ${good.sha} matches the release's SHA256SUMS (no checksum is pinned for linux/amd64 in manifests/versions.yaml)`,
    ]);
    const before = hits.length;
    expect(await fetchBinary('tempo', release(), { cacheDir, platform: 'linux/amd64', env: noMirror })).toBe(bin);
    expect(hits.length).toBe(before);
  });

  it('a pinned checksum wins, and a mismatch with it is refused in one line, nothing kept', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const pinned = viaMirror({ sha256: { 'linux/amd64': 'a'.repeat(64) } });
    const err = await fetchBinary('tempo', pinned, { cacheDir, platform: 'linux/amd64', env: env() }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(`refusing tempo_2.2.2_linux_amd64.tar.gz: its SHA-256 is ${good.sha}, but manifests/versions.yaml says ${'a'.repeat(64)}`);
    expect(readdirSync(cacheDir)).toEqual([]);
    // and the right pin passes without asking the release's file
    const before = hits.length;
    await fetchBinary('tempo', viaMirror({ sha256: { 'linux/amd64': good.sha } }), { cacheDir, platform: 'linux/amd64', env: env() });
    expect(hits.slice(before)).toEqual(['/grafana/tempo/releases/download/v2.2.2/tempo_2.2.2_linux_amd64.tar.gz']);
  });

  it('an archive that does not match the release\'s checksum file is refused, nothing kept', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const err = await fetchBinary('tempo', release(), { cacheDir, platform: 'linux/arm64', env: noMirror }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^refusing tempo_2\.2\.2_linux_arm64\.tar\.gz: its SHA-256 is [0-9a-f]{64}, but the release's SHA256SUMS \(no checksum is pinned for linux\/arm64 in manifests\/versions\.yaml\) says [0-9a-f]{64}$/);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('an archive the checksum file does not list, a platform without an archive, a missing archive: each one line', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    files.set('/x/releases/download/v1.0.0/x_1.0.0_linux_amd64.tar.gz', good.bytes);
    files.set('/x/releases/download/v1.0.0/SHA256SUMS', Buffer.from(`${good.sha}  something-else.tar.gz\n`));
    const unlisted = { version: '1.0.0', url: `${base}/x/releases/download/v1.0.0/x_1.0.0_{os}_{arch}.tar.gz`, checksums: `${base}/x/releases/download/v1.0.0/SHA256SUMS`, binary: 'tempo', platforms: ['linux/amd64'] };
    await expect(fetchBinary('tempo', unlisted, { cacheDir, platform: 'linux/amd64', env: noMirror })).rejects.toThrow(`refusing x_1.0.0_linux_amd64.tar.gz: the release's checksum file (${base}/x/releases/download/v1.0.0/SHA256SUMS) does not list it`);
    await expect(fetchBinary('tempo', release(), { cacheDir, platform: 'windows/arm64', env: noMirror })).rejects.toThrow('tempo 2.2.2 has no release archive for windows/arm64 (there are: linux/amd64, linux/arm64, darwin/arm64): give --tempo-bin PATH to a tempo built for this machine');
    await expect(fetchBinary('tempo', release({ sha256: { 'darwin/arm64': good.sha } }), { cacheDir, platform: 'darwin/arm64', env: noMirror })).rejects.toThrow(`cannot download tempo 2.2.2 from ${base}/grafana/tempo/releases/download/v2.2.2/tempo_2.2.2_darwin_arm64.tar.gz: HTTP 404; give the program yourself: --tempo-bin PATH, or WORKBOOK_TEMPO_BIN=PATH, or tempo-bin: PATH in workbook.config.yaml`);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('the profile\'s Prometheus release is pinned: through a mirror, an archive other than the release\'s is refused; the binary sits under its folder', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const r = getProfile('article').embedded!.prometheus;
    expect(r.sha256?.['linux/amd64']).toBe('277ad9f110ded8e326bc885848952941e839fa38dd3237e36415f0fa35a04424');
    // this test's archive is not the release's: the pin refuses it, even with the mirror's matching sha256sums.txt
    await expect(fetchBinary('prometheus', r, { cacheDir, platform: 'linux/amd64', env: env() })).rejects.toThrow(/^refusing prometheus-2\.47\.0\.linux-amd64\.tar\.gz: its SHA-256 is [0-9a-f]{64}, but manifests\/versions\.yaml says 277ad9f1/);
    const bin = await fetchBinary('prometheus', { ...r, sha256: { 'linux/amd64': promSha } }, { cacheDir, platform: 'linux/amd64', env: env() });
    expect(execFileSync(bin).toString().trim()).toBe('prometheus-2.47.0');
    expect(existsSync(join(cacheDir, 'prometheus-2.47.0-linux-amd64', 'archive.sha256'))).toBe(true);
  });

  it('a hostile mirror (a tampered archive with a matching SHA256SUMS) is refused before anything is downloaded', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const evil = await archive('tempo', 'evil');
    files.set('/grafana/tempo/releases/download/v2.2.2/tempo_2.2.2_darwin_arm64.tar.gz', evil.bytes);
    files.set('/grafana/tempo/releases/download/v2.2.2/SHA256SUMS', Buffer.from(`${evil.sha}  tempo_2.2.2_darwin_arm64.tar.gz\n${good.sha}  tempo_2.2.2_linux_amd64.tar.gz\n${good.sha}  tempo_2.2.2_linux_arm64.tar.gz\n`));
    const before = hits.length;
    await expect(fetchBinary('tempo', viaMirror(), { cacheDir, platform: 'darwin/arm64', env: env() })).rejects.toThrow(`refusing to take tempo 2.2.2 from the mirror ${base}: no SHA-256 is pinned for darwin/arm64 in manifests/versions.yaml, and a mirror cannot vouch for its own archive; give the program yourself: --tempo-bin PATH, or WORKBOOK_TEMPO_BIN=PATH, or tempo-bin: PATH in workbook.config.yaml`);
    expect(hits.length).toBe(before);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('a checksum file that redirects away from https is refused; a redirect loop is named', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    routes.set('/redir/SHA256SUMS', (res) => res.writeHead(302, { location: 'http://127.0.0.2:1/SHA256SUMS' }).end());
    await expect(fetchBinary('tempo', release({ checksums: `${base}/redir/SHA256SUMS` }), { cacheDir, platform: 'linux/amd64', env: noMirror })).rejects.toThrow(`refusing tempo 2.2.2's checksums: ${base}/redir/SHA256SUMS redirects to http://127.0.0.2:1/SHA256SUMS, which is not https`);
    routes.set('/loop?linuxamd64', (res) => res.writeHead(302, { location: '/loop?linuxamd64' }).end());
    await expect(fetchBinary('tempo', release({ url: `${base}/loop?{os}{arch}`, sha256: { 'linux/amd64': good.sha } }), { cacheDir, platform: 'linux/amd64', env: noMirror })).rejects.toThrow(`cannot download tempo 2.2.2 from ${base}/loop?linuxamd64: more than 5 redirects`);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('an endless archive is cut off at the size cap, holding little memory; a silent server is named; nothing is kept', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const chunk = Buffer.alloc(1024 * 1024, 7);
    let sent = 0;
    routes.set('/huge/tempo_linux_amd64.tar.gz', (res) => {
      res.writeHead(200);
      const more = () => {
        while (sent < 2 * 1024 ** 3 && res.write(chunk)) sent += chunk.length;
      };
      res.on('drain', more);
      more();
    });
    const rss = process.memoryUsage().rss;
    await expect(fetchBinary('tempo', release({ url: `${base}/huge/tempo_{os}_{arch}.tar.gz`, sha256: { 'linux/amd64': good.sha }, maxMiB: 64 }), { cacheDir, platform: 'linux/amd64', env: noMirror })).rejects.toThrow(`refusing tempo 2.2.2: ${base}/huge/tempo_linux_amd64.tar.gz sent more than the 64 MiB manifests/versions.yaml allows`);
    expect(sent).toBeLessThan(256 * 1024 ** 2);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 ** 2);
    routes.set('/silent/tempo_linux_amd64.tar.gz', () => {});
    await expect(fetchBinary('tempo', release({ url: `${base}/silent/tempo_{os}_{arch}.tar.gz`, sha256: { 'linux/amd64': good.sha } }), { cacheDir, platform: 'linux/amd64', env: noMirror, idleMs: 1000 })).rejects.toThrow('cannot download tempo 2.2.2: 127.0.0.1:' + new URL(base).port + ' sent nothing for 1 s; give the program yourself');
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('an archive that is not gzip is one line; a killed download\'s folder is removed by the next', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    mkdirSync(join(cacheDir, '.tempo-left'));
    const junk = Buffer.from('not an archive at all');
    files.set('/junk/tempo_linux_amd64.tar.gz', junk);
    const sha = createHash('sha256').update(junk).digest('hex');
    await expect(fetchBinary('tempo', release({ url: `${base}/junk/tempo_{os}_{arch}.tar.gz`, sha256: { 'linux/amd64': sha } }), { cacheDir, platform: 'linux/amd64', env: noMirror })).rejects.toThrow(/^refusing tempo_linux_amd64\.tar\.gz: (not a tar\.gz archive|it holds no tempo)/);
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});

describe('workbook lab up without a Tempo program (the CLI)', () => {
  it('lab up through a mirror, with no Tempo pinned: refused in one line that says what to do, nothing started', async () => {
    const world = new FakeWorld({ rules: {} });
    const d = mkdtempSync(join(work, 'state-'));
    try {
      const plat = platformOf();
      const e = world.env({ CI: 'true', WORKBOOK_RELEASES_MIRROR: base });
      delete e.WORKBOOK_TEMPO_BIN;
      const before = hits.length;
      const r = await runCli(['lab', 'up', '--state-dir', d], e);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`error: refusing to take tempo 2.2.2 from the mirror ${base}: no SHA-256 is pinned for ${plat} in manifests/versions.yaml, and a mirror cannot vouch for its own archive; give the program yourself: --tempo-bin PATH, or WORKBOOK_TEMPO_BIN=PATH, or tempo-bin: PATH in workbook.config.yaml`);
      expect(hits.length).toBe(before);
      expect(existsSync(join(d, 'lab', 'lab.json'))).toBe(false);
    } finally {
      world.cleanup();
    }
  });

  it('a program named in the settings file that is not there is named with where it came from', async () => {
    const world = new FakeWorld({ rules: {} });
    const d = mkdtempSync(join(work, 'state-'));
    try {
      const cfg = join(d, 'workbook.config.yaml');
      writeFileSync(cfg, 'tempo-bin: /nowhere/tempo\n');
      const e = world.env({ CI: 'true', WORKBOOK_CONFIG: cfg });
      delete e.WORKBOOK_TEMPO_BIN;
      const r = await runCli(['lab', 'up', '--state-dir', d], e);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe('error: tempo-bin in the settings file /nowhere/tempo: no such file');
    } finally {
      world.cleanup();
    }
  });
});
