// Benchmarks (not tests): wall time of whole CLI runs, median of N. `npm run bench`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../scripts/core/paths.js';

const CLI = join(ROOT, 'dist/scripts/cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

interface Case {
  name: string;
  args: string[];
  goalMs?: number;
}

const cases: Case[] = [
  { name: 'workbook --help', args: ['--help'], goalMs: 300 },
  { name: 'workbook plan all', args: ['plan', 'all'] },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function timeCli(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`workbook ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const rows: string[] = [];
let missed = 0;
for (const c of cases) {
  timeCli(c.args); // warm the file cache
  const times = Array.from({ length: RUNS }, () => timeCli(c.args));
  const med = median(times);
  const goal = c.goalMs ? `${c.goalMs} ms` : '—';
  const ok = c.goalMs === undefined || med <= c.goalMs;
  if (!ok) missed++;
  rows.push(`${c.name.padEnd(22)} median ${med.toFixed(0).padStart(5)} ms   min ${Math.min(...times).toFixed(0).padStart(5)} ms   max ${Math.max(...times).toFixed(0).padStart(5)} ms   goal ${goal.padEnd(7)} ${ok ? 'met' : 'MISSED'}`);
}
console.log(`node ${process.version}, ${RUNS} runs each`);
for (const r of rows) console.log(r);
if (missed) process.exitCode = 1;
