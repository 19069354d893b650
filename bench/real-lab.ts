// Benchmark (not a test): on a working lab nothing got slower. A REAL Tempo 2.2.2 (one process, ../shared/bin) and a
// REAL Prometheus 2.42; `workbook verify metrics-generator` starts before any traffic, then the shop's traffic
// starts. Reported: the time from the data landing in Prometheus (every edge rising, the failed edge, span metrics
// of every service, an exemplar; polled every 100 ms) to the CLI passing. Goal ≤ 1 s beyond arrival.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../test/helpers/fakes.js';
import { startPrometheus } from '../test/helpers/prometheus.js';
import { startTempo, tempoBinary } from '../test/helpers/real-tempo.js';
import { startTraffic } from '../test/helpers/real-lab.js';

const CLI = join(ROOT, 'dist/scripts/cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function landed(prom: string): Promise<boolean> {
  const q = async (e: string) => ((await (await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(e)}`)).json()) as { data: { result: unknown[] } }).data.result.length;
  const end = Math.floor(Date.now() / 1000);
  const ex = (await (await fetch(`${prom}/api/v1/query_exemplars?query=traces_spanmetrics_latency_bucket&start=${end - 120}&end=${end}`)).json()) as { data: unknown[] };
  // what the checks need: every edge rising (increase() needs a second sample of a new series), the failed edge,
  // span metrics of the five services, and exemplars
  return (
    (await q('sum by (client, server) (increase(traces_service_graph_request_total[1m])) > 0')) >= 5 &&
    (await q('traces_service_graph_request_failed_total')) >= 1 &&
    (await q('sum by (service) (increase(traces_spanmetrics_calls_total[1m])) > 0')) >= 5 &&
    ex.data.length > 0
  );
}

async function once(): Promise<{ afterLandingMs: number; totalMs: number }> {
  const prom = await startPrometheus({ receiver: true, exemplars: true });
  const tempo = await startTempo({ remoteWrite: prom.url });
  try {
    const t0 = performance.now();
    const cli = new Promise<number>((resolve) =>
      spawn(process.execPath, [CLI, 'verify', 'metrics-generator', '--tempo-url', tempo.url, '--prometheus-url', prom.url, '--timeout', '90s'], { env: { ...process.env, CI: 'true', WORKBOOK_STATE_DIR: join(ROOT, 'dist/bench-state') }, stdio: 'ignore' }).on('exit', (c) => resolve(c ?? 1)),
    ).then((code) => ({ code, at: performance.now() }));
    const traffic = startTraffic(tempo.otlpUrl, { rate: 10 });
    let landedAt: number | undefined;
    let done: { code: number; at: number } | undefined;
    void cli.then((d) => (done = d));
    while (!done) {
      if (landedAt === undefined && (await landed(prom.url))) landedAt = performance.now();
      await new Promise((r) => setTimeout(r, 100));
    }
    await traffic.stop();
    if (done.code !== 0) throw new Error(`verify exited ${done.code}`);
    return { afterLandingMs: done.at - (landedAt ?? done.at), totalMs: done.at - t0 };
  } finally {
    await Promise.all([tempo.stop(), prom.stop()]);
  }
}

async function main(): Promise<void> {
  const found = tempoBinary();
  if (!found.bin) return console.log(`real-lab benchmark skipped: ${found.why}`);
  const r: { afterLandingMs: number; totalMs: number }[] = [];
  for (let i = 0; i < RUNS; i++) r.push(await once());
  const worst = Math.max(...r.map((x) => x.afterLandingMs));
  console.log(`verify metrics-generator on real Tempo 2.2.2 + Prometheus: passed ${r.map((x) => `${(x.afterLandingMs / 1000).toFixed(2)} s`).join(', ')} after the data landed (traffic start → pass ${r.map((x) => `${(x.totalMs / 1000).toFixed(1)} s`).join(', ')})  goal ≤ 1 s  ${worst <= 1000 ? 'met' : 'MISSED'}`);
  if (worst > 1000) process.exitCode = 1;
}

void main();
