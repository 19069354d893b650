// Benchmark (not a test): the embedded lab's first minute. `workbook lab up` (monolithic, then --microservices) on
// the REAL Tempo 2.2.2 (../shared/bin) and Prometheus (on PATH), timed to ready; then `workbook verify
// metrics-generator`, no URL given, timed from `up` to passing (bounded by the generator's 15 s collection and the
// service graph's pairing of client and server spans). Goals: ready ≤ 25 s, chapter 6 passing ≤ 45 s after `up`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../test/helpers/fakes.js';
import { tempo3Binary, tempoBinary } from '../test/helpers/real-tempo.js';

const CLI = join(ROOT, 'dist/scripts/cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 2);

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' }).on('exit', (c) => resolve(c ?? 1)));
}

async function once(layout: 'monolithic' | 'microservices', tempo: string, profile = 'article'): Promise<{ readyMs: number; chapter6Ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-bench-embedded-'));
  const env = { ...process.env, CI: 'true', WORKBOOK_TEMPO_BIN: tempo, WORKBOOK_STATE_DIR: dir, WORKBOOK_PROFILE: profile };
  try {
    const t0 = performance.now();
    const up = await cli(['lab', 'up', ...(layout === 'microservices' ? ['--microservices'] : [])], env);
    const readyMs = performance.now() - t0;
    if (up !== 0) throw new Error(`lab up exited ${up}`);
    const code = await cli(['verify', 'metrics-generator', '--timeout', '120s'], env);
    const chapter6Ms = performance.now() - t0;
    if (code !== 0) throw new Error(`verify metrics-generator exited ${code}`);
    return { readyMs, chapter6Ms };
  } finally {
    await cli(['lab', 'down'], env);
    rmSync(dir, { recursive: true, force: true });
  }
}

const found = tempoBinary();
if (!found.bin || found.bin.startsWith('docker:')) {
  console.log(`embedded-lab bench skipped: ${found.why ?? 'no Tempo binary'}`);
} else {
  for (const layout of ['monolithic', 'microservices'] as const) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(layout, found.bin));
    const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`embedded lab (article, ${layout}): ready ${runs.map((r) => fmt(r.readyMs)).join(', ')} (goal ≤ 25 s); chapter 6 passing ${runs.map((r) => fmt(r.chapter6Ms)).join(', ')} after up (goal ≤ 45 s)`);
  }
}

// the current profile (Tempo 3.0.3, one process; its microservices layout needs Kafka, not in the lab yet), in the same run
const three = tempo3Binary();
if (!three.bin) console.log(`embedded-lab bench, current profile skipped: ${three.why}`);
else {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once('monolithic', three.bin, 'current'));
  const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`embedded lab (current, monolithic, Tempo 3.0.3): ready ${runs.map((r) => fmt(r.readyMs)).join(', ')}; chapter 6 passing ${runs.map((r) => fmt(r.chapter6Ms)).join(', ')} after up`);
  // its microservices: ten processes and a Kafka broker (test/setup/ensure-kafka.sh); ready means a write was taken
  const kafka = process.env.WORKBOOK_KAFKA_LIB ?? join(ROOT, 'dist/kafka-lib');
  if (!existsSync(join(kafka, '.complete')) && !process.env.WORKBOOK_KAFKA_LIB) console.log(`embedded-lab bench, current microservices skipped: no Kafka jars at ${kafka}`);
  else {
    process.env.WORKBOOK_KAFKA_LIB = kafka;
    const micro = [];
    for (let i = 0; i < RUNS; i++) micro.push(await once('microservices', three.bin, 'current'));
    console.log(`embedded lab (current, microservices with Kafka, Tempo 3.0.3): ready ${micro.map((r) => fmt(r.readyMs)).join(', ')}; chapter 6 passing ${micro.map((r) => fmt(r.chapter6Ms)).join(', ')} after up`);
  }
}
