// Benchmark (not a test): `run all` against `run all --fast` on a lab of fakes whose slow steps take time
// (pulls 250 ms each, kind create 900 ms, installs 700 ms), with a real Prometheus and the contract servers.
// Prints both wall times and the critical path the --fast plan predicts for the same durations.
import { spawn } from 'node:child_process';
import { FakeWorld, CLI } from '../test/helpers/fakes.js';
import { slowLab } from '../test/helpers/scenarios.js';
import { startPrometheus } from '../test/helpers/prometheus.js';
import { startTempoServer } from '../test/helpers/tempo-server.js';
import { startGrafanaServer } from '../test/helpers/grafana-server.js';
import { remoteWrite } from '../test/helpers/remote-write.js';
import { generatorSeries } from '../test/helpers/generator-data.js';
import { freePort } from '../scripts/effects/portforward.js';
import { criticalPath, FAST_PLAN } from '../scripts/cli/fast.js';
import { formatDuration } from '../scripts/core/format.js';

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; ms: number; out: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let out = '';
    const c = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => resolve({ code: code ?? 1, ms: performance.now() - t0, out }));
  });
}

async function main(): Promise<void> {
  const [prom, tempo] = await Promise.all([startPrometheus({ receiver: true, exemplars: true }), startTempoServer()]);
  const grafana = await startGrafanaServer({ tempoUpstream: tempo.url });
  await remoteWrite(prom.url, generatorSeries());
  const urls = ['--prometheus-url', prom.url, '--tempo-url', tempo.url, '--grafana-url', grafana.url, '--timeout', '5s'];
  try {
    const times: Record<string, number[]> = { sequential: [], fast: [] };
    for (let i = 0; i < 3; i++) {
      // the same work both ways: pull every image, create the cluster, load the images, install, verify
      const plans = {
        sequential: [['prefetch'], ['run', 'all', ...urls], ['prefetch']],
        fast: [['run', 'all', '--fast', ...urls]],
      };
      for (const [mode, commands] of Object.entries(plans)) {
        const world = new FakeWorld(slowLab());
        const env = world.env({ CI: 'true', WORKBOOK_PORTS: `grafana=${await freePort()},prometheus=${await freePort()},tempo=${await freePort()}` });
        let ms = 0;
        for (const args of commands) {
          const r = await run(args, env);
          if (r.code !== 0) throw new Error(`${mode}: workbook ${args.join(' ')} exited ${r.code}:\n${r.out.slice(-1500)}`);
          ms += r.ms;
        }
        world.cleanup();
        times[mode]!.push(ms);
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    const images = 15;
    const predicted = criticalPath(FAST_PLAN, { 'prerequisites:checks': 300, 'cluster:steps': 900, pull: Math.ceil(images / 3) * 250, load: 200, 'prometheus:steps': 700, 'tempo:steps': 700 });
    console.log(`prefetch; run all; prefetch (fakes) median ${formatDuration(med(times.sequential!)).padStart(9)}  (3 runs)`);
    console.log(`run all --fast (same fakes)        median ${formatDuration(med(times.fast!)).padStart(9)}  (3 runs)  ${(med(times.sequential!) / med(times.fast!)).toFixed(2)}× faster`);
    console.log(`critical path the plan predicts:    ${predicted.path.join(' → ')}`);
    console.log(`with the article's typical durations: ${formatDuration(criticalPath(FAST_PLAN).totalMs)} with --fast, ${formatDuration(criticalPath(FAST_PLAN).sequentialMs)} one after another`);
  } finally {
    await Promise.all([prom.stop(), tempo.close(), grafana.close()]);
  }
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
