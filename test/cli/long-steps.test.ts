// Long steps say what is happening: elapsed time, pods ready in the namespace, the last output line.
import { describe, expect, it } from 'vitest';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { LAB_CONTEXT, pod } from '../helpers/scenarios.js';

describe('a long helm install (the fake sleeps 1.5 s), heartbeat every 300 ms', () => {
  it('prints a progress line with elapsed time, pods ready in the namespace, and the last output line', async () => {
    const pods = { items: [pod('prometheus-stack-grafana-0', {}, true), pod('prometheus-prometheus-stack-prometheus-0', {}, false)] };
    const world = new FakeWorld({
      rules: {
        helm: [
          { prefix: ['repo'], stdout: 'ok\n' },
          // helm prints its STATUS only at the end (helm/helm@v3.12.3 pkg/cli/output); ours is abbreviated
          { prefix: ['--kube-context', 'kind-tempo-lab', 'upgrade', '--install'], stdout: 'Release "prometheus-stack" does not exist. Installing it now.\nSTATUS: deployed\n', sleepMs: 1500 },
        ],
        kubectl: [...LAB_CONTEXT, { argv: ['--context', 'kind-tempo-lab', 'get', 'pods', '--namespace', 'prometheus', '--output=json'], stdout: JSON.stringify(pods) }],
      },
    });
    try {
      const r = await runCli(['run', 'prometheus', '--yes', '--timeout', '1s'], world.env({ CI: 'true', WORKBOOK_HEARTBEAT_MS: '300' }));
      expect(r.stdout).toMatch(/… still running, \d+(\.\d+)? ?m?s; pods ready 1\/2 in prometheus/);
    } finally {
      world.cleanup();
    }
  });
});
