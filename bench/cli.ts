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
  /** at most this many times a bare `node -e 0` */
  goalRatio?: number;
}

const cases: Case[] = [
  { name: 'workbook --help', args: ['--help'], goalMs: 300, goalRatio: 1.3 },
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
// the floor: node itself, starting and doing nothing
const bare = () => {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
bare();
const node = median(Array.from({ length: RUNS }, bare));
for (const c of cases) {
  timeCli(c.args); // warm the file cache
  const times = Array.from({ length: RUNS }, () => timeCli(c.args));
  const med = median(times);
  const goal = c.goalMs ? `${c.goalMs} ms` : '—';
  const ok = c.goalMs === undefined || med <= c.goalMs;
  if (!ok) missed++;
  const ratio = med / node;
  const ratioOk = c.goalRatio === undefined || ratio <= c.goalRatio;
  if (!ratioOk) missed++;
  rows.push(`${c.name.padEnd(22)} median ${med.toFixed(0).padStart(5)} ms (${ratio.toFixed(2)}× node -e 0)   min ${Math.min(...times).toFixed(0).padStart(5)} ms   max ${Math.max(...times).toFixed(0).padStart(5)} ms   goal ${goal.padEnd(7)}${c.goalRatio ? ` and ≤ ${c.goalRatio}×` : ''} ${ok && ratioOk ? 'met' : 'MISSED'}`);
}
console.log(`node ${process.version}, ${RUNS} runs each; node -e 0: median ${node.toFixed(0)} ms`);
for (const r of rows) console.log(r);
if (missed) process.exitCode = 1;
