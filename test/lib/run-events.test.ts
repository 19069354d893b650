// The run's typed events, recorded: what UIs, the progress store and reports listen to.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Session, type RunEvent } from '../../scripts/core/session.js';
import { runWithListr } from '../../scripts/ui/ui-listr.js';
import { ProgressStore } from '../../scripts/effects/progress.js';
import type { Chapter } from '../../scripts/core/model.js';
import { testContext, testLab } from '../helpers/context.js';

const t = (en: string) => ({ en, 'zh-TW': `${en}（中文）` });
const chapter: Chapter = {
  number: 1,
  id: 'demo',
  dir: '01-demo',
  after: [],
  title: t('demo'),
  steps: [],
  checks: [
    { id: 'ok', title: t('ok'), probe: async () => ({ ok: true, evidence: 'fine' }) },
    { id: 'flaky', title: t('flaky'), probe: (() => { let n = 0; return async () => (++n < 2 ? { ok: false, evidence: 'not yet', hint: t('wait') } : { ok: true, evidence: 'now' }); })() },
    { id: 'bad', title: t('bad'), probe: async () => ({ ok: false, final: true, evidence: 'broken', hint: t('fix it') }) },
    { id: 'after', title: t('after'), needs: [{ check: 'demo/bad' }], probe: async () => ({ ok: true, evidence: 'never asked' }) },
  ],
};

describe('the run loop\'s events', () => {
  it('a verify through the listr UI emits chapter, item, attempt and finish events in order; progress follows them', async () => {
    const lab = testLab({ timeoutMs: 2000 });
    const ctx = await testContext(lab);
    const store = await ProgressStore.open(lab.stateDir);
    const session = new Session(ctx, store, 'verify');
    const events: string[] = [];
    session.on((e: RunEvent) => {
      if (e.type === 'chapter-started') events.push(`start ${e.chapter.id}`);
      if (e.type === 'item-started') events.push(`item ${e.id}`);
      if (e.type === 'attempt') events.push(`attempt ${e.id} ${e.attempt} ${e.outcome.ok ? 'ok' : 'no'}`);
      if (e.type === 'item-finished') events.push(`done ${e.item.id} ${e.item.result.status}`);
      if (e.type === 'chapter-finished') events.push(`end ${e.chapter.id} ${e.status}`);
    });
    const sink = new PassThrough();
    sink.resume();
    await runWithListr([chapter], session, { renderer: 'simple', stdout: sink as never, stderr: sink as never });
    // checks that need nothing of each other run at once: each item's own events are in order, the chapter's
    // start comes first and its end last
    expect(events[0]).toBe('start demo');
    expect(events.at(-1)).toBe('end demo failed');
    const of = (id: string) => events.filter((e) => e.split(' ')[1] === id);
    expect(of('ok')).toEqual(['item ok', 'attempt ok 1 ok', 'done ok passed']);
    expect(of('flaky')).toEqual(['item flaky', 'attempt flaky 1 no', 'attempt flaky 2 ok', 'done flaky passed']);
    expect(of('bad')).toEqual(['item bad', 'attempt bad 1 no', 'done bad failed']);
    // `after` needs `bad`: it starts only once bad is done, and is blocked without a probe
    expect(of('after')).toEqual(['item after', 'done after blocked']);
    expect(events.indexOf('item after')).toBeGreaterThan(events.indexOf('done bad failed'));
    expect(events.length).toBe(2 + 3 + 4 + 3 + 2);
    const saved = (await ProgressStore.open(lab.stateDir)).data.chapters.demo!;
    expect(saved.status).toBe('failed');
    expect(Object.fromEntries(Object.entries(saved.checks).map(([k, v]) => [k, v.status]))).toEqual({ ok: 'passed', flaky: 'passed', bad: 'failed', after: 'blocked' });
  });
});
