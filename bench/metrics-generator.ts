// Benchmark (not a test): `workbook verify metrics-generator` against a REAL Prometheus 2.42 that already holds the
// generator's data, and the time from the data landing to the workbook noticing. Run by `npm run bench`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startPrometheus } from '../test/helpers/prometheus.js';
import { startTempoServer } from '../test/helpers/tempo-server.js';
import { remoteWrite } from '../test/helpers/remote-write.js';
import { generatorSeries } from '../test/helpers/generator-data.js';
import { ROOT } from '../test/helpers/fakes.js';
import { POLL_DELAYS_MS } from '../scripts/core/engine.js';

const CLI = join(ROOT, 'dist/scripts/cli.js');
const env = { ...process.env, CI: 'true', WORKBOOK_STATE_DIR: join(ROOT, 'dist/bench-state') };
/** Async on purpose: the Tempo contract server answers from this very process. */
function run(args: string[]): Promise<number> {
  return new Promise((resolve) => spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' }).on('exit', (code) => resolve(code ?? 1)));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const tempo = await startTempoServer();
  const ready = await startPrometheus({ receiver: true, exemplars: true });
  let missed = 0;
  try {
    await remoteWrite(ready.url, generatorSeries());
    const args = ['verify', 'metrics-generator', '--prometheus-url', ready.url, '--tempo-url', tempo.url];
    const runs: number[] = [];
    for (let i = 0; i < 11; i++) {
      const t0 = performance.now();
      const code = await run(args);
      if (code !== 0) throw new Error(`verify exited ${code}`);
      if (i > 0) runs.push(performance.now() - t0);
    }
    const wall = median(runs);
    if (wall > 1000) missed++;
    console.log(`verify metrics-generator, data in place   median ${wall.toFixed(0).padStart(5)} ms  (min ${Math.min(...runs).toFixed(0)}, max ${Math.max(...runs).toFixed(0)}, 10 runs)  goal ≤ 1000 ms  ${wall <= 1000 ? 'met' : 'MISSED'}`);

    // time to detect: start verifying an empty Prometheus, then write the data and time how long the CLI takes to pass
    const detect: number[] = [];
    for (let i = 0; i < 5; i++) {
      const empty = await startPrometheus({ receiver: true, exemplars: true });
      try {
        const exited = run(['verify', 'metrics-generator', '--prometheus-url', empty.url, '--tempo-url', tempo.url, '--timeout', '60s']);
        await new Promise((r) => setTimeout(r, 2500 + i * 170)); // land at different points of the poll cycle
        await remoteWrite(empty.url, generatorSeries());
        const landed = performance.now();
        const code = await exited;
        if (code !== 0) throw new Error(`verify exited ${code}`);
        detect.push(performance.now() - landed);
      } finally {
        await empty.stop();
      }
    }
    const d = median(detect);
    if (d > 1000) missed++;
    console.log(`time to detect after the data lands      median ${d.toFixed(0).padStart(5)} ms  (min ${Math.min(...detect).toFixed(0)}, max ${Math.max(...detect).toFixed(0)}, 5 runs)  goal ≤ 1000 ms  ${d <= 1000 ? 'met' : 'MISSED'}`);
    console.log(`polling plan: re-probe after ${POLL_DELAYS_MS.join(', ')} ms, then every ${POLL_DELAYS_MS.at(-1)} ms until --timeout`);
  } finally {
    await Promise.all([ready.stop(), tempo.close()]);
  }
  if (missed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
