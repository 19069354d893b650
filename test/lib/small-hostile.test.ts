// Small items of the adversarial sweep, each reproduced: a long query's URL is not printed whole; 127.0.0.0/8 and ::1
// are this machine; CSV cells that start with a tab or CR are neutralised like formulas; an outbox lock or a
// board.json that is a folder is one line, never an internal error.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testContext, testLab } from '../helpers/context.js';
import { isLoopback } from '../../scripts/effects/board.js';
import { toCsv } from '../../scripts/ui/board.js';
import { readJoined, saveJoined, sendQueued } from '../../scripts/effects/outbox.js';
import { WorkbookError } from '../../scripts/core/errors.js';

describe('small items of the sweep', () => {
  it('a 100 KB query that times out is named with its URL cut, not printed whole', async () => {
    const lab = testLab({ urls: { prometheus: 'http://127.0.0.1:9' } });
    const ctx = await testContext(lab, { http: { request: async (url: string) => Promise.reject(new Error(`GET ${url}: no answer within 10000 ms`)) } as never });
    const base = await ctx.endpoint('prometheus');
    const err = await ctx.http.request(`${base}/api/v1/query?query=${'x'.repeat(100_000)}`).catch((e: Error) => e);
    expect(err).toBeInstanceOf(WorkbookError);
    expect((err as Error).message.length).toBeLessThan(300);
    expect((err as Error).message).toMatch(/^GET http:\/\/127\.0\.0\.1:9\/api\/v1\/query\?query=x+…: no answer within 10000 ms$/);
  });

  it('loopback is 127.0.0.0/8, ::1 and localhost; other addresses are not this machine only', () => {
    for (const h of ['127.0.0.1', '127.0.0.2', '127.1.2.3', '::1', 'localhost']) expect([h, isLoopback(h)]).toEqual([h, true]);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'board.local']) expect([h, isLoopback(h)]).toEqual([h, false]);
  });

  it('CSV cells starting with = + - @ tab or CR are quoted away from spreadsheets\' formulas', () => {
    const row = (name: string) => ({ id: 'a', name, lastSeen: 'x', chapterReached: null, failing: null, stuck: false, chapters: {}, hintsUsed: 0, exercises: [], challenges: [] });
    const csv = toCsv([row('\t=cmd'), row('\r=1+1'), row('=HYPERLINK()')]);
    expect(csv.split('\r\n').slice(1, 4).map((l) => l.split(',')[0])).toEqual(["'\t=cmd", '"\'\r=1+1"', "'=HYPERLINK()"]);
  });

  it('an outbox lock or a board.json that is a folder: one line each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-small-'));
    try {
      await saveJoined(dir, { url: 'http://127.0.0.1:1', token: 'class-token-123', name: 'A', id: 'x' });
      mkdirSync(join(dir, 'outbox', '.lock'), { recursive: true });
      await expect(sendQueued(dir)).rejects.toThrow(`${join(dir, 'outbox', '.lock')} (the lock of the outbox) is not a regular file: remove it`);
      rmSync(join(dir, 'board.json'));
      mkdirSync(join(dir, 'board.json'));
      expect(() => readJoined(dir)).toThrow(`${join(dir, 'board.json')} cannot be read (ENOTREG): join the board again, or \`workbook join --leave\``);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('no Grafana link where no Grafana is known', () => {
  it('the embedded lab without --grafana-url gets none; the kind lab and a named Grafana get one', async () => {
    const { grafanaNote } = await import('../../scripts/lab/tempo.js');
    expect(grafanaNote(testLab({ embedded: 'monolithic' }), 'abc')).toBe('');
    expect(grafanaNote(testLab({ embedded: 'monolithic', urls: { grafana: 'http://127.0.0.1:3000' } }), 'abc')).toMatch(/^ · open in Grafana: http:\/\/127\.0\.0\.1:3000\/explore\?/);
    expect(grafanaNote(testLab(), 'abc')).toMatch(/^ · open in Grafana: http:\/\/127\.0\.0\.1:3000\/explore\?/);
  });
});

describe('a board on every interface prints addresses attendees can join', () => {
  it('0.0.0.0 becomes this machine\'s own non-loopback IPv4 addresses (nothing listens here: the list is computed)', async () => {
    const { reachableUrls } = await import('../../scripts/commands/workshop.js');
    const { networkInterfaces } = await import('node:os');
    const own = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4').map((a) => `http://${a!.address}:8787`);
    const urls = await reachableUrls('http://0.0.0.0:8787', '0.0.0.0');
    expect(urls).toEqual(own.length ? own : ['http://0.0.0.0:8787']);
    if (own.length) expect(urls.some((u) => u.includes('//0.0.0.0'))).toBe(false);
  });
});
