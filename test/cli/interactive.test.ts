import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../scripts/main.js';
import { FakeWorld } from '../helpers/fakes.js';
import { FakeTtyIn, FakeTtyOut, KEY, typeWhen } from '../helpers/tty.js';
import { goodMachine } from '../helpers/scenarios.js';
import { freePort } from '../../scripts/lib/portforward.js';

let world: FakeWorld | undefined;
afterEach(() => world?.cleanup());

const NODE_IMAGE = 'kindest/node:v1.27.3@sha256:3966ac761ae0136263ffdb6cfd4db23ef8a83cba8a463690e98317add2c9ba72';

function ttyIo(env: NodeJS.ProcessEnv) {
  const stdin = new FakeTtyIn();
  const stdout = new FakeTtyOut();
  const stderr = new FakeTtyOut();
  return { stdin, stdout, stderr, io: { env, cwd: process.cwd(), stdin: stdin as never, stdout: stdout as never, stderr: stderr as never } };
}

describe('interactive mode (TTY stub, CI unset)', () => {
  it('run cluster: shows the lesson and each command with why, asks, runs it, then shows the checks', async () => {
    world = new FakeWorld({
      rules: {
        kind: [
          { argv: ['get', 'clusters'], stdout: '' },
          { prefix: ['create', 'cluster'], stdout: 'Creating cluster "tempo-lab" ...\n', set: { ctx: 'kind-tempo-lab' } },
        ],
        kubectl: [
          { argv: ['config', 'get-contexts', '--output=name'], stdout: '{{ctx}}\n' },
          { argv: ['config', 'current-context'], stdout: '{{ctx}}\n' },
          { prefix: ['--context', 'kind-tempo-lab', 'get', 'nodes'], stdout: JSON.stringify({ items: [{ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }] }) },
          { prefix: ['--context', 'kind-tempo-lab', 'get', 'deployment', 'coredns'], stdout: JSON.stringify({ spec: { replicas: 2 }, status: { readyReplicas: 2 } }) },
        ],
      },
    });
    const env = world.env();
    delete env.CI;
    const t = ttyIo(env);
    const done = main(['run', 'cluster'], t.io);
    await typeWhen(t.stdout, 'Run it?', t.stdin, KEY.enter);
    // a passed chapter offers the next one; decline
    await typeWhen(t.stdout, 'Continue with 2. kube-prometheus-stack with exemplars and remote write?', t.stdin, KEY.right + KEY.enter);
    expect(await done).toBe(0);
    const screen = t.stdout.text;
    expect(screen).toContain('kind ("Kubernetes in Docker")'); // the lesson
    expect(screen).toContain(`$ kind create cluster --name tempo-lab --image ${NODE_IMAGE} --config manifests/kind-cluster.yaml --wait 120s`);
    expect(screen).toContain('Why: One Docker container becomes a Kubernetes node');
    expect(screen).toContain('every node is Ready — 1/1 nodes Ready');
    expect(world.calls('kind').map((c) => c.argv[0])).toEqual(['get', 'create']);
  });

  it('choosing "Stop here" runs nothing and exits 130 with progress saved', async () => {
    world = new FakeWorld({ rules: { kind: [{ argv: ['get', 'clusters'], stdout: '' }] } });
    const env = world.env();
    delete env.CI;
    const t = ttyIo(env);
    const done = main(['run', 'cluster'], t.io).catch((e: { exitCode?: number }) => e.exitCode);
    await typeWhen(t.stdout, 'Run it?', t.stdin, KEY.down + KEY.down);
    await new Promise((r) => setTimeout(r, 50));
    t.stdin.write(KEY.enter);
    expect(await done).toBe(130);
    expect(world.calls('kind')).toEqual([]);
    expect(t.stdout.text).toContain('Progress is saved');
  });

  it('the menu offers to continue where you left off, and shows progress', async () => {
    world = new FakeWorld(goodMachine());
    const env = world.env({ WORKBOOK_PORTS: `grafana=${await freePort()},prometheus=${await freePort()},tempo=${await freePort()}` });
    delete env.CI;
    const t = ttyIo(env);
    const done = main([], t.io);
    await typeWhen(t.stdout, 'What next?', t.stdin, KEY.down + KEY.down + KEY.down);
    await new Promise((r) => setTimeout(r, 50));
    t.stdin.write(KEY.enter);
    expect(await done).toBe(0);
    expect(t.stdout.text).toContain('Continue: 0. Prerequisites (doctor)');
    expect(t.stdout.text).toContain('0 prerequisites');
    expect(t.stdout.text).toContain('Next: 0 Prerequisites (doctor) → workbook run prerequisites');
  });
});
