// The board against what an attacker (or a broken workbook) sends it, on 127.0.0.1: each body that once crashed it,
// a malformed request line, stored lines that are not reports, a non-reading /events client, 1,000 random JSON
// values with the token and 1,000 random raw requests without it. The board never exits and GET /api/learners
// answers 200 after each. Its store stays bounded (compaction), two boards cannot share a folder, and a full disk
// (a real tmpfs of 256 KiB, in a mount namespace of its own) answers 507 and leaves no partial line.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { startBoard, type Board, type StoreLimits } from '../../scripts/effects/board.js';
import { boardViews } from '../../scripts/ui/board.js';
import { TOKEN, learnersOf, post, report } from '../helpers/board.js';
import { ROOT, waitFor } from '../helpers/fakes.js';
import { freePort } from '../../scripts/effects/portforward.js';

let board: Board | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await board?.close();
  board = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'wb-hostile-'));
  dirs.push(d);
  return d;
};
const clock = Date.parse('2026-12-06T10:00:00Z');
const start = (dir: string, limits?: StoreLimits) =>
  startBoard({ stateDir: dir, token: TOKEN, host: '127.0.0.1', port: 0, now: () => clock, views: boardViews('en', 300_000), ...(limits ? { limits } : {}) });

/** Send raw bytes, read the answer's status line (or '' when the connection closed without one). */
function raw(url: string, bytes: string | Buffer): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(port), '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => resolve(got.split('\r\n')[0] ?? ''));
    s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    s.setTimeout(5_000, () => s.destroy());
    s.end(bytes);
  });
}
const postRaw = (url: string, body: string) => fetch(`${url}/api/reports`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body });
const alive = async (url: string) => (await fetch(`${url}/api/learners`)).status;

describe('the board cannot be knocked over', () => {
  it('the request line and bodies that once crashed it: 400 each, and it keeps serving, before and after a restart', async () => {
    const dir = tmp();
    board = await start(dir);
    expect(await raw(board.url, 'GET //[ HTTP/1.1\r\nhost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(board.url, 'NOT A REQUEST\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await alive(board.url)).toBe(200);
    const ok = { id: 'r', learner: { id: 'a', name: 'Ann' }, report: report() };
    const hostile: [string, string][] = [
      ['null', 'null'],
      ['chapters: 5', JSON.stringify({ ...ok, report: { chapters: 5 } })],
      ['an empty body object', '{}'],
      ['items: "xx"', JSON.stringify({ ...ok, report: { chapters: [{ number: 2, id: 'p', state: 'failed', items: 'xx' }] } })],
      ['exercises: {x: null}', JSON.stringify({ ...ok, report: { exercises: { x: null } } })],
      ['an item id that is an object', JSON.stringify({ ...ok, report: { chapters: [{ number: 2, id: 'p', state: 'failed', items: [{ id: { a: 1 }, status: 'failed' }] }] } })],
      ['5,000 nested [', `{"id":"r","learner":{"id":"a","name":"A"},"report":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`],
      ['chapter number 30000000', JSON.stringify({ ...ok, report: { chapters: [{ number: 30_000_000, id: 'p', state: 'passed' }] } })],
      ['chapter number 1e15', JSON.stringify({ ...ok, report: { chapters: [{ number: 1e15, id: 'p', state: 'passed' }] } })],
      ['a name of bidi controls only', JSON.stringify({ ...ok, learner: { id: 'a', name: '\u202e\u200b' } })],
    ];
    for (const [what, body] of hostile) {
      const res = await postRaw(board.url, body);
      expect([what, res.status]).toEqual([what, 400]);
      expect(await alive(board.url)).toBe(200);
    }
    expect(await learnersOf(board.url)).toEqual([]);
    expect((await fetch(`${board.url}/`, { method: 'HEAD' })).status).toBe(200);
    await board.close();
    board = await start(dir);
    expect(await alive(board.url)).toBe(200);
  });

  it('what it keeps is bounded and cleaned: a long RTL name cut on code points, unknown fields dropped', async () => {
    board = await start(tmp());
    const name = '\u202eAnn' + '😀'.repeat(200);
    expect((await post(board.url, { id: 'r1', learner: { id: 'a', name }, report: { ...report(), secret: 'x'.repeat(1000) } })).status).toBe(201);
    const [row] = await learnersOf(board.url);
    expect(row.name).toBe('Ann' + '😀'.repeat(77));
    const line = readFileSync(join(dirs[0]!, 'reports.jsonl'), 'utf8');
    expect(line).not.toContain('secret');
  });

  it('stored lines that are not reports are skipped and counted, never fatal; a store that is not a file is one line', async () => {
    const dir = tmp();
    board = await start(dir);
    await post(board.url, { id: 'r1', learner: { id: 'a', name: 'Ann' }, report: report() });
    await board.close();
    appendFileSync(join(dir, 'reports.jsonl'), 'null\n{"id":{},"learner":5}\n' + JSON.stringify({ id: 'x', at: 'never', learner: { id: 'b', name: 'B' }, report: {} }) + '\n' + 'y'.repeat(5 * 1024 * 1024) + '\n');
    board = await start(dir);
    expect(board.skipped).toBe(3);
    expect((await learnersOf(board.url)).map((l) => l.name)).toEqual(['Ann']);
    await board.close();
    board = undefined;
    const other = tmp();
    rmSync(join(other), { recursive: true });
    const { mkdirSync, symlinkSync } = await import('node:fs');
    mkdirSync(other);
    symlinkSync('/dev/full', join(other, 'reports.jsonl'));
    await expect(start(other)).rejects.toThrow(`${join(other, 'reports.jsonl')} (the board's store) is not a regular file`);
  });

  it('two boards cannot share one folder', async () => {
    const dir = tmp();
    board = await start(dir);
    await expect(start(dir)).rejects.toThrow(new RegExp(`^the board's folder ${dir} is in use by process ${process.pid}`));
  });

  it('a /events client that never reads is dropped, not buffered for', async () => {
    board = await start(tmp());
    const { port } = new URL(board.url);
    const s = connect(Number(port), '127.0.0.1');
    s.write('GET /events HTTP/1.1\r\nhost: x\r\n\r\n');
    s.pause();
    s.on('error', () => {});
    await waitFor('the /events client to be listening', () => board!.liveClients() === 1);
    const big = report({ chapter: 'metrics-generator', number: 6, check: 'series', evidence: 'e'.repeat(2000) });
    // each event is a row of about 2 KB: the kernel's buffers fill first, then the board's own limit drops it
    for (let i = 0; i < 20_000 && board.liveClients() > 0; i++) expect((await post(board.url, { id: `r${i}`, learner: { id: `l${i % 50}`, name: `N${i % 50}` }, report: big })).status).toBe(201);
    expect(board.liveClients()).toBe(0);
    s.destroy();
  }, 120_000);

  it('the store is compacted past its limits: one line per attendee, the same rows, read back after a restart', async () => {
    const dir = tmp();
    const limits = { totalBytes: 64 * 1024, learnerBytes: 16 * 1024 };
    board = await start(dir, limits);
    const reference = await start(tmp());
    try {
      for (let i = 0; i < 120; i++) {
        const body = { id: `r${i}`, learner: { id: `l${i % 3}`, name: `N${i % 3}` }, report: i % 2 ? report() : report({ chapter: 'traces', number: 5, check: `c${i % 7}`, evidence: 'x'.repeat(500) }) };
        expect((await post(board.url, body)).status).toBe(201);
        await post(reference.url, body);
      }
      expect(statSync(join(dir, 'reports.jsonl')).size).toBeLessThanOrEqual(limits.totalBytes);
      const rows = await learnersOf(reference.url);
      expect(await learnersOf(board.url)).toEqual(rows);
      // a report sent again after compaction is still stored once
      expect((await post(board.url, { id: 'r119', learner: { id: 'l1', name: 'N1' }, report: report() })).status).toBe(200);
      await board.close();
      board = await start(dir, limits);
      expect(await learnersOf(board.url)).toEqual(rows);
    } finally {
      await reference.close();
    }
  });

  it('1,000 random JSON values with the token and 1,000 random raw requests without: it never exits', async () => {
    board = await start(tmp());
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const value = (depth: number): unknown => {
      const k = Math.floor(rand() * (depth > 6 ? 5 : 8));
      switch (k) {
        case 0: return null;
        case 1: return rand() < 0.5;
        case 2: return pick([0, -1, 1e308, -1e-308, 30_000_000, 2.5, Number.MAX_SAFE_INTEGER]);
        case 3: return pick(['', 'x', '\u202e', '<script>', 'a'.repeat(3000), '\u0000']);
        case 4: return pick(['passed', 'failed', 'blocked', 'report', 'chapters']);
        case 5: return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
        default: {
          const keys = ['id', 'learner', 'report', 'name', 'chapters', 'items', 'number', 'state', 'status', 'exercises', 'challenges', 'hint', 'en', 'evidence', '__proto__', 'constructor'];
          return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [pick(keys), value(depth + 1)]));
        }
      }
    };
    for (let i = 0; i < 1000; i++) {
      const res = await postRaw(board.url, JSON.stringify(value(0)) ?? 'undefined');
      expect([400, 201, 200]).toContain(res.status);
      expect(await alive(board.url)).toBe(200);
    }
    const methods = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'G\u0000T', ''];
    const paths = ['/', '//[', '/api/reports', '/events', '/%', '/../../etc/passwd', '*', 'http://x', '/export.csv?' + 'a'.repeat(9000)];
    for (let i = 0; i < 1000; i++) {
      const headers = rand() < 0.5 ? 'content-length: ' + pick(['-1', '99999999999', 'x', '5']) + '\r\n' : rand() < 0.5 ? 'transfer-encoding: chunked\r\n' : '';
      const bytes = `${pick(methods)} ${pick(paths)} ${pick(['HTTP/1.1', 'HTTP/9', ''])}\r\nhost: x\r\n${headers}\r\n${pick(['', '{', 'zz\r\n', '0\r\n\r\n'])}`;
      await raw(board.url, bytes);
      expect(await alive(board.url)).toBe(200);
    }
  }, 120_000);
});

// a real full disk: the board as the CLI runs it, its store on a 256 KiB tmpfs in a mount namespace of its own
const canMount = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
describe.skipIf(!canMount)('a full disk (a tmpfs of 256 KiB; needs root and unshare -m)', () => {
  it('answers 507, keeps no partial line, and keeps serving; what it stored before is read back', async () => {
    const dir = tmp();
    const port = await freePort();
    const script = `mount -t tmpfs -o size=256k tmpfs "${dir}" && exec "${process.execPath}" "${join(ROOT, 'dist/scripts/cli.js')}" workshop serve --state-dir "${dir}" --listen 127.0.0.1:${port} --token ${TOKEN}`;
    const child = spawn('unshare', ['-m', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor('the board to listen', () => out.includes('The board:'), 30_000);
      const statuses: number[] = [];
      const pad = 'p'.repeat(1900);
      for (let i = 0; i < 400 && !statuses.includes(507); i++) statuses.push((await post(url, { id: `r${i}`, learner: { id: `l${i % 5}`, name: `N${i % 5}` }, report: report({ chapter: 'traces', number: 5, check: 'x', evidence: pad }) })).status);
      expect(statuses.at(-1)).toBe(507);
      expect(await alive(url)).toBe(200);
      // the store, read in the namespace: every line whole
      const text = spawnSync('nsenter', ['-t', String(child.pid), '-m', 'cat', join(dir, 'board', 'reports.jsonl')]).stdout?.toString() ?? '';
      if (text) for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
      expect((await learnersOf(url)).length).toBe(5);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
  }, 60_000);
});
