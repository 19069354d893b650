// The instructor's board over HTTP on 127.0.0.1 (scripts/effects/board.ts with the views of scripts/ui/board.ts):
// a wrong token stores nothing (401), a body over the limit is refused (413), reports of two attendees make two
// rows, one stuck by the driven clock, the CSV, and the data after a restart. The page in a real browser is
// test/browser/board.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBoard, type Board } from '../../scripts/effects/board.js';
import { boardPage, boardScript, boardViews } from '../../scripts/ui/board.js';
import { TOKEN, learnersOf, post, report } from '../helpers/board.js';

const STUCK_MS = 5 * 60_000;
let board: Board | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await board?.close();
  board = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let clock = Date.parse('2026-12-02T10:00:00Z');
const start = (dir: string) =>
  startBoard({ stateDir: dir, token: TOKEN, host: '127.0.0.1', port: 0, now: () => clock, views: boardViews('en', STUCK_MS) });

describe('the workshop board (HTTP)', () => {
  it('a wrong or missing token stores nothing (401); a body over 1 MiB is refused (413)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-board-'));
    dirs.push(dir);
    board = await start(dir);
    expect((await post(board.url, { id: 'r1', learner: { id: 'a', name: 'Ann' }, report: report() }, 'wrong-token')).status).toBe(401);
    expect((await fetch(`${board.url}/api/reports`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await post(board.url, { id: 'r2', learner: { id: 'a', name: 'Ann' }, report: { pad: 'x'.repeat(1024 * 1024 + 10) } })).status).toBe(413);
    expect((await learnersOf(board.url))).toEqual([]);
  });

  it('two attendees: rows with the chapter reached, the failing check and its hint; stuck after 5 minutes; a resend is stored once; the CSV; all there after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-board-'));
    dirs.push(dir);
    board = await start(dir);
    const stuckOne = { chapter: 'metrics-generator', number: 6, check: 'series', evidence: 'no traces_* series (remote-write receiver off)' };
    expect((await post(board.url, { id: 'a1', learner: { id: 'a', name: 'Ann' }, report: report() })).status).toBe(201);
    expect((await post(board.url, { id: 'b1', learner: { id: 'b', name: '<img src=x onerror=alert(1)>' }, report: report(stuckOne) })).status).toBe(201);
    // the same report sent again (its answer was lost): stored once
    expect(await (await post(board.url, { id: 'b1', learner: { id: 'b', name: '<img src=x onerror=alert(1)>' }, report: report(stuckOne) })).json()).toEqual({ id: 'b1', stored: false, duplicate: true });
    clock += 6 * 60_000;
    expect((await post(board.url, { id: 'b2', learner: { id: 'b', name: '<img src=x onerror=alert(1)>' }, report: report(stuckOne) })).status).toBe(201);
    const learners = await learnersOf(board.url);
    const ann = learners.find((l: { id: string }) => l.id === 'a');
    const bob = learners.find((l: { id: string }) => l.id === 'b');
    expect(ann).toMatchObject({ name: 'Ann', chapterReached: 3, failing: null, stuck: false, hintsUsed: 2, challenges: [{ id: 'no-series', timeToFixMs: 300_000, hintsUsed: 2 }] });
    expect(bob).toMatchObject({ name: '<img src=x onerror=alert(1)>', chapterReached: 2, stuck: true, failing: { ref: 'metrics-generator/series', status: 'failed', evidence: stuckOne.evidence, since: '2026-12-02T10:00:00.000Z' } });
    const csv = await (await fetch(`${board.url}/export.csv`)).text();
    expect(csv.split('\r\n')[0]).toBe('name,chapter_reached,failing_check,failing_evidence,stuck,hints_used,exercises_solved,challenges_fixed,last_seen');
    expect(csv).toContain('Ann,3,,,no,2,,no-series,');
    expect(readFileSync(join(dir, 'reports.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    // a restart reads the store back
    await board.close();
    board = await start(dir);
    const again = (await learnersOf(board.url));
    expect(again.map((l: { name: string }) => l.name).sort()).toEqual(['<img src=x onerror=alert(1)>', 'Ann']);
  });

  it('a partial last line (a crash mid-write) is skipped on restart; the page sets no data as markup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-board-'));
    dirs.push(dir);
    board = await start(dir);
    await post(board.url, { id: 'a1', learner: { id: 'a', name: 'Ann' }, report: report() });
    await board.close();
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(dir, 'reports.jsonl'), '{"id":"half');
    board = await start(dir);
    expect((await learnersOf(board.url))).toHaveLength(1);
    // and the next report is stored whole after it
    await post(board.url, { id: 'b1', learner: { id: 'b', name: 'Bo' }, report: report() });
    await board.close();
    board = await start(dir);
    expect((await learnersOf(board.url))).toHaveLength(2);
    const script = await (await fetch(`${board.url}/board.js`)).text();
    expect(script).not.toContain('innerHTML');
    expect(script).toContain('textContent');
  });
});

describe('the board page in zh-TW', () => {
  it('says its headings and summary in Chinese', () => {
    expect(boardPage('zh-TW')).toContain('<html lang="zh-TW">');
    expect(boardPage('zh-TW')).toContain('工作坊看板');
    expect(boardScript('zh-TW', 300_000)).toContain('卡住了（同一項檢查超過 5 分鐘）');
  });
});
