// Benchmark (not a test): a learner's run is as fast with the workshop board down as without joining one. The same
// `workbook verify cluster` (FAKE kubectl and kind) timed RUNS times each way, alternating: not joined, and joined to
// a board where nothing listens (the report is queued and a detached sender tries in the background).
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, runCli } from '../test/helpers/fakes.js';
import { freePort } from '../scripts/effects/portforward.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const world = new FakeWorld({ rules: {} });
try {
  const env = world.env({ CI: 'true' });
  const alone = join(mkdtempSync(join(world.dir, 'alone-')), 'state');
  const port = await freePort();
  await runCli(['join', `http://127.0.0.1:${port}`, '--token', 'bench-token-1', '--name', 'Bench'], env);
  const times: Record<'alone' | 'joined', number[]> = { alone: [], joined: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const way of ['alone', 'joined'] as const) {
      const t0 = performance.now();
      await runCli(['verify', 'cluster', ...(way === 'alone' ? ['--state-dir', alone] : [])], env);
      times[way].push(performance.now() - t0);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`board down: verify cluster median ${median(times.joined).toFixed(0)} ms joined vs ${median(times.alone).toFixed(0)} ms not joined (${RUNS} runs each, alternating)`);
} finally {
  world.cleanup();
}
