// Benchmark (not a test): how fast a verdict comes, on a REAL Tempo 2.2.2 and a REAL Prometheus 2.42.
// 1. The fault matrix (test/helpers/fault-matrix.ts): each row's `verify` with the default 3 min timeout, in
//    process; goal: the worst row ≤ 15 s.
// 2. A ready stack: `verify traces` and `verify metrics-generator` in process, once the data has landed; goal
//    ≤ 0.3 s each (median of 5).
import { startPrometheus } from '../test/helpers/prometheus.js';
import { startTempo, startTempoMicroservices, tempoBinary } from '../test/helpers/real-tempo.js';
import { startTraffic } from '../test/helpers/real-lab.js';
import { FAULTS, runFaultRow, runMicroservicesRow, runMonolithicRow, waitForData, type FaultRow } from '../test/helpers/fault-matrix.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function matrix(): Promise<boolean> {
  const rows: { row: FaultRow; ms: number }[] = [];
  for (const row of FAULTS.filter((f) => f.layout === 'monolithic')) rows.push({ row, ms: (await runMonolithicRow(row)).wallMs });
  const prom = await startPrometheus({ receiver: true, exemplars: true });
  const ms = await startTempoMicroservices({ remoteWrite: prom.url });
  const traffic = startTraffic(ms.otlpUrl, { rate: 10 });
  try {
    for (const row of FAULTS.filter((f) => f.layout === 'microservices')) {
      rows.push({ row, ms: (await runMicroservicesRow(row, ms)).wallMs });
    }
  } finally {
    await traffic.stop();
    await ms.stop();
    await prom.stop();
  }
  for (const r of rows) console.log(`  ${r.row.id.padEnd(32)} ${(r.ms / 1000).toFixed(2).padStart(6)} s`);
  const worst = Math.max(...rows.map((r) => r.ms));
  console.log(`fault matrix, default timeout: worst row ${(worst / 1000).toFixed(2)} s  goal ≤ 15 s  ${worst <= 15_000 ? 'met' : 'MISSED'}`);
  return worst <= 15_000;
}

async function ready(): Promise<boolean> {
  const prom = await startPrometheus({ receiver: true, exemplars: true });
  const tempo = await startTempo({ remoteWrite: prom.url });
  const traffic = startTraffic(tempo.otlpUrl, { rate: 10 });
  let ok = true;
  try {
    await waitForData(prom.url, tempo.url, 'edges');
    const urls = { prometheus: prom.url, tempo: tempo.url };
    for (const chapter of ['traces', 'metrics-generator']) {
      const row = { id: chapter, verify: { [chapter]: 'all' } } as unknown as FaultRow;
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await runFaultRow(row, urls);
        const bad = Object.entries(r.items).filter(([, v]) => v.status !== 'passed');
        if (bad.length) throw new Error(`${chapter} did not pass on a ready stack: ${JSON.stringify(bad)}`);
        times.push(r.wallMs);
      }
      const m = median(times);
      ok &&= m <= 300;
      console.log(`verify ${chapter} on a ready stack, in process: median ${m} ms (runs ${times.join(', ')} ms)  goal ≤ 300 ms  ${m <= 300 ? 'met' : 'MISSED'}`);
    }
  } finally {
    await traffic.stop();
    await tempo.stop();
    await prom.stop();
  }
  return ok;
}

const found = tempoBinary();
if (!found.bin) console.log(`verdict benchmarks skipped: ${found.why}`);
else {
  const a = await ready();
  const b = await matrix();
  if (!a || !b) process.exitCode = 1;
}
