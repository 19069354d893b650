import { CATALOG } from '../../scripts/core/catalog.js';
import { SPECS } from '../../scripts/commands/index.js';
import { profileNames } from '../../scripts/lab/versions.js';
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWorld, runCli } from '../helpers/fakes.js';

const world = new FakeWorld({ rules: {} });
afterAll(() => world.cleanup());
const env = (extra: Record<string, string> = {}) => world.env({ CI: 'true', ...extra });

describe('bad input: one line on stderr, exit 2, no stack trace', () => {
  it.each([
    // the lists are derived from the catalog and the command table: a new chapter or command edits no test here
    [['run', 'nine'], `error: unknown chapter "nine" (chapters: ${CATALOG.map((c) => `${c.number} ${c.id}`).join(', ')})`],
    [['verify', '--frobnicate'], 'error: unknown flag --frobnicate (see workbook verify --help)'],
    [['plan', '--lang', 'fr'], 'error: --lang must be en or zh-TW, not "fr"'],
    [['plan', '--profile', 'latest'], `error: unknown profile "latest" (known: ${profileNames().join(', ')})`],
    [['launch'], `error: unknown command "launch" (commands: ${SPECS.map((c) => c.name).join(', ')}; see workbook --help)`],
    [['verify', '--prometheus-url', '127.0.0.1:9090'], 'error: --prometheus-url "127.0.0.1:9090" is not a URL (e.g. http://127.0.0.1:9090)'],
    [['verify', '--tempo-url', 'ftp://127.0.0.1/'], 'error: --tempo-url must be http:// or https://'],
  ])('%j', async (args, line) => {
    const r = await runCli(args, env());
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(line + '\n');
    expect(r.stdout).toBe('');
  });

  it('an unwritable progress folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-ro-'));
    writeFileSync(join(dir, 'file'), '');
    const r = await runCli(['doctor', '--state-dir', join(dir, 'file', 'state')], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: progress folder .*file\/state is not writable \((ENOTDIR|EACCES)\); choose another with --state-dir\n$/);
  });

  it('no command outside a terminal: usage on stderr, exit 2', async () => {
    const r = await runCli([], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: no command given, and this is not an interactive terminal');
  });

  it('reset without --yes outside a terminal is refused; with --yes it keeps a backup', async () => {
    const e = env({ CI: '' });
    const no = await runCli(['reset'], e);
    expect(no.code).toBe(2);
    expect(no.stderr).toBe('error: reset forgets your progress: run again with --yes\n');
    await runCli(['doctor'], world.env({ CI: 'true' }));
    const yes = await runCli(['reset', '--yes'], e);
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/Progress reset; the old file is kept as .*progress\.json\.bak-/);
  });

  it('a corrupt progress file: warning, backup, fresh start, and status still works', async () => {
    const w = new FakeWorld({ rules: {} });
    try {
      await runCli(['status'], w.env());
      const { mkdirSync } = await import('node:fs');
      mkdirSync(w.stateDir, { recursive: true });
      writeFileSync(join(w.stateDir, 'progress.json'), 'not json{');
      const r = await runCli(['status'], w.env());
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^warning: progress file .* was unreadable \(not JSON\); kept it as .*progress\.json\.corrupt-.* and started fresh\n$/);
      expect(r.stdout).toMatch(/0 prerequisites +not started/);
    } finally {
      w.cleanup();
    }
  });

  it.each([
    ['a chapter that is a string', { version: 1, facts: {}, chapters: { tempo: 'yes' } }, 'chapters.tempo: Expected object, received string'],
    ['a status no workbook writes', { version: 1, facts: {}, chapters: { tempo: { status: 'weird', mode: 'run', startedAt: 'x', steps: {}, checks: {} } } }, 'chapters.tempo.status: Invalid enum value'],
    ['a challenge with a negative hint count', { version: 1, facts: {}, chapters: {}, challenges: { x: { status: 'broken', startedAt: 'x', hintsUsed: -1 } } }, 'challenges.x.hintsUsed: Number must be greater than or equal to 0'],
  ])('progress of the right JSON but the wrong shape (%s): status works, the file is set aside as .corrupt, with the reason', async (_what, data, why) => {
    const w = new FakeWorld({ rules: {} });
    try {
      const { mkdirSync, readdirSync } = await import('node:fs');
      mkdirSync(w.stateDir, { recursive: true });
      writeFileSync(join(w.stateDir, 'progress.json'), JSON.stringify(data));
      const r = await runCli(['status'], w.env());
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`was unreadable (not a progress file (${why}`);
      expect(r.stdout).toMatch(/3 tempo +not started/);
      expect(readdirSync(w.stateDir).filter((f) => f.startsWith('progress.json.corrupt-'))).toHaveLength(1);
    } finally {
      w.cleanup();
    }
  });
});

describe('help, version, lesson', () => {
  it('--help for the workbook and for each command, in both languages', async () => {
    const main = await runCli(['--help'], env());
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('Usage: workbook [command] [options]');
    for (const cmd of SPECS.map((c) => c.name)) {
      const r = await runCli([cmd, '--help'], env());
      expect(r.code, cmd).toBe(0);
      expect(r.stdout).toContain(`Usage: workbook ${cmd}`);
    }
    const zh = await runCli(['run', '--help', '--lang', 'zh-TW'], env());
    expect(zh.stdout).toContain('閱讀章節、執行指令並驗證');
  });
  it('--version prints the package version', async () => {
    const r = await runCli(['--version'], env());
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version);
  });
  it('lesson prints the chapter in the chosen language', async () => {
    const r = await runCli(['lesson', '3', '--lang', 'zh-TW'], env());
    expect(r.code).toBe(0);
    // rendered for the terminal: the heading without its #, no raw ** or backticks
    expect(r.stdout).toContain('3. 微服務模式的 Tempo');
    expect(r.stdout).not.toMatch(/^# /m);
    expect(r.stdout).not.toContain('**');
  });
});

describe('plan: prints every command and manifest, runs nothing', () => {
  it('plan all (snapshot), with no tool called', async () => {
    world.clearCalls();
    const r = await runCli(['plan', 'all'], env());
    expect(r.code).toBe(0);
    expect(world.calls()).toEqual([]);
    expect(r.stdout).toMatchSnapshot();
  });
  it('plan all --profile current: the Kafka broker before Tempo 3, v0.0.10\'s traffic, Tempo 3\'s checks and not the ingester ring', async () => {
    world.clearCalls();
    const r = await runCli(['plan', 'all', '--profile', 'current'], env());
    expect(r.code).toBe(0);
    expect(world.calls()).toEqual([]);
    const at = (s: string) => r.stdout.indexOf(s);
    expect(at('apply --filename manifests/current/kafka.yaml')).toBeGreaterThan(0);
    expect(at('rollout status --namespace kafka deployment/kafka')).toBeGreaterThan(at('apply --filename manifests/current/kafka.yaml'));
    expect(at('grafana-community/tempo-distributed --version 3.3.0')).toBeGreaterThan(at('rollout status --namespace kafka'));
    expect(r.stdout).toContain('--filename manifests/current/xk6-client-tracing.yaml');
    expect(r.stdout).toContain('- the live-store ring has one ACTIVE, heartbeating member per Kafka partition');
    expect(r.stdout).toContain('- Kafka takes the distributor\'s writes now, and the metrics generator reads them with a small lag');
    expect(r.stdout).not.toContain('the ingester ring has 3 ACTIVE members');
    // and the article's plan has none of Tempo 3's
    const article = await runCli(['plan', 'all'], env());
    expect(article.stdout).not.toMatch(/kafka/i);
  });
  it('plan in Traditional Chinese, another cluster name and context', async () => {
    const r = await runCli(['plan', 'cluster', '--lang', 'zh-TW', '--cluster', 'ws-07'], env());
    expect(r.stdout).toContain('kind create cluster --name ws-07');
    expect(r.stdout).toContain('context kind-ws-07');
    expect(r.stdout).toContain('原因: ');
  });
});

describe('--help from the build\'s cache (dist/help.json)', () => {
  it('prints exactly what main renders, for the workbook and every command, in both languages', async () => {
    const { commandHelp, mainHelp } = await import('../../scripts/cli/help.js');
    const { existsSync } = await import('node:fs');
    const { HELP_CACHE } = await import('../../scripts/commands/help-cache.js');
    // the package's build (the tests' setup runs it) wrote the cache
    expect(existsSync(HELP_CACHE)).toBe(true);
    for (const lang of ['en', 'zh-TW'] as const) {
      const main = await runCli(['--help', '--lang', lang], env());
      expect(main.stdout).toBe(mainHelp(SPECS, lang));
      for (const spec of SPECS) {
        const r = await runCli([spec.name, '--help', '--lang', lang], env());
        expect(r.stdout, spec.name).toBe(commandHelp(spec, lang));
      }
    }
  });
});
