// The long-step heartbeat owns the pods query it runs: stop() cancels it and waits for it, so nothing the step
// started outlives the step (a kubectl left running once raced a test's cleanup: ENOTEMPTY).
import { describe, expect, it } from 'vitest';
import { startHeartbeat } from '../../scripts/lab/heartbeat.js';
import type { Step } from '../../scripts/core/model.js';
import type { Shell } from '../../scripts/core/effects.js';
import { testContext, testLab } from '../helpers/context.js';

const step: Step = { id: 'install', title: { en: 'i', 'zh-TW': '安裝' }, why: { en: 'w', 'zh-TW': '原因' }, command: () => ({ argv: ['helm'] }), progressNamespace: () => 'tracing' };

describe('heartbeat', () => {
  it('stop() aborts a pods query still running and resolves only after it has ended; no line is emitted after stop', async () => {
    let called!: () => void;
    const started = new Promise<void>((r) => (called = r));
    const log: string[] = [];
    const shell: Shell = {
      which: async () => '/fake/kubectl',
      run: (cmd, o) => {
        log.push(`run ${cmd.argv.slice(0, 3).join(' ')}`);
        called();
        // a kubectl that hangs until it is cancelled
        return new Promise((resolve) => o?.signal?.addEventListener('abort', () => setImmediate(() => (log.push('ended'), resolve({ exitCode: 130, stdout: '', stderr: 'killed' }))), { once: true }));
      },
    };
    const ctx = await testContext(testLab(), { shell });
    const lines: string[] = [];
    const beat = startHeartbeat(step, ctx, { everyMs: 5, emit: (l) => lines.push(l) });
    await started;
    await beat.stop();
    log.push('stopped');
    expect(log.filter((l) => l.startsWith('run')).length).toBe(1);
    expect(log.slice(-2)).toEqual(['ended', 'stopped']);
    expect(lines).toEqual([]);
  });

  it('beats with elapsed time, pods ready and the last output line while the step runs', async () => {
    let beats!: () => void;
    const two = new Promise<void>((r) => (beats = r));
    const shell: Shell = { which: async () => '/fake/kubectl', run: async () => ({ exitCode: 0, stdout: JSON.stringify({ items: [{ metadata: { name: 'a' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, { metadata: { name: 'b' }, status: {} }] }), stderr: '' }) };
    const ctx = await testContext(testLab(), { shell });
    const lines: string[] = [];
    const beat = startHeartbeat(step, ctx, { everyMs: 5, emit: (l) => (lines.push(l), lines.length === 2 && beats()) });
    beat.line('Release "tempo" is being installed');
    await two;
    await beat.stop();
    expect(lines[0]).toMatch(/^… still running, .+; pods ready 1\/2 in tracing; last output: Release "tempo" is being installed$/);
  });
});
