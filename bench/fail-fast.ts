// Benchmark (not a test): how fast a missing or broken lab is diagnosed. `npm run bench`.
// - `verify all` at the default timeout on a machine where chapter 1 never ran (fake tools: kubectl knows no
//   contexts, no Docker daemon): goal ≤ 10 s (it took about 1.5 h before checks could end early).
// - `verify prometheus --prometheus-url http://127.0.0.1:<closed port>`: goal ≤ 5 s.
// - `verify 2 --timeout 5s` against a Prometheus that accepts and never answers: goal ≤ 7 s.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FakeWorld, ROOT } from '../test/helpers/fakes.js';
import { daemonDown, noClusterMachine } from '../test/helpers/scenarios.js';
import { freePort } from '../scripts/effects/portforward.js';

const CLI = join(ROOT, 'dist/scripts/cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' }).on('exit', (code) => resolve({ ms: performance.now() - t0, code: code ?? 1 })));
}

async function measure(name: string, goalMs: number, args: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await run(args, env);
    if (r.code === 0) throw new Error(`${name}: expected a failure, got exit 0`);
    times.push(r.ms);
  }
  const m = median(times);
  console.log(`${name.padEnd(58)} median ${(m / 1000).toFixed(2).padStart(6)} s  (max ${(Math.max(...times) / 1000).toFixed(2)} s, ${RUNS} runs)  goal ≤ ${goalMs / 1000} s  ${m <= goalMs ? 'met' : 'MISSED'}`);
  return m <= goalMs;
}

async function main(): Promise<void> {
  let missed = 0;
  const world = new FakeWorld(noClusterMachine({ docker: daemonDown }));
  const silent = createServer(() => {}); // accepts connections, never answers
  const silentPort = await freePort();
  await new Promise<void>((r) => silent.listen(silentPort, '127.0.0.1', () => r()));
  try {
    const env = world.env({ CI: 'true' });
    if (!(await measure('verify all, no cluster, default timeout (3m)', 10_000, ['verify', 'all'], env))) missed++;
    const closed = await freePort();
    if (!(await measure(`verify prometheus --prometheus-url <closed port>`, 5_000, ['verify', 'prometheus', '--prometheus-url', `http://127.0.0.1:${closed}`], env))) missed++;
    const s = `http://127.0.0.1:${silentPort}`;
    if (!(await measure('verify 2 --timeout 5s, a Prometheus that never answers', 7_000, ['verify', '2', '--timeout', '5s', '--prometheus-url', s], env))) missed++;
    // each check has its own budget: two silent endpoints take two budgets (reported, no goal)
    const both = await run(['verify', '2', '--timeout', '5s', '--prometheus-url', s, '--grafana-url', s], env);
    console.log(`${'verify 2 --timeout 5s, Prometheus and Grafana never answer'.padEnd(58)} ${(both.ms / 1000).toFixed(2).padStart(13)} s  (two checks, 5 s each)`);
  } finally {
    silent.close();
    world.cleanup();
  }
  if (missed) process.exitCode = 1;
}

void main();
