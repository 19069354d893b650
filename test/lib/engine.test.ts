import { describe, expect, it } from 'vitest';
import { executeCheck, executeStep, probeUntil } from '../../scripts/core/engine.js';
import type { Check, Outcome, Step } from '../../scripts/core/model.js';
import { scriptedShell, testContext, testLab } from '../helpers/context.js';
import type { Clock } from '../../scripts/effects/real.js';

/** A fake clock: sleeping advances time instantly. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) };
}

const hint = { en: 'h', 'zh-TW': 'h' };

describe('probeUntil', () => {
  it('re-probes with 250/500/1000 ms pauses until it passes', async () => {
    const clock = fakeClock();
    const ctx = await testContext(testLab({ timeoutMs: 10_000 }), { clock });
    let n = 0;
    const check: Check = { id: 'c', title: hint, probe: async (): Promise<Outcome> => (++n < 5 ? { ok: false, evidence: `try ${n}`, hint } : { ok: true, evidence: 'done' }) };
    const r = await probeUntil(check, ctx);
    expect(r).toEqual({ outcome: { ok: true, evidence: 'done' }, attempts: 5, manual: [] });
    expect(clock.slept).toEqual([250, 500, 1000, 1000]);
  });
  it('gives up at the deadline with the last evidence', async () => {
    const clock = fakeClock();
    const ctx = await testContext(testLab({ timeoutMs: 3000 }), { clock });
    const r = await executeCheck({ id: 'c', title: hint, probe: async () => ({ ok: false, evidence: 'still no', hint }) }, ctx);
    expect(r.status).toBe('failed');
    expect(r.evidence).toBe('still no');
    expect(clock.now()).toBeLessThanOrEqual(3000);
    // at 0, 250, 750, 1750 ms; one at 2750 ms would have only 250 ms left (less than MIN_ATTEMPT_MS): not started
    expect(r.attempts).toBe(4);
  });
  it('an attempt that would be starved by the deadline is not started: the last real reading stands, not a cut-short one', async () => {
    const clock = fakeClock();
    const ctx = await testContext(testLab({ timeoutMs: 1400 }), { clock });
    const seen: number[] = [];
    const r = await executeCheck({ id: 'c', title: hint, probe: async () => (seen.push(clock.now()), { ok: false, evidence: `reading at ${clock.now()} ms`, hint }) }, ctx);
    // 0 and 250 ms start; 750 ms would leave 650 ms, less than a full attempt's 1000 ms
    expect(seen).toEqual([0, 250]);
    expect(r.evidence).toBe('reading at 250 ms');
  });
  it('a final failure or a once-check is probed once; a thrown error becomes evidence', async () => {
    const ctx = await testContext(testLab(), { clock: fakeClock() });
    expect((await probeUntil({ id: 'c', title: hint, probe: async () => ({ ok: false, final: true, evidence: 'x', hint }) }, ctx)).attempts).toBe(1);
    const thrown = await executeCheck({ id: 'c', title: hint, once: true, probe: async () => { throw new Error('GET http://x: ECONNREFUSED'); } }, ctx);
    expect(thrown).toMatchObject({ status: 'failed', evidence: 'GET http://x: ECONNREFUSED', attempts: 1 });
  });
  it('advisory checks warn instead of failing', async () => {
    const ctx = await testContext(testLab(), { clock: fakeClock() });
    const r = await executeCheck({ id: 'c', title: hint, level: 'advisory', once: true, probe: async () => ({ ok: false, evidence: 'busy', hint }) }, ctx);
    expect(r.status).toBe('warned');
  });
});

describe('executeStep', () => {
  const step: Step = { id: 's', title: hint, why: hint, command: (lab) => ({ argv: ['kind', 'delete', 'cluster', '--name', lab.clusterName] }), destructive: true };

  it('runs the exact argv and reports the last line', async () => {
    const shell = scriptedShell({ 'kind delete cluster --name tempo-lab': { stdout: 'Deleting cluster "tempo-lab" ...\n' } });
    const ctx = await testContext(testLab(), { shell });
    const r = await executeStep(step, ctx);
    expect(r).toMatchObject({ status: 'passed', evidence: 'Deleting cluster "tempo-lab" ...', command: 'kind delete cluster --name tempo-lab' });
    expect(shell.calls.map((c) => c.argv)).toEqual([['kind', 'delete', 'cluster', '--name', 'tempo-lab']]);
  });
  it('a destructive step without --yes outside a terminal is refused, and nothing runs', async () => {
    const shell = scriptedShell({});
    const ctx = await testContext(testLab({ yes: false }), { shell });
    await expect(executeStep(step, ctx)).rejects.toThrow('"kind delete cluster --name tempo-lab" needs confirmation: run again with --yes');
    expect(shell.calls).toEqual([]);
  });
  it('a declined confirmation runs nothing', async () => {
    const shell = scriptedShell({});
    const ctx = await testContext(testLab({ yes: false, interactive: true }), { shell });
    await expect(executeStep(step, ctx, { confirm: async () => false })).rejects.toThrow('declined');
    expect(shell.calls).toEqual([]);
  });
  it('a failing command: its last stderr lines as evidence, the full text as error', async () => {
    const shell = scriptedShell({ 'kind delete cluster --name tempo-lab': { exitCode: 1, stderr: 'a\nb\nERROR: boom\n' } });
    const ctx = await testContext(testLab(), { shell });
    const r = await executeStep(step, ctx);
    expect(r).toMatchObject({ status: 'failed', evidence: 'exit 1: b | ERROR: boom', error: 'a\nb\nERROR: boom\n' });
  });
});
