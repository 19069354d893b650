// The GitHub Actions lab cannot run here (no Docker engine, no internet): parse it and hold it to the workbook.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../helpers/fakes.js';
import { compareVersions, getProfile } from '../../scripts/lab/versions.js';
import { parseCli as parseWith } from '../../scripts/cli/options.js';
import { SPECS } from '../../scripts/commands/index.js';

const parseCli = (argv: string[]) => parseWith(argv, SPECS);

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
const wf = parse(readFileSync(join(ROOT, '.github/workflows/lab.yml'), 'utf8'));
const steps: Step[] = wf.jobs.lab.steps;
const runOf = (re: RegExp) => steps.find((s) => s.run && re.test(s.run))!;

describe('.github/workflows/lab.yml', () => {
  it('can be started by hand and runs on a Linux runner with Docker, under CI=true', () => {
    expect(wf.on).toHaveProperty('workflow_dispatch');
    expect(wf.jobs.lab['runs-on']).toMatch(/^ubuntu-/);
    expect(wf.jobs.lab.env.CI).toBe('true');
    expect(wf.jobs.lab['timeout-minutes']).toBeLessThanOrEqual(90);
  });

  it('pins every action to a major version and installs the tools the doctor asks for', () => {
    for (const s of steps.filter((x) => x.uses)) expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    const profile = getProfile('article');
    const kind = steps.find((s) => s.uses?.startsWith('helm/kind-action@'))!;
    expect(kind.with).toMatchObject({ version: `v${profile.kind.minVersion}`, install_only: true });
    const helm = steps.find((s) => s.uses?.startsWith('azure/setup-helm@'))!;
    // numerically: "3.9.0" is older than "3.10.0", which a string comparison gets wrong
    expect(compareVersions(String(helm.with!.version).replace(/^v/, ''), profile.tools.helm), `helm ${helm.with!.version} < ${profile.tools.helm}`).toBeGreaterThanOrEqual(0);
    expect(steps.find((s) => s.uses?.startsWith('azure/setup-kubectl@'))).toBeDefined();
    expect(runOf(/sysctl/).run).toContain('fs.inotify.max_user_watches=524288');
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!.with!['node-version']).toBe(20);
  });

  it('runs commands the CLI accepts, and writes the reports it uploads', () => {
    const lab = runOf(/ run all /);
    const argv = lab.run!.replace('node dist/scripts/cli.js ', '').split(/\s+/);
    expect(() => parseCli(argv)).not.toThrow();
    expect(parseCli(argv)).toMatchObject({ command: 'run', positional: 'all', flags: { yes: true, junit: 'reports/lab.xml', json: 'reports/lab.json' } });
    expect(() => parseCli(runOf(/ doctor /).run!.replace('node dist/scripts/cli.js ', '').split(/\s+/))).not.toThrow();
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('always()');
    expect(upload.with!.path).toBe('reports/');
  });

  it('always tears the cluster down, after the upload', () => {
    const down = runOf(/ down --yes/);
    expect(down.if).toBe('always()');
    expect(steps.indexOf(down)).toBeGreaterThan(steps.findIndex((s) => s.uses?.startsWith('actions/upload-artifact@')));
    expect(parseCli(down.run!.replace('node dist/scripts/cli.js ', '').split(/\s+/))).toMatchObject({ command: 'down', flags: { yes: true } });
  });
});
