import { afterEach, describe, expect, it } from 'vitest';
import { FakeWorld, runCli, type FakeRule } from '../helpers/fakes.js';
import { formatCommand } from '../../scripts/core/format.js';

const NODE_IMAGE = 'kindest/node:v1.27.3@sha256:3966ac761ae0136263ffdb6cfd4db23ef8a83cba8a463690e98317add2c9ba72';
const CREATE = ['create', 'cluster', '--name', 'tempo-lab', '--image', NODE_IMAGE, '--config', 'manifests/kind-cluster.yaml', '--wait', '120s'];

const readyNodes = JSON.stringify({ items: [{ metadata: { name: 'tempo-lab-control-plane' }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.27.3' } } }] });
const coredns = (ready: number) => JSON.stringify({ spec: { replicas: 2 }, status: { readyReplicas: ready } });

function clusterRules(over: { kind?: FakeRule[]; kubectl?: FakeRule[] } = {}) {
  return {
    kind: over.kind ?? [
      { argv: ['get', 'clusters'], stdout: '{{clusters}}\n' },
      // kind@v0.20.0 pkg/cluster/internal/create/create.go: 'Creating cluster "<name>" ...' then ' ✓ Ensuring node image' (status lines, abbreviated)
      { argv: CREATE, stdout: 'Creating cluster "tempo-lab" ...\n ✓ Ensuring node image\n', set: { clusters: 'tempo-lab', contexts: 'kind-tempo-lab' } },
    ],
    kubectl: over.kubectl ?? [
      { argv: ['config', 'get-contexts', '--output=name'], stdout: '{{contexts}}\n' },
      { argv: ['config', 'current-context'], stdout: 'kind-tempo-lab\n' },
      { argv: ['--context', 'kind-tempo-lab', 'get', 'nodes', '--output=json'], stdout: readyNodes },
      { argv: ['--context', 'kind-tempo-lab', 'get', 'deployment', 'coredns', '--namespace', 'kube-system', '--output=json'], stdout: coredns(2) },
    ],
  };
}

let world: FakeWorld | undefined;
afterEach(() => world?.cleanup());

describe('workbook run cluster (fake kind/kubectl)', () => {
  it('creates the cluster with the pinned node image, then proves it is usable; re-running skips the create', async () => {
    world = new FakeWorld({ rules: clusterRules(), state: { clusters: 'other', contexts: 'prod' } });
    const first = await runCli(['run', 'cluster'], world.env({ CI: 'true' }));
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(world.calls('kind').map((c) => formatCommand(c.argv))).toEqual(['get clusters', formatCommand(CREATE)]);
    expect(first.stdout).toContain('1/1 nodes Ready (kubelet v1.27.3)');
    expect(first.stdout).toContain('coredns 2/2 replicas ready');
    expect(world.progress().facts.createdCluster).toBe('tempo-lab');
    expect(world.progress().chapters.cluster.status).toBe('passed');

    world.clearCalls();
    const again = await runCli(['run', 'cluster'], world.env({ CI: 'true' }));
    expect(again.code).toBe(0);
    expect(world.calls('kind').map((c) => formatCommand(c.argv))).toEqual(['get clusters']);
    expect(again.stdout).toContain('cluster tempo-lab exists; left as it is');
    expect(world.progress().chapters.cluster.steps['create-cluster'].status).toBe('skipped');
  });

  it('a cluster that already existed is used but not recorded as ours (teardown will not delete it)', async () => {
    world = new FakeWorld({ rules: clusterRules(), state: { clusters: 'tempo-lab', contexts: 'kind-tempo-lab' } });
    const r = await runCli(['run', 'cluster'], world.env({ CI: 'true' }));
    expect(r.code).toBe(0);
    expect(world.calls('kind').map((c) => c.argv.join(' '))).toEqual(['get clusters']);
    expect(world.progress().facts.createdCluster).toBeUndefined();
  });

  it('kind failing: one line with the command that failed, exit 1, checks not run', async () => {
    world = new FakeWorld({
      rules: clusterRules({
        kind: [
          { argv: ['get', 'clusters'], stdout: '' },
          // kind@v0.20.0 cmd/kind/app/main.go prints errors as "ERROR: <msg>"; the message is create.go's pull failure (abbreviated)
          { argv: CREATE, stderr: 'ERROR: failed to create cluster: failed to pull image "kindest/node"\n', exitCode: 1 },
        ],
      }),
      state: { contexts: '' },
    });
    const r = await runCli(['run', 'cluster'], world.env({ CI: 'true' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`$ kind ${formatCommand(CREATE)}`);
    expect(r.stdout).toContain('exit 1: ERROR: failed to create cluster: failed to pull image "kindest/node"');
    expect(world.calls('kubectl')).toEqual([]);
    expect(world.progress().chapters.cluster.status).toBe('failed');
  });

  it('nodes not Ready: the check fails with evidence and a hint after its deadline', async () => {
    const notReady = JSON.stringify({ items: [{ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } }] });
    const rules = clusterRules();
    rules.kubectl[2] = { argv: ['--context', 'kind-tempo-lab', 'get', 'nodes', '--output=json'], stdout: notReady };
    rules.kubectl[3] = { argv: ['--context', 'kind-tempo-lab', 'get', 'deployment', 'coredns', '--namespace', 'kube-system', '--output=json'], stdout: coredns(0) };
    world = new FakeWorld({ rules, state: { clusters: 'tempo-lab', contexts: 'kind-tempo-lab' } });
    const r = await runCli(['verify', 'cluster', '--timeout', '4s'], world.env({ CI: 'true' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ [cluster/nodes-ready] 0/1 nodes Ready');
    expect(r.stdout).toContain('kubectl describe node');
    expect(r.stdout).toContain('✖ [cluster/coredns] coredns 0/2 replicas ready');
    // re-probed until the deadline, not once
    expect(world.calls('kubectl').filter((c) => c.argv.includes('nodes')).length).toBeGreaterThan(1);
  });

  it('the context check fails when the lab\'s context is missing, naming the current one', async () => {
    world = new FakeWorld({ rules: clusterRules(), state: { clusters: '', contexts: 'prod' } });
    const rules = clusterRules();
    rules.kubectl[1] = { argv: ['config', 'current-context'], stdout: 'prod\n' };
    world.setScenario({ rules, state: { contexts: 'prod' } });
    const r = await runCli(['verify', 'cluster', '--timeout', '4s'], world.env({ CI: 'true' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ [cluster/context] kube context "kind-tempo-lab" does not exist (your current context is "prod"; the workbook never uses it unless --context names it)');
    expect(r.stdout).toContain('hint: Create the lab cluster first (`workbook run cluster`)');
  });

  it('refuses a context that is not the lab\'s: names the current one and never falls back to it', async () => {
    world = new FakeWorld({
      rules: {
        kubectl: [
          { argv: ['config', 'get-contexts', '--output=name'], stdout: 'prod\nstaging\n' },
          { argv: ['config', 'current-context'], stdout: 'prod\n' },
        ],
        helm: [
          // helm/helm@v3.12.3 cmd/helm/repo_add.go: '"<name>" has been added to your repositories'; repo_update.go: 'Update Complete. ⎈Happy Helming!⎈' (abbreviated)
          { prefix: ['repo', 'add'], stdout: '"prometheus-community" has been added\n' },
          { prefix: ['repo', 'update'], stdout: 'Update Complete.\n' },
        ],
      },
    });
    const r = await runCli(['run', 'prometheus'], world.env({ CI: 'true' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('kube context "kind-tempo-lab" does not exist (your current context is "prod"; the workbook never uses it unless --context names it)');
    expect(world.calls('helm').some((c) => c.argv.includes('upgrade'))).toBe(false);
  });

  it('--context names another context on purpose: it is used, explicitly, in every command', async () => {
    world = new FakeWorld({
      rules: {
        kubectl: [
          { argv: ['config', 'get-contexts', '--output=name'], stdout: 'prod\nmy-lab\n' },
          { argv: ['config', 'current-context'], stdout: 'prod\n' },
        ],
        helm: [
          { prefix: ['repo'], stdout: 'ok\n' },
          // helm/helm@v3.12.3 pkg/action/install.go wraps a --wait timeout as "INSTALLATION FAILED: timed out waiting for the condition" (k8s.io/apimachinery wait.ErrWaitTimeout)
          { prefix: ['--kube-context', 'my-lab', 'upgrade', '--install'], stderr: 'Error: INSTALLATION FAILED: timed out waiting for the condition\n', exitCode: 1 },
        ],
      },
    });
    const r = await runCli(['run', 'prometheus', '--context', 'my-lab'], world.env({ CI: 'true' }));
    // helm failing: one line, the command that failed, exit 1
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('$ helm --kube-context my-lab upgrade --install prometheus-stack');
    expect(r.stdout).toContain('exit 1: Error: INSTALLATION FAILED: timed out waiting for the condition');
    expect(world.calls('helm').map((c) => c.argv.slice(0, 3).join(' '))).toEqual([
      'repo add prometheus-community',
      'repo update prometheus-community',
      '--kube-context my-lab upgrade',
    ]);
  });
});
