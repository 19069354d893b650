import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { alive, FakeWorld, runCli, waitFor } from '../helpers/fakes.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { startGrafanaServer, type GrafanaServer } from '../helpers/grafana-server.js';
import { labKubectl } from '../helpers/scenarios.js';
import { freePort } from '../../scripts/effects/portforward.js';

let tempo: TempoServer;
let grafana: GrafanaServer;
beforeAll(async () => {
  tempo = await startTempoServer();
  grafana = await startGrafanaServer({ tempoUpstream: tempo.url, password: 'from-the-secret' });
});
afterAll(async () => {
  await grafana.close();
  await tempo.close();
});

describe('workbook open grafana', () => {
  it('forwards Grafana to 127.0.0.1, names the user (not the password), and keeps the forward until Ctrl-C', async () => {
    const gp = await freePort();
    const world = new FakeWorld({
      rules: {
        kubectl: [
          ...labKubectl('from-the-secret'),
          { prefix: ['--context', 'kind-tempo-lab', 'port-forward', '--address', '127.0.0.1', '--namespace', 'prometheus', 'service/prometheus-stack-grafana', `${gp}:80`], listen: true, proxyTo: grafana.url.replace('http://', '') },
        ],
      },
    });
    try {
      let cli: ChildProcess | undefined;
      let out = '';
      const run = runCli(['open', 'grafana'], world.env({ WORKBOOK_PORTS: `grafana=${gp}` }), {
        onSpawn: (c) => {
          cli = c;
          c.stdout!.on('data', (d) => (out += d));
        },
      });
      await waitFor('the URL', () => out.includes('until you press Ctrl-C'));
      expect(out).toContain(`grafana: http://127.0.0.1:${gp} — user admin (password from secret prometheus/prometheus-stack-grafana; --show-secrets prints it)`);
      expect(out).not.toContain('from-the-secret');
      const health = await (await fetch(`http://127.0.0.1:${gp}/api/health`)).json();
      expect(health).toMatchObject({ database: 'ok' });
      const forward = world.calls('kubectl').find((c) => c.argv.includes('port-forward'))!;
      cli!.kill('SIGINT');
      expect((await run).code).toBe(0); // Ctrl-C is how `open` ends
      expect(alive(forward.pid)).toBe(false);
    } finally {
      world.cleanup();
    }
  });

  it('with an explicit URL it only prints it', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['open', 'tempo', '--tempo-url', tempo.url], world.env());
      expect(r).toMatchObject({ code: 0, stdout: `tempo: ${tempo.url}\n` });
      expect((await runCli(['open', 'loki'], world.env())).stderr).toBe('error: open what? (usage: workbook open <grafana|prometheus|tempo>)\n');
    } finally {
      world.cleanup();
    }
  });

  it('while the port-forward is not answering yet, says what it waits for', async () => {
    const gp = await freePort();
    const world = new FakeWorld({
      rules: {
        kubectl: [
          ...labKubectl('from-the-secret'),
          { prefix: ['--context', 'kind-tempo-lab', 'port-forward', '--address', '127.0.0.1', '--namespace', 'prometheus', 'service/prometheus-stack-grafana', `${gp}:80`], listen: true, listenAfterMs: 1200, proxyTo: grafana.url.replace('http://', '') },
        ],
      },
    });
    try {
      let cli: ChildProcess | undefined;
      let out = '';
      let err = '';
      const run = runCli(['open', 'grafana'], world.env({ WORKBOOK_PORTS: `grafana=${gp}`, WORKBOOK_HEARTBEAT_MS: '300' }), {
        onSpawn: (c) => {
          cli = c;
          c.stdout!.on('data', (d) => (out += d));
          c.stderr!.on('data', (d) => (err += d));
        },
      });
      await waitFor('the URL', () => out.includes('until you press Ctrl-C'));
      expect(err).toMatch(/… waiting for the port-forward to service\/prometheus-stack-grafana in prometheus \(\d+ s\)/);
      cli!.kill('SIGINT');
      await run;
    } finally {
      world.cleanup();
    }
  });
});
