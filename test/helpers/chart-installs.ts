// Every `helm upgrade --install` the workbook would run, read from `workbook plan` as a learner sees it: each
// profile's chapters (`plan all --profile P`) and every challenge's fault and reset (`plan challenges --spoilers`).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { installOf, type ChartInstall } from '../../scripts/lab/chart-render.js';
import { profileNames } from '../../scripts/lab/versions.js';
import { ROOT } from './fakes.js';

/** A command line as `plan` prints it (formatCommand: single quotes where a shell needs them), split back. */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  return out;
}

export interface PlannedInstall extends ChartInstall {
  /** where plan showed it: the profile, or the challenge and whether it is its fault or its reset */
  from: string;
  argv: string[];
}

/** Every install, deduplicated by chart, version and values files (the first place it appears is named). */
export function plannedInstalls(env: NodeJS.ProcessEnv = process.env): PlannedInstall[] {
  const cli = join(ROOT, 'dist/scripts/cli.js');
  const plan = (args: string[]) => execFileSync(process.execPath, [cli, 'plan', ...args], { env: { ...env, CI: 'true' }, encoding: 'utf8' });
  const seen = new Map<string, PlannedInstall>();
  const take = (text: string, from: (prefix: string) => string) => {
    for (const m of text.matchAll(/^\s*(start: |reset: )?\$ (helm .*upgrade --install .*)$/gm)) {
      const argv = splitCommand(m[2]!);
      const i = installOf(argv);
      const key = `${i.chart}@${i.version}:${i.values.join(',')}`;
      if (!seen.has(key)) seen.set(key, { ...i, argv, from: from(m[1] ?? '') });
    }
  };
  for (const p of profileNames()) take(plan(['all', '--profile', p]), () => `profile ${p}`);
  take(plan(['challenges', '--spoilers']), (prefix) => `a challenge's ${prefix.replace(': ', '')}`);
  return [...seen.values()];
}
