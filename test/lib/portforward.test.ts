import { LAB_CONTEXT } from '../helpers/scenarios.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { alive, FakeWorld, runCli, waitFor } from '../helpers/fakes.js';
import { freePort, PortForwardManager, portForwardArgv, forwardTargets } from '../../scripts/effects/portforward.js';
import { spawn } from 'node:child_process';
import { testLab } from '../helpers/context.js';

const PF = ['--context', 'kind-tempo-lab', 'port-forward', '--address', '127.0.0.1'];

let world: FakeWorld | undefined;
let manager: PortForwardManager | undefined;
afterEach(async () => {
  await manager?.stopAll();
  world?.cleanup();
});

function managerOnFakes(w: FakeWorld, notices: string[] = [], signal?: AbortSignal) {
  const env = w.env();
  return new PortForwardManager({
    spawn: (argv) => spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    notice: (m) => notices.push(m),
    readyTimeoutMs: 5000,
    ...(signal ? { signal } : {}),
  });
}

describe('PortForwardManager with a fake kubectl that really listens', () => {
  const lab = testLab();
  const target = forwardTargets(lab).prometheus;

  it('a forward that never listens: the evidence says the workbook stopped it after waiting, not "exited: no output"', async () => {
    world = new FakeWorld({ rules: { kubectl: [...LAB_CONTEXT, { prefix: PF, listen: true, listenAfterMs: 600_000 }] } });
    const env = world.env();
    manager = new PortForwardManager({ spawn: (argv) => spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] }), readyTimeoutMs: 1500 });
    const port = await freePort();
    await expect(manager.ensure('prometheus', (p) => portForwardArgv(lab, target, p), port)).rejects.toThrow(`127.0.0.1:${port} did not answer within 1500 ms (the workbook stopped it)`);
    expect(manager.pids()).toEqual([]);
  });

  it('waits until the local port answers, then reuses the same forward', async () => {
    world = new FakeWorld({ rules: { kubectl: [...LAB_CONTEXT, { prefix: PF, listen: true }] } });
    manager = managerOnFakes(world);
    const port = await freePort();
    const url = await manager.ensure('prometheus', (p) => portForwardArgv(lab, target, p), port);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(await (await fetch(url)).text()).toBe('fake');
    expect(await manager.ensure('prometheus', (p) => portForwardArgv(lab, target, p), port)).toBe(url);
    expect(world.calls('kubectl')).toHaveLength(1);
    expect(world.calls('kubectl')[0]!.argv).toEqual([...PF, '--namespace', 'prometheus', 'service/prometheus-stack-prometheus', `${port}:9090`]);
  });

  it('after Ctrl-C (the signal), a forward that dies is not started again, and no new one is started', async () => {
    world = new FakeWorld({ rules: { kubectl: [{ prefix: PF, listen: true, dieAfterMs: 400 }] } });
    const notices: string[] = [];
    const ac = new AbortController();
    manager = managerOnFakes(world, notices, ac.signal);
    await manager.ensure('prometheus', (p) => portForwardArgv(lab, target, p), await freePort());
    ac.abort();
    const firstPid = world.calls('kubectl')[0]!.pid;
    await waitFor('the forward to die', () => !alive(firstPid));
    await new Promise((r) => setTimeout(r, 300));
    expect(world.calls('kubectl')).toHaveLength(1);
    expect(notices).toEqual([]);
    await expect(manager.ensure('grafana', (p) => portForwardArgv(lab, forwardTargets(lab).grafana, p), await freePort())).rejects.toThrow('not starting a port-forward for grafana: stopping');
    expect(world.calls('kubectl')).toHaveLength(1);
  });

  it('a forward that dies is started again on the same port', async () => {
    world = new FakeWorld({ rules: { kubectl: [{ prefix: PF, listen: true, dieAfterMs: 400 }] } });
    const notices: string[] = [];
    manager = managerOnFakes(world, notices);
    const port = await freePort();
    const url = await manager.ensure('prometheus', (p) => portForwardArgv(lab, target, p), port);
    const firstPid = world.calls('kubectl')[0]!.pid;
    await waitFor('a restart', () => world!.calls('kubectl').length >= 2);
    expect(alive(firstPid)).toBe(false);
    expect(notices.some((n) => n.includes('port-forward for prometheus stopped; starting it again (1/5)'))).toBe(true);
    const second = await waitFor('the restarted forward to answer', () => world!.calls('kubectl')[1]);
    expect(second.argv).toEqual(world.calls('kubectl')[0]!.argv);
    let text = '';
    for (let i = 0; i < 40 && !text; i++) {
      text = await fetch(url).then((r) => r.text()).catch(async () => (await new Promise((r) => setTimeout(r, 50)), ''));
    }
    expect(text).toBe('fake');
  });

  it('a taken port: another free one is picked, and the learner is told', async () => {
    world = new FakeWorld({ rules: { kubectl: [...LAB_CONTEXT, { prefix: PF, listen: true }] } });
    const notices: string[] = [];
    manager = managerOnFakes(world, notices);
    const taken = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(taken, '127.0.0.1', () => r()));
    try {
      const url = await manager.ensure('grafana', (p) => portForwardArgv(lab, forwardTargets(lab).grafana, p), taken);
      expect(url).not.toBe(`http://127.0.0.1:${taken}`);
      expect(notices[0]).toMatch(new RegExp(`port ${taken} is taken; forwarding grafana to 127\\.0\\.0\\.1:\\d+ instead`));
    } finally {
      blocker.close();
    }
  });

  it('never ready (kubectl exits): a clear error naming the command, no child left', async () => {
    world = new FakeWorld({ rules: { kubectl: [{ prefix: PF, stderr: 'error: services "prometheus-stack-prometheus" not found\n', exitCode: 1 }] } });
    manager = managerOnFakes(world);
    const port = await freePort();
    await expect(manager.ensure('prometheus', (p) => portForwardArgv(lab, target, p), port)).rejects.toThrow(
      `port-forward for prometheus failed (kubectl --context kind-tempo-lab port-forward --address 127.0.0.1 --namespace prometheus service/prometheus-stack-prometheus ${port}:9090): exited: error: services "prometheus-stack-prometheus" not found`,
    );
    expect(manager.pids()).toEqual([]);
  });

  it('stopAll kills every child (asserted by PID)', async () => {
    world = new FakeWorld({ rules: { kubectl: [...LAB_CONTEXT, { prefix: PF, listen: true }] } });
    manager = managerOnFakes(world);
    await manager.ensure('prometheus', (p) => portForwardArgv(lab, target, p), await freePort());
    await manager.ensure('grafana', (p) => portForwardArgv(lab, forwardTargets(lab).grafana, p), await freePort());
    const pids = world.calls('kubectl').map((c) => c.pid);
    expect(pids.every(alive)).toBe(true);
    await manager.stopAll();
    expect(pids.some(alive)).toBe(false);
  });
});

describe('Ctrl-C during a check (the real CLI)', () => {
  it('exits 130, leaves no port-forward behind, and marks the chapter interrupted', async () => {
    world = new FakeWorld({ rules: { kubectl: [...LAB_CONTEXT, { prefix: PF, listen: true }] } });
    const [pp, gp] = [await freePort(), await freePort()];
    let cli: import('node:child_process').ChildProcess | undefined;
    const run = runCli(['verify', 'prometheus', '--timeout', '60s'], world.env({ CI: 'true', WORKBOOK_PORTS: `prometheus=${pp},grafana=${gp}` }), {
      onSpawn: (c) => (cli = c),
    });
    const call = await waitFor('the port-forward to start', () => world!.calls('kubectl').find((c) => c.argv.includes('port-forward')));
    // the fake answers "fake", not Prometheus: the check keeps re-probing until we interrupt it
    await new Promise((r) => setTimeout(r, 500));
    expect(alive(call.pid)).toBe(true);
    cli!.kill('SIGINT');
    const r = await run;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted: stopping port-forwards and saving progress');
    expect(alive(call.pid)).toBe(false);
    expect(world.progress().chapters.prometheus.status).toBe('interrupted');
    // the check still re-probing at Ctrl-C (Grafana's health: the fake's "fake" is not JSON yet) is interrupted,
    // never failed, and gets no hint; prometheus-ready had already failed at once (the fake is not Prometheus)
    const checks = world.progress().chapters.prometheus.checks as Record<string, { status: string; evidence: string }>;
    expect(checks['grafana-health']!.status, checks['grafana-health']!.evidence).toBe('interrupted');
    expect(checks['grafana-health']!.evidence).toMatch(/^interrupted \(Ctrl-C\); last seen: /);
    expect(r.stdout).not.toMatch(/✖ \[prometheus\/grafana-health\]/);
  });
});

describe('kill -9 on the workbook (the real CLI)', () => {
  it('the port-forward ends with it (its pipe closes), and the next start marks the chapter interrupted, not running', async () => {
    world = new FakeWorld({ rules: { kubectl: [...LAB_CONTEXT, { prefix: PF, listen: true }] } });
    const [pp, gp] = [await freePort(), await freePort()];
    let cli: import('node:child_process').ChildProcess | undefined;
    const env = world.env({ CI: 'true', WORKBOOK_PORTS: `prometheus=${pp},grafana=${gp}` });
    const run = runCli(['verify', 'prometheus', '--timeout', '60s'], env, { onSpawn: (c) => (cli = c) });
    const call = await waitFor('the port-forward to start', () => world!.calls('kubectl').find((c) => c.argv.includes('port-forward')));
    await waitFor('the chapter to be recorded as running', () => (world!.progress()?.chapters?.prometheus?.status === 'running' ? true : undefined));
    cli!.kill('SIGKILL');
    await run;
    // nothing the dead workbook started keeps listening: the supervisor saw its pipe close and killed kubectl
    await waitFor('the forward to end', () => (alive(call.pid) ? undefined : true));
    expect(world.progress().chapters.prometheus.status).toBe('running');
    const st = await runCli(['status'], env);
    expect(st.stdout).toMatch(/2 prometheus +interrupted/);
  });
});

