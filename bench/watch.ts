// Benchmark (not a test): how soon `workbook watch` shows a fix. `npm run bench`.
// A real Prometheus 2.42 runs without --enable-feature=exemplar-storage; `workbook watch prometheus` (outside a
// terminal, its default 2 s between rounds) shows the check failing. Prometheus is then restarted on the same
// port with the flag. The clock starts when the new Prometheus answers /api/v1/status/flags with the feature (the
// fixed service answers correctly) and stops when watch prints the check passed. Goal ≤ 3 s.
import { spawn } from 'node:child_process';
import { FakeWorld, CLI } from '../test/helpers/fakes.js';
import { startPrometheus, type RealPrometheus } from '../test/helpers/prometheus.js';
import { startTempoServer } from '../test/helpers/tempo-server.js';
import { startGrafanaServer } from '../test/helpers/grafana-server.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GOAL_MS = 3000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 30_000, every = 10): Promise<number> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (await fn()) return performance.now();
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

async function main(): Promise<void> {
  const tempo = await startTempoServer();
  const grafana = await startGrafanaServer({ tempoUpstream: tempo.url });
  let prom: RealPrometheus = await startPrometheus({ receiver: true, exemplars: false });
  const port = prom.port;
  const world = new FakeWorld({ rules: {} });
  const child = spawn(process.execPath, [CLI, 'watch', 'prometheus', '--prometheus-url', prom.url, '--grafana-url', grafana.url], { env: world.env({ CI: 'true' }), stdio: ['ignore', 'pipe', 'inherit'] });
  // each line with the time it arrived
  const lines: { at: number; text: string }[] = [];
  let buf = '';
  child.stdout!.on('data', (d) => {
    const at = performance.now();
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const text of parts) lines.push({ at, text });
  });
  const seen = (from: number, re: RegExp) => lines.slice(from).find((l) => re.test(l.text));
  const times: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const from = lines.length;
      if (i > 0) {
        await prom.stop();
        prom = await startPrometheus({ receiver: true, exemplars: false, port });
      }
      await until('the failing line', () => !!seen(from, /✖ prometheus\/exemplar-storage/));
      const mark = lines.length;
      await prom.stop();
      prom = await startPrometheus({ receiver: true, exemplars: true, port });
      const t0 = await until('the fixed flags', async () => {
        const r = await fetch(`${prom.url}/api/v1/status/flags`).catch(() => undefined);
        const j = (await r?.json().catch(() => undefined)) as { data?: Record<string, string> } | undefined;
        return (j?.data?.['enable-feature'] ?? '').includes('exemplar-storage');
      });
      await until('the passed line', () => !!seen(mark, /✔ prometheus\/exemplar-storage/));
      const t1 = seen(mark, /✔ prometheus\/exemplar-storage/)!.at;
      times.push(Math.max(0, t1 - t0));
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    await Promise.all([prom.stop(), tempo.close(), grafana.close()]);
    world.cleanup();
  }
  const m = median(times);
  console.log(`each fix: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}`);
  console.log(`watch: fixed Prometheus answers → board shows the check passed   median ${(m / 1000).toFixed(2)} s  (max ${(Math.max(...times) / 1000).toFixed(2)} s, ${RUNS} fixes)  goal ≤ ${GOAL_MS / 1000} s  ${Math.max(...times) <= GOAL_MS ? 'met' : 'MISSED'}`);
  if (Math.max(...times) > GOAL_MS) process.exitCode = 1;
}

await main();
