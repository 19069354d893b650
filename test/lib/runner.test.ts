// The one run loop (scripts/core/runner.ts), headless: its rules, read from the events it makes the session emit.
import { describe, expect, it } from 'vitest';
import { Session, type RunEvent } from '../../scripts/core/session.js';
import { runChapters, runCheckList, runChecks } from '../../scripts/core/runner.js';
import { ProgressStore } from '../../scripts/effects/progress.js';
import type { Chapter, Step } from '../../scripts/core/model.js';
import { scriptedShell, testContext, testLab } from '../helpers/context.js';

const t = (en: string) => ({ en, 'zh-TW': `${en}（中文）` });
const step = (id: string): Step => ({ id, title: t(id), why: t('why'), command: () => ({ argv: ['tool', id] }) });
const chapter = (number: number, id: string, steps: Step[], checks: Chapter['checks']): Chapter => ({ number, id, dir: `0${number}-${id}`, after: [], title: t(id), steps, checks });
const ok = (id: string) => ({ id, title: t(id), probe: async () => ({ ok: true as const, evidence: 'fine' }) });
const bad = (id: string) => ({ id, title: t(id), probe: async () => ({ ok: false as const, final: true, evidence: 'broken', hint: t('fix') }) });

async function session(mode: 'run' | 'verify', answers: Record<string, object>, signal?: AbortSignal) {
  const lab = testLab();
  const ctx = await testContext(lab, { shell: scriptedShell(answers) });
  const store = await ProgressStore.open(lab.stateDir);
  const s = new Session(ctx, store, mode, signal);
  const events: string[] = [];
  s.on((e: RunEvent) => {
    if (e.type === 'chapter-started') events.push(`start ${e.chapter.id}`);
    if (e.type === 'item-finished') events.push(`${e.item.kind} ${e.item.id} ${e.item.result.status}`);
    if (e.type === 'chapter-finished') events.push(`end ${e.chapter.id} ${e.status}`);
  });
  return { s, events };
}

describe('the one run loop', () => {
  it('run: a failed step ends its chapter before the checks, and the chapters after it are not started', async () => {
    const a = chapter(1, 'a', [step('one'), step('two'), step('three')], [ok('c')]);
    const b = chapter(2, 'b', [step('four')], [ok('d')]);
    const { s, events } = await session('run', { 'tool one': {}, 'tool two': { exitCode: 1, stderr: 'no' } });
    expect(await runChapters([a, b], s)).toBe('failed');
    expect(events).toEqual(['start a', 'step one passed', 'step two failed', 'end a failed']);
  });

  it('verify: a failed check lets the other checks and chapters run', async () => {
    const a = chapter(1, 'a', [step('one')], [bad('x'), ok('y')]);
    const b = chapter(2, 'b', [], [ok('z')]);
    const { s, events } = await session('verify', {});
    expect(await runChapters([a, b], s)).toBe('failed');
    // x and y need nothing of each other: they run at once and finish in either order
    expect(events.slice(1, 3).sort()).toEqual(['check x failed', 'check y passed']);
    expect([events[0], ...events.slice(3)]).toEqual(['start a', 'end a failed', 'start b', 'check z passed', 'end b passed']);
  });

  it('a check that needs another waits for it; when that one failed it is blocked, naming it, and the chapter is blocked, not passed', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slowBad = { id: 'root', title: t('root'), probe: async () => (order.push('root started'), await held, order.push('root done'), { ok: false as const, final: true, evidence: 'broken', hint: t('fix') }) };
    const dependent = { id: 'leaf', title: t('leaf'), needs: [{ check: 'a/root' }], probe: async () => (order.push('leaf probed'), { ok: true as const, evidence: 'fine' }) };
    const free = { id: 'free', title: t('free'), probe: async () => (order.push('free probed'), release(), { ok: true as const, evidence: 'fine' }) };
    const a = chapter(1, 'a', [], [dependent, slowBad, free]);
    const { s, events } = await session('verify', {});
    expect(await runChapters([a], s)).toBe('failed');
    // free ran while root was still probing (root is held until free runs); leaf never probed
    expect(order.sort()).toEqual(['free probed', 'root done', 'root started']);
    const leaf = s.items.find((i) => i.id === 'leaf')!;
    expect(leaf.result.status).toBe('blocked');
    expect(leaf.result.evidence).toBe('needs a/root (chapter 1), which failed: broken');
    expect(events.at(-1)).toBe('end a failed');
    // the report's order is the chapter's, whatever order they finished in
    expect(s.itemsOf(a).map((i) => i.id)).toEqual(['leaf', 'root', 'free']);
  });

  it('a chapter whose every check is blocked by another chapter ends blocked, and the run does not pass', async () => {
    const a = chapter(1, 'a', [], [bad('x')]);
    const b = chapter(2, 'b', [], [{ ...ok('y'), needs: [{ check: 'a/x' }] }, { ...ok('w'), needs: [{ check: 'b/y' }] }]);
    const { s, events } = await session('verify', {});
    await runChapters([a, b], s);
    expect(events).toEqual(['start a', 'check x failed', 'end a failed', 'start b', 'check y blocked', 'check w blocked', 'end b blocked']);
    // a blocked dependency passes on the root cause, not "blocked by b/y"
    expect(s.items.find((i) => i.id === 'w')!.result.evidence).toBe('needs a/x (chapter 1), which failed: broken');
    expect(s.chapterState(b)).toBe('blocked');
    expect(s.passed([a, b])).toBe(false);
  });

  it('a chapter whose every check does not apply is not applicable, never passed; one check that passed beside them makes it pass', async () => {
    const na = { ...ok('pods'), clusterOnly: ['tempo' as const] };
    const a = chapter(1, 'a', [], [na]);
    const b = chapter(2, 'b', [], [na, ok('ready')]);
    const lab = testLab({ urls: { tempo: 'http://127.0.0.1:9' } });
    const ctx = await testContext(lab);
    const s = new Session(ctx, await ProgressStore.open(lab.stateDir), 'verify');
    await runChapters([a, b], s);
    expect(s.items.map((i) => `${i.chapter.id}/${i.id} ${i.result.status}`).sort()).toEqual(['a/pods not-applicable', 'b/pods not-applicable', 'b/ready passed']);
    expect([s.chapterState(a), s.chapterState(b)]).toEqual(['not-applicable', 'passed']);
    expect(s.passed([a])).toBe(false);
    expect(s.passed([a, b])).toBe(true);
  });

  it('"Stop here" before any step leaves the chapter unbegun; a skipped step is not recorded', async () => {
    const a = chapter(1, 'a', [step('one'), step('two')], [ok('c')]);
    const { s, events } = await session('run', { 'tool two': {} });
    const quit = await runChapters([a], s, { beforeStep: async () => 'quit' });
    expect(quit).toBe('stopped');
    expect(events).toEqual([]);
    const { s: s2, events: e2 } = await session('run', { 'tool two': {} });
    expect(await runChapters([a], s2, { beforeStep: async (_c, st) => (st.id === 'one' ? 'skip' : 'run') })).toBe('completed');
    expect(e2).toEqual(['start a', 'step two passed', 'check c passed', 'end a passed']);
  });

  it('after Ctrl-C no further check starts and the chapter ends interrupted', async () => {
    const ac = new AbortController();
    const stopper = { id: 's', title: t('s'), probe: async () => (ac.abort(), { ok: true as const, evidence: 'then Ctrl-C' }) };
    // `never` waits for `s` (it needs it), so it has not started when Ctrl-C comes
    const a = chapter(1, 'a', [], [stopper, { ...ok('never'), needs: [{ check: 'a/s' }] }]);
    const b = chapter(2, 'b', [], [ok('nor')]);
    const { s, events } = await session('verify', {}, ac.signal);
    await runChapters([a, b], s);
    expect(events).toEqual(['start a', 'check s passed', 'end a interrupted']);
  });

  it('runChecks with concurrency runs the checks at once and keeps every result', async () => {
    let inFlight = 0;
    let most = 0;
    // each probe holds until all three are in flight: run one at a time, this would never finish
    let allIn!: () => void;
    const barrier = new Promise<void>((r) => (allIn = r));
    const slow = (id: string) => ({ id, title: t(id), probe: async () => { inFlight++; most = Math.max(most, inFlight); if (inFlight === 3) allIn(); await barrier; inFlight--; return { ok: true as const, evidence: id }; } });
    const a = chapter(1, 'a', [], [slow('p'), slow('q'), slow('r')]);
    const { s } = await session('verify', {});
    const results = await runChecks(s, a, a.checks, {}, 3);
    expect(results.map((r) => r.evidence).sort()).toEqual(['p', 'q', 'r']);
    expect(most).toBe(3);
    expect(s.begun(a)).toBe(true);
  });

  it('runCheckList runs checks of several chapters in the given order, each under its own chapter', async () => {
    const a = chapter(1, 'a', [], [ok('x'), bad('y')]);
    const b = chapter(2, 'b', [], [ok('z')]);
    const { s, events } = await session('verify', {});
    const ran = await runCheckList(s, [{ chapter: b, check: b.checks[0]! }, { chapter: a, check: a.checks[1]! }]);
    expect(ran.map((r) => `${r.chapter.id}/${r.check.id} ${r.result.status}`)).toEqual(['b/z passed', 'a/y failed']);
    expect(events).toEqual(['start b', 'check z passed', 'start a', 'check y failed']);
  });
});

describe('wall time', () => {
  it('a chapter whose two checks run at once took as long as the slower one, and the total is the time that passed', async () => {
    // a driven clock: each probe moves it on by its own length, at once (checks of a chapter run concurrently)
    let now = 1_000_000;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const lab = testLab();
    const ctx = await testContext(lab, { clock });
    const s = new Session(ctx, await ProgressStore.open(lab.stateDir), 'verify');
    const slow = (id: string, ms: number) => ({ id, title: t(id), probe: async () => {
      const until = now + ms;
      await new Promise((r) => setImmediate(r));
      now = Math.max(now, until);
      return { ok: true as const, evidence: 'fine' };
    } });
    const a = chapter(1, 'a', [], [slow('x', 60_000), slow('y', 60_000)]);
    expect(await runChapters([a], s)).toBe('completed');
    const { renderSummary } = await import('../../scripts/ui/summary.js');
    const text = renderSummary(s, [a]);
    expect(text).toContain('2/2 passed, 1 min');
    expect(text).toContain('Total: 1 min');
    expect(text).not.toContain('2 min');
  });
});
