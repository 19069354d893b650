import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { main } from '../../scripts/main.js';
import { FakeTtyIn, FakeTtyOut, KEY, typeWhen } from '../helpers/tty.js';

let world: FakeWorld | undefined;
afterEach(() => world?.cleanup());

const kindRules = [
  { argv: ['get', 'clusters'], stdout: '{{clusters}}\n' },
  // kind@v0.20.0 pkg/cmd/kind/delete/cluster/deletecluster.go logs 'Deleting cluster "<name>" ...' and pkg/cluster/internal/delete 'Deleted nodes: [...]' to stderr
  { argv: ['delete', 'cluster', '--name', 'tempo-lab'], stderr: 'Deleting cluster "tempo-lab" ...\nDeleted nodes: ["tempo-lab-control-plane"]\n', set: { clusters: 'other' } },
];

function seedProgress(w: FakeWorld, facts: Record<string, unknown>, challenges?: Record<string, unknown>) {
  mkdirSync(w.stateDir, { recursive: true });
  const chapters = { cluster: { status: 'passed', mode: 'run', startedAt: '2026-11-25T00:00:00.000Z', finishedAt: '2026-11-25T00:01:00.000Z', durationMs: 60000, steps: {}, checks: {} } };
  writeFileSync(join(w.stateDir, 'progress.json'), JSON.stringify({ version: 1, updatedAt: '2026-11-25T00:01:00.000Z', facts, chapters, ...(challenges ? { challenges } : {}) }));
}

describe('workbook down (chapter 8)', () => {
  it('deletes the cluster the workbook created, proves it is gone, and resets progress', async () => {
    world = new FakeWorld({ rules: { kind: kindRules }, state: { clusters: 'other\ntempo-lab' } });
    seedProgress(world, { createdCluster: 'tempo-lab' });
    const r = await runCli(['down', '--yes'], world.env());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(world.calls('kind').map((c) => c.argv.join(' '))).toEqual(['get clusters', 'delete cluster --name tempo-lab', 'get clusters']);
    expect(r.stdout).toContain('kind clusters now: other');
    const p = world.progress();
    expect(p.facts.createdCluster).toBeUndefined();
    expect(Object.keys(p.chapters)).toEqual(['teardown']);
    const status = await runCli(['status'], world.env());
    expect(status.stdout).toMatch(/1 cluster +not started/);
  });

  it('a challenge under way ends with the lab (reset); a fixed one keeps its time and hints', async () => {
    world = new FakeWorld({ rules: { kind: kindRules }, state: { clusters: 'tempo-lab' } });
    const at = '2026-11-25T00:00:00.000Z';
    seedProgress(world, { createdCluster: 'tempo-lab' }, { 'no-series': { status: 'broken', startedAt: at, hintsUsed: 1 }, 'dots-gone': { status: 'fixed', startedAt: at, hintsUsed: 2, fixedAt: at, timeToFixMs: 5000 } });
    const r = await runCli(['down', '--yes'], world.env());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(world.progress().challenges).toEqual({ 'no-series': { status: 'reset', startedAt: at, hintsUsed: 1 }, 'dots-gone': { status: 'fixed', startedAt: at, hintsUsed: 2, fixedAt: at, timeToFixMs: 5000 } });
  });

  it('refuses a cluster the workbook did not create: nothing deleted, exit 1, one clear line', async () => {
    world = new FakeWorld({ rules: { kind: kindRules }, state: { clusters: 'tempo-lab' } });
    seedProgress(world, {});
    const r = await runCli(['down', '--yes'], world.env());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('refusing to delete cluster tempo-lab: the workbook did not create it');
    expect(world.calls('kind').map((c) => c.argv.join(' '))).toEqual(['get clusters']);
    expect(world.progress().chapters.cluster.status).toBe('passed'); // progress untouched
  });

  it('outside a terminal without --yes (CI unset): asks for --yes, deletes nothing, exit 2', async () => {
    world = new FakeWorld({ rules: { kind: kindRules }, state: { clusters: 'tempo-lab' } });
    seedProgress(world, { createdCluster: 'tempo-lab' });
    const r = await runCli(['down'], world.env());
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: "kind delete cluster --name tempo-lab" needs confirmation: run again with --yes\n');
    // the chapter is never drawn as done
    expect(r.stdout).not.toContain('✔ 8. Teardown');
    expect(r.stdout).toContain('✖ 8. Teardown');
    expect(world.calls('kind').some((c) => c.argv[0] === 'delete')).toBe(false);
  });

  it('a cluster still listed after the delete: the check fails with a hint', async () => {
    const stuck = [kindRules[0]!, { argv: ['delete', 'cluster', '--name', 'tempo-lab'], stderr: 'Deleting cluster "tempo-lab" ...\n' }];
    world = new FakeWorld({ rules: { kind: stuck }, state: { clusters: 'tempo-lab' } });
    seedProgress(world, { createdCluster: 'tempo-lab' });
    const r = await runCli(['down', '--yes', '--timeout', '4s'], world.env());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ [teardown/cluster-gone] cluster tempo-lab still exists');
    expect(r.stdout).toContain('docker ps');
  });

  it('an already deleted cluster is skipped', async () => {
    world = new FakeWorld({ rules: { kind: kindRules }, state: { clusters: '' } });
    seedProgress(world, { createdCluster: 'tempo-lab' });
    const r = await runCli(['down', '--yes'], world.env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cluster tempo-lab is already gone');
  });

  it('in a terminal: confirms first; declining deletes nothing', async () => {
    world = new FakeWorld({ rules: { kind: kindRules }, state: { clusters: 'tempo-lab' } });
    seedProgress(world, { createdCluster: 'tempo-lab' });
    const env = world.env();
    const stdin = new FakeTtyIn();
    const stdout = new FakeTtyOut();
    const done = main(['down'], { env, cwd: process.cwd(), stdin: stdin as never, stdout: stdout as never, stderr: new FakeTtyOut() as never }).catch((e: { exitCode?: number; name?: string; message?: string }) => (declined = e, e.exitCode));
    let declined: { name?: string; message?: string } | undefined;
    const at = await typeWhen(stdout, 'Run it?', stdin, KEY.enter);
    await typeWhen(stdout, 'This cannot be undone. Run kind delete cluster --name tempo-lab?', stdin, KEY.enter, at); // default: No
    // an answer, not an error: exit 0, and it says nothing was changed
    expect(await done).toBe(0);
    expect(declined).toMatchObject({ name: 'DeclinedError', message: 'nothing was changed: you declined kind delete cluster --name tempo-lab' });
    expect(world.calls('kind').some((c) => c.argv[0] === 'delete')).toBe(false);
  });
});
