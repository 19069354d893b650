// Delivered means the board said so (scripts/effects/outbox.ts): a server on 127.0.0.1 that is not the board
// (a redirect to its page, a captive portal's HTML 200, a 2xx without this report's id, an endless answer) leaves
// the report queued, with a reason; the real board's acknowledgement removes it. board.json and the outbox are read
// by their schemas: a broken one is one line, never an internal error.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isQueued, outboxDir, readJoined, saveJoined, sendQueued } from '../../scripts/effects/outbox.js';
import { startBoard, type Board } from '../../scripts/effects/board.js';
import { boardViews } from '../../scripts/ui/board.js';
import { TOKEN, report } from '../helpers/board.js';

let server: Server | undefined;
let board: Board | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server?.closeAllConnections();
  server = undefined;
  await board?.close();
  board = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A state folder joined to `url` with one queued report. */
async function queuedState(url: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-send-'));
  dirs.push(dir);
  await saveJoined(dir, { url, token: TOKEN, name: 'Ann', id: 'learner-a' });
  mkdirSync(outboxDir(dir), { recursive: true });
  writeFileSync(join(outboxDir(dir), `${'1'.padStart(15, '0')}-00000000-0000-4000-8000-000000000001.json`), JSON.stringify({ id: 'r-1', learner: { id: 'learner-a', name: 'Ann' }, report: report() }));
  return dir;
}
const left = (dir: string) => readdirSync(outboxDir(dir)).filter(isQueued).length;

/** A server on 127.0.0.1 answering every request with `answer`. */
async function impostor(answer: (res: import('node:http').ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    answer(res);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('the sender counts a report delivered only on the board\'s acknowledgement', () => {
  it('a 302 to the board\'s page (fetch would follow it as a GET and get 200) is not a delivery', async () => {
    const url = await impostor((res) => {
      res.writeHead(302, { location: '/' });
      res.end();
    });
    const dir = await queuedState(url);
    const r = await sendQueued(dir);
    expect(r).toMatchObject({ sent: 0, rejected: 0 });
    expect(r.waiting).toBe(`${url} answered with a redirect (HTTP 302 to /): not the board, or not its address; nothing is counted as sent`);
    expect(left(dir)).toBe(1);
  });

  it('a captive portal\'s HTML 200, and a 2xx JSON that acknowledges another report, are not deliveries', async () => {
    let body = '<html><body>Sign in to the Wi-Fi</body></html>';
    const url = await impostor((res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(body);
    });
    const dir = await queuedState(url);
    expect((await sendQueued(dir)).waiting).toBe(`${url} answered HTTP 200 but not as the board does (no acknowledgement of report r-1: an HTML page, perhaps a captive portal)`);
    body = JSON.stringify({ id: 'someone-else', stored: true });
    expect((await sendQueued(dir)).waiting).toBe(`${url} answered HTTP 200 but not as the board does (no acknowledgement of report r-1)`);
    expect(left(dir)).toBe(1);
  });

  it('an answer that never ends is read no further than an acknowledgement can be', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    const url = await impostor((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // endless: writes as long as the client reads
      const more = () => {
        while (written < 2 * 1024 ** 3 && res.write(chunk)) written += chunk.length;
      };
      res.on('drain', more);
      more();
    });
    const dir = await queuedState(url);
    const r = await sendQueued(dir);
    expect(r.waiting).toBe(`${url} answered HTTP 200 with more than an acknowledgement (over 64 KiB): not the board`);
    // it stopped reading: far less than the 2 GB the server would have sent
    expect(written).toBeLessThan(64 * 1024 ** 2);
    expect(left(dir)).toBe(1);
  });

  it('the real board\'s acknowledgement removes the report; a queued file that is not a report is set aside, never sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-board-'));
    dirs.push(dir);
    board = await startBoard({ stateDir: dir, token: TOKEN, host: '127.0.0.1', port: 0, views: boardViews('en', 300_000) });
    const state = await queuedState(board.url);
    writeFileSync(join(outboxDir(state), `${'2'.padStart(15, '0')}-00000000-0000-4000-8000-000000000002.json`), 'null');
    expect(await sendQueued(state)).toEqual({ sent: 1, rejected: 1 });
    expect(left(state)).toBe(0);
    expect(readdirSync(join(outboxDir(state), 'rejected'))).toHaveLength(1);
  });

  it('a board.json of the wrong shape, or an outbox that is a file: one line naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-send-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'board.json'), JSON.stringify({ url: 'http://127.0.0.1:1', token: 'bad token', name: 'A', id: 'x' }));
    expect(() => readJoined(dir)).toThrow(`${join(dir, 'board.json')}: token Invalid: join the board again, or \`workbook join --leave\``);
    await saveJoined(dir, { url: 'http://127.0.0.1:1', token: TOKEN, name: 'A', id: 'x' });
    writeFileSync(join(dir, 'outbox'), 'not a folder');
    await expect(sendQueued(dir)).rejects.toThrow(`${join(dir, 'outbox')} (the outbox) is not a folder: remove it, or \`workbook join --leave\``);
  });
});
