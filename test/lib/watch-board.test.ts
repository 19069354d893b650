// watch's board (scripts/ui/watch-board.ts), fed by the run loop's events: which events change a cell, how long a
// state has held, and the in-place redraw.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Board, changeLine, Redraw, renderBoard } from '../../scripts/ui/watch-board.js';
import type { Chapter } from '../../scripts/core/model.js';
import type { RunEvent } from '../../scripts/core/session.js';

const t = { en: 'p', 'zh-TW': 'p' };
const ch = { id: 'prometheus', number: 2, title: t } as unknown as Chapter;
const finished = (id: string, status: 'passed' | 'failed', evidence: string): RunEvent => ({ type: 'item-finished', item: { chapter: ch, kind: 'check', id, title: id, result: { status, durationMs: 1, evidence } } });
const attempt = (id: string, ok: boolean, evidence: string): RunEvent => ({ type: 'attempt', chapter: ch, id, attempt: 2, outcome: ok ? { ok, evidence } : { ok, evidence, hint: t } });

describe('the watch board', () => {
  it('a state change is reported once; the same state again only refreshes the evidence; a passing attempt shows at once', () => {
    const b = new Board([{ ref: 'prometheus/exemplar-storage', title: 'exemplar storage is on' }], 0);
    expect(b.apply(finished('exemplar-storage', 'failed', 'enable-feature=(none)'), 100)?.state).toBe('failed');
    expect(b.apply(finished('exemplar-storage', 'failed', 'enable-feature=(none)'), 2100)).toBeUndefined();
    expect(b.cells[0]!.since).toBe(100);
    expect(b.apply(attempt('exemplar-storage', false, 'still'), 2200)).toBeUndefined();
    const fixed = b.apply(attempt('exemplar-storage', true, 'enable-feature=exemplar-storage'), 3000)!;
    expect(fixed).toMatchObject({ state: 'passed', since: 3000, evidence: 'enable-feature=exemplar-storage' });
    expect(b.passing()).toBe(true);
    expect(changeLine(fixed, new Date('2026-11-25T10:00:03Z'))).toBe('10:00:03 ✔ prometheus/exemplar-storage — enable-feature=exemplar-storage');
  });

  it('is not passing while a check has no result yet; each line shows how long its state has held, cut to the width', () => {
    const b = new Board([{ ref: 'prometheus/a', title: 'a' }, { ref: 'prometheus/b', title: 'b' }], 0);
    b.apply(finished('a', 'passed', 'x'.repeat(200)), 1000);
    expect(b.passing()).toBe(false);
    const lines = renderBoard(b, { head: 'watching\nround 1', foot: '0 of 2 failing', now: 66_000, width: 60, lang: 'en' });
    expect(lines.slice(0, 2)).toEqual(['watching', 'round 1']);
    expect(lines).toContain('✔ a (for 1 min 5 s)');
    expect(lines).toContain('… b');
    expect(lines.every((l) => l.length <= 60)).toBe(true);
  });

  it('redraws over the previous board, and over a line the learner typed below it', () => {
    const out = new PassThrough();
    let raw = '';
    out.on('data', (d) => (raw += d));
    const r = new Redraw(out);
    r.draw(['a', 'b']);
    r.draw(['c', 'd', 'e']);
    expect(raw).toBe('a\nb\n\x1b[2A\r\x1b[0Jc\nd\ne\n');
    raw = '';
    r.below(1);
    r.draw(['f']);
    expect(raw).toBe('\x1b[4A\r\x1b[0Jf\n');
  });
});
