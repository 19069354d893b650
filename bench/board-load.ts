// Benchmark (not a test): the instructor's board under a large class, as the CLI runs it (`workbook workshop serve`
// in its own process, its memory read from /proc/<pid>/status). 1,000 attendees send 10,000 reports (10 each, with
// a failing check's evidence and hint): the post latency (median, p99), the board's memory, how long /api/learners
// and the page take, and how long a restart takes to read the store back. Then 20 /events clients that never read
// while 2,000 more reports arrive: the board's memory against the same run with none.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/effects/portforward.js';
import { ROOT } from '../test/helpers/fakes.js';
import { report, TOKEN } from '../test/helpers/board.js';

const LEARNERS = Number(process.env.BENCH_LEARNERS ?? 1000);
const PER = Number(process.env.BENCH_REPORTS_EACH ?? 10);
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;

async function serve(dir: string, port: number): Promise<{ child: ChildProcess; url: string; startedMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist/scripts/cli.js'), 'workshop', 'serve', '--state-dir', dir, '--listen', `127.0.0.1:${port}`, '--token', TOKEN], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CI: 'true' } });
  let out = '';
  await new Promise<void>((resolve) => child.stdout!.on('data', (d) => ((out += d), out.includes('The board:') && resolve())));
  return { child, url: `http://127.0.0.1:${port}`, startedMs: performance.now() - t0 };
}
const stop = async (c: ChildProcess) => {
  c.kill('SIGINT');
  await new Promise((r) => c.once('exit', r));
};
const body = (i: number, l: number) => ({ id: `r${l}-${i}`, learner: { id: `l${l}`, name: `Attendee ${l}` }, report: report(i % 3 ? { chapter: 'metrics-generator', number: 6, check: 'series', evidence: `no traces_* series after ${i} rounds (remote-write receiver off)` } : undefined) });
const send = (url: string, b: unknown) => fetch(`${url}/api/reports`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(b) });

async function sse(url: string): Promise<Socket> {
  const s = connect(Number(new URL(url).port), '127.0.0.1');
  s.write('GET /events HTTP/1.1\r\nhost: x\r\n\r\n');
  s.pause();
  s.on('error', () => {});
  return s;
}

const dir = mkdtempSync(join(tmpdir(), 'wb-bench-board-'));
try {
  const port = await freePort();
  let b = await serve(dir, port);
  const lat: number[] = [];
  for (let i = 0; i < PER; i++) {
    // ten attendees at a time, as a room posts
    for (let l = 0; l < LEARNERS; l += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, k) => {
          const t0 = performance.now();
          const r = await send(b.url, body(i, l + k));
          await r.arrayBuffer();
          if (r.status !== 201) throw new Error(`HTTP ${r.status}`);
          lat.push(performance.now() - t0);
        }),
      );
    }
  }
  const mem = rssMiB(b.child.pid!);
  let t0 = performance.now();
  const learners = ((await (await fetch(`${b.url}/api/learners`)).json()) as { learners: unknown[] }).learners.length;
  const listMs = performance.now() - t0;
  t0 = performance.now();
  await (await fetch(`${b.url}/`)).text();
  await (await fetch(`${b.url}/board.js`)).text();
  const pageMs = performance.now() - t0;
  console.log(`board: ${LEARNERS} attendees, ${LEARNERS * PER} reports (store ${(statSync(join(dir, 'board', 'reports.jsonl')).size / 1024 / 1024).toFixed(1)} MiB): post median ${median(lat).toFixed(1)} ms, p99 ${p99(lat).toFixed(1)} ms; memory ${mem.toFixed(0)} MiB; /api/learners (${learners} rows) ${listMs.toFixed(0)} ms; page ${pageMs.toFixed(0)} ms`);
  await stop(b.child);
  b = await serve(dir, port);
  console.log(`board: restart read the store back and listened in ${b.startedMs.toFixed(0)} ms (memory ${rssMiB(b.child.pid!).toFixed(0)} MiB)`);

  // 20 clients of /events that never read, against none
  for (const clients of [0, 20]) {
    const socks = await Promise.all(Array.from({ length: clients }, () => sse(b.url)));
    const before = rssMiB(b.child.pid!);
    for (let i = 0; i < 2000; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => send(b.url, body(100 + clients + i + k, (i + k) % LEARNERS)).then((r) => r.arrayBuffer())));
    console.log(`board: ${clients} /events clients that never read, 2,000 reports: memory ${before.toFixed(0)} → ${rssMiB(b.child.pid!).toFixed(0)} MiB`);
    for (const s of socks) s.destroy();
  }
  await stop(b.child);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
