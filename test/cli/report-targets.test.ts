// Where a report goes, nothing the learner had is destroyed: a symlink stays a link and its target gets the
// report; a device or a FIFO is written in place, never replaced by a regular file (issue: `--json /dev/full` as
// root once turned the device into a file).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createReadStream, lstatSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, runCli } from '../helpers/fakes.js';

let world: FakeWorld;
beforeAll(() => {
  world = new FakeWorld({ rules: {} });
});
afterAll(() => world.cleanup());

const verify = (...report: string[]) => runCli(['verify', 'teardown', ...report], world.env({ CI: 'true' }));

describe('report targets', () => {
  it('a symlink: its target gets the report, atomically; the link is still the same link', async () => {
    const target = join(world.dir, 'target.json');
    const link = join(world.dir, 'link.json');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    const r = await verify('--json', link);
    expect(r.stderr).not.toMatch(/error/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(JSON.parse(readFileSync(target, 'utf8')).schema).toBe('tempo-workbook/report@2');
  });

  it('a FIFO: the report is written into it, and it stays a FIFO', async () => {
    const fifo = join(world.dir, 'report.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // a reader, as `workbook verify --junit pipe & consumer < pipe` would have
    const read = new Promise<string>((resolve, reject) => {
      let text = '';
      createReadStream(fifo, 'utf8').on('data', (d) => (text += d)).on('end', () => resolve(text)).on('error', reject);
    });
    const r = await verify('--junit', fifo);
    expect(r.stderr).not.toMatch(/error/);
    expect(await read).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="tempo-workbook">/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('a character device (mknod c 1 3, as /dev/null): written in place, still a device', async () => {
    const dev = join(world.dir, 'null-device');
    expect(spawnSync('mknod', [dev, 'c', '1', '3']).status).toBe(0);
    const r = await verify('--json', dev);
    expect(r.stderr).not.toMatch(/error/);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });

  it('a device that refuses the write (/dev/full): one line, exit 2, and /dev/full is still a device', async () => {
    const r = await verify('--json', '/dev/full');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: cannot write report --json /dev/full: ENOSPC');
    expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});

describe('ports the Fetch standard blocks (6000, 10080) are reachable by the lab\'s HTTP client', () => {
  it.each([6000, 10080])('a server on 127.0.0.1:%i answers', async (port) => {
    const { createServer } = await import('node:http');
    const { realHttp } = await import('../../scripts/effects/real.js');
    const server = createServer((_req, res) => res.end('ok'));
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    // the port may be taken on a busy machine: then there is nothing of ours to reach
    if (!bound) return console.log(`port ${port} is taken here; not tried`);
    try {
      const r = await realHttp.request(`http://127.0.0.1:${port}/`, { timeoutMs: 10_000 });
      expect([r.status, r.body]).toEqual([200, 'ok']);
    } finally {
      server.close();
    }
  });
});
