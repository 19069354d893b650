// The workshop board's page in a REAL headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no
// browser is downloaded): two simulated attendees post real reports (one passing, one stuck on a failing check);
// their rows appear live, the stuck one stands out, the name <img src=x onerror=alert(1)> stays text, and after a
// restart of the server the rows are still there. A screenshot goes to docs/board.png for the README.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startBoard, type Board } from '../../scripts/effects/board.js';
import { boardViews } from '../../scripts/ui/board.js';
import { TOKEN, post, report } from '../helpers/board.js';
import { ROOT } from '../helpers/fakes.js';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) console.log(`the board's browser test is skipped: no ${CHROMIUM} (Debian's chromium; test/setup/ensure-prometheus.sh installs it)`);
const XSS = '<img src=x onerror=alert(1)>';
let browser: BrowserContext | undefined;
let board: Board | undefined;
const profile = mkdtempSync(join(tmpdir(), 'wb-chromium-'));
const data = mkdtempSync(join(tmpdir(), 'wb-board-'));
let clock = Date.parse('2026-12-02T10:00:00Z');
const start = (port = 0) =>
  startBoard({ stateDir: data, token: TOKEN, host: '127.0.0.1', port, now: () => clock, views: boardViews('en', 5 * 60_000) });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  // a fresh --user-data-dir: playwright takes it as launchPersistentContext's first argument
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  board = await start();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await board?.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CHROMIUM))('the workshop board in a real headless Chromium', () => {
  it('rows appear live, the stuck attendee stands out, the XSS name is inert, and a restart keeps them', async () => {
    const page = await browser!.newPage();
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${board!.url}/`);
    await page.waitForSelector('#summary');

    // live: each row shows up while the page stays open (server-sent events); the time it took is printed
    const stuckOne = { chapter: 'metrics-generator', number: 6, check: 'series', evidence: 'no traces_* series (remote-write receiver off)' };
    let t0 = Date.now();
    expect((await post(board!.url, { id: 'a1', learner: { id: 'a', name: 'Ann' }, report: report() })).status).toBe(201);
    await page.waitForSelector('tr[data-learner="a"]', { timeout: 10_000 });
    const annMs = Date.now() - t0;
    expect((await post(board!.url, { id: 'b1', learner: { id: 'b', name: XSS }, report: report(stuckOne) })).status).toBe(201);
    clock += 6 * 60_000;
    t0 = Date.now();
    expect((await post(board!.url, { id: 'b2', learner: { id: 'b', name: XSS }, report: report(stuckOne) })).status).toBe(201);
    await page.waitForSelector('tr.stuck[data-learner="b"]', { timeout: 10_000 });
    const stuckMs = Date.now() - t0;
    console.log(`board: a row appeared ${annMs} ms after its report was sent; the stuck mark ${stuckMs} ms after`);

    // the stuck attendee stands out: first, marked, with the failing check, its evidence and hint
    const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => ({ id: tr.getAttribute('data-learner'), stuck: tr.classList.contains('stuck'), text: tr.textContent })));
    expect(rows[0]).toMatchObject({ id: 'b', stuck: true });
    expect(rows[0]!.text).toContain('metrics-generator/series (failed)');
    expect(rows[0]!.text).toContain('look at the receiver');
    expect(rows[1]).toMatchObject({ id: 'a', stuck: false });
    expect(await page.textContent('#summary')).toContain('2 attendees');

    // the name is text: no <img> element, no alert, shown as typed
    expect(await page.$$eval('tbody img', (imgs) => imgs.length)).toBe(0);
    expect(await page.textContent('tr[data-learner="b"] td:first-child')).toBe(XSS);
    expect(dialogs).toBe(0);
    expect(errors).toEqual([]);

    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    await page.setViewportSize({ width: 1100, height: 420 });
    await page.screenshot({ path: join(ROOT, 'docs/board.png') });

    // the server restarts (same data folder): a fresh page shows both again
    const port = Number(new URL(board!.url).port);
    await board!.close();
    board = await start(port);
    const again = await browser!.newPage();
    await again.goto(`${board.url}/`);
    await again.waitForSelector('tr[data-learner="b"]', { timeout: 10_000 });
    expect(await again.$$eval('tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-learner')).sort())).toEqual(['a', 'b']);
  }, 60_000);

  it('reports that once froze or emptied the page are refused; the largest report the board keeps renders at once', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${board!.url}/`);
    await page.waitForSelector('#summary');
    // chapter numbers 30,000,000 (a loop that froze the tab) and 1e15 (a summary emptied for everyone): refused
    for (const n of [30_000_000, 1e15, -1, 2.5]) {
      const r = await post(board!.url, { id: `h${n}`, learner: { id: 'h', name: 'Hostile' }, report: { chapters: [{ number: n, id: 'x', state: 'passed' }] } });
      expect(r.status).toBe(400);
    }
    // the largest report the schema lets through: 40 chapters numbered up to 99, 80 items each with the longest texts
    const items = Array.from({ length: 80 }, (_, i) => ({ id: `c${i}`, status: 'failed', evidence: 'e'.repeat(2000), hint: { en: 'h'.repeat(1000), 'zh-TW': '提'.repeat(1000) } }));
    const chapters = Array.from({ length: 40 }, (_, i) => ({ number: 99 - i, id: `ch${i}`, state: i % 2 ? 'passed' : 'failed', items }));
    const big = { id: 'big', learner: { id: 'z', name: '\u202eZed' + '名'.repeat(200) }, report: { chapters } };
    const r = await post(board!.url, big);
    // 13 MB: over the 1 MiB body limit, refused before it is read; four chapters of 20 items each are taken
    expect(r.status).toBe(413);
    const smaller = { ...big, report: { chapters: chapters.slice(0, 4).map((c) => ({ ...c, items: c.items.slice(0, 20) })) } };
    expect((await post(board!.url, smaller)).status).toBe(201);
    await page.waitForSelector('tr[data-learner="z"]', { timeout: 10_000 });
    expect(await page.textContent('tr[data-learner="z"] td:nth-child(2)')).toBe('98');
    expect(await page.textContent('tr[data-learner="z"] td:first-child')).toBe('Zed' + '名'.repeat(77));
    expect(await page.textContent('#summary')).toMatch(/attendees · passed each chapter: 0: \d/);
    expect(errors).toEqual([]);
  }, 60_000);
});
