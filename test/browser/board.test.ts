// The workshop board's page in a REAL headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no
// browser is downloaded): three simulated attendees post real reports (one passing, one stuck on a failing check,
// one with a blocked and a not-applicable chapter); the grid of attendees × chapters fills live, each cell the
// chapter's state in colour and word, the stuck one first, a count per chapter on top, the failing check's evidence
// and hint on a click; the name <img src=x onerror=alert(1)> stays text, and after a restart of the server the rows
// are still there. A screenshot goes to docs/board.png for the README.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startBoard, type Board } from '../../scripts/effects/board.js';
import { boardViews } from '../../scripts/ui/board.js';
import { CATALOG } from '../../scripts/core/catalog.js';
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
  startBoard({ stateDir: data, token: TOKEN, host: '127.0.0.1', port, now: () => clock, views: boardViews('en', 5 * 60_000, CATALOG.map((c) => ({ number: c.number, title: c.title }))) });

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

    // a third: a blocked chapter and one that does not apply on her lab; neither is drawn as a failure
    const cy = { schema: 'tempo-workbook/report@2', lab: 'embedded-monolithic', chapters: [
      { number: 2, id: 'prometheus', state: 'passed', items: [{ id: 'prometheus-ready', status: 'passed', evidence: 'GET /-/ready → 200' }] },
      { number: 5, id: 'traces', state: 'blocked', items: [{ id: 'search', status: 'blocked', evidence: 'needs tempo/ready (chapter 3), which failed: ECONNREFUSED' }] },
      { number: 7, id: 'grafana', state: 'not-applicable', items: [{ id: 'datasources', status: 'not-applicable', evidence: 'the embedded lab has no Grafana' }] },
    ] };
    expect((await post(board!.url, { id: 'c1', learner: { id: 'c', name: 'Cy' }, report: cy })).status).toBe(201);
    await page.waitForSelector('tr[data-learner="c"]', { timeout: 10_000 });

    // the stuck attendee stands out: first, marked; the grid: a cell per chapter with its state in word and colour
    const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => ({ id: tr.getAttribute('data-learner'), stuck: tr.classList.contains('stuck') })));
    expect(rows.map((r) => [r.id, r.stuck])).toEqual([['b', true], ['a', false], ['c', false]]);
    const cell = (who: string, n: number) => page.$eval(`tr[data-learner="${who}"] td[data-chapter="${n}"]`, (td) => ({ text: td.textContent, state: td.getAttribute('data-state'), bg: (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(td).backgroundColor }));
    expect(await cell('b', 6)).toMatchObject({ text: 'failed', state: 'failed' });
    expect(await cell('b', 2)).toMatchObject({ text: 'passed', state: 'passed' });
    expect(await cell('b', 3)).toMatchObject({ text: 'not yet', state: 'none' });
    expect(await cell('a', 3)).toMatchObject({ text: 'passed', state: 'passed' });
    expect(await cell('c', 5)).toMatchObject({ text: 'blocked', state: 'blocked' });
    expect(await cell('c', 7)).toMatchObject({ text: 'not applicable', state: 'not-applicable' });
    // each state its own colour; blocked and not applicable are not the failure's
    const colours = await Promise.all([cell('b', 6), cell('b', 2), cell('c', 5), cell('c', 7), cell('b', 3)]);
    expect(new Set(colours.map((c) => c.bg)).size).toBe(5);
    expect(await page.$$eval('td[data-state="failed"]', (tds) => tds.map((td) => td.closest('tr')!.getAttribute('data-learner')))).toEqual(['b']);
    // a count per chapter on top
    expect(await page.textContent('#counts')).toContain('chapter 2: 3 of 3 passed');
    expect(await page.textContent('#counts')).toContain('chapter 6: 0 of 3 passed');
    expect(await page.textContent('#summary')).toBe('3 attendees · 1 stuck');
    // a click on the failing cell: its check, evidence and hint
    await page.click('tr[data-learner="b"] td[data-chapter="6"]');
    const detail = await page.textContent('#detail');
    expect(detail).toContain('metrics-generator/series (failed)');
    expect(detail).toContain('no traces_* series (remote-write receiver off)');
    expect(detail).toContain('hint: look at the receiver');

    // the name is text: no <img> element, no alert, shown as typed
    expect(await page.$$eval('tbody img', (imgs) => imgs.length)).toBe(0);
    expect(await page.textContent('tr[data-learner="b"] td:first-child')).toBe(XSS);
    expect(dialogs).toBe(0);
    expect(errors).toEqual([]);

    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    await page.setViewportSize({ width: 1400, height: 560 });
    await page.screenshot({ path: join(ROOT, 'docs/board.png') });

    // the server restarts (same data folder): a fresh page shows both again
    const port = Number(new URL(board!.url).port);
    await board!.close();
    board = await start(port);
    const again = await browser!.newPage();
    await again.goto(`${board.url}/`);
    await again.waitForSelector('tr[data-learner="b"]', { timeout: 10_000 });
    expect(await again.$$eval('tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-learner')).sort())).toEqual(['a', 'b', 'c']);
    expect(await again.getAttribute('tr[data-learner="c"] td[data-chapter="5"]', 'data-state')).toBe('blocked');
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
    expect(await page.getAttribute('tr[data-learner="z"] td[data-chapter="98"]', 'data-state')).toBe('passed');
    expect(await page.getAttribute('tr[data-learner="z"] td[data-chapter="99"]', 'data-state')).toBe('failed');
    expect(await page.textContent('tr[data-learner="z"] td:first-child')).toBe('Zed' + '名'.repeat(77));
    expect(await page.textContent('#counts')).toMatch(/chapter 0: 0 of \d+ passed/);
    expect(errors).toEqual([]);
  }, 60_000);
});
