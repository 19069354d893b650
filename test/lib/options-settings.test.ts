import { profileNames } from '../../scripts/lab/versions.js';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli as parseWith } from '../../scripts/cli/options.js';
import { SPECS } from '../../scripts/commands/index.js';

const parseCli = (argv: string[]) => parseWith(argv, SPECS);
import { parseLocalPorts, resolveLab, isCI, isInteractive } from '../../scripts/cli/settings.js';
import { UsageError } from '../../scripts/core/errors.js';
import { langFromLocale } from '../../scripts/core/text.js';

const io = (env: NodeJS.ProcessEnv = {}, cwd = mkdtempSync(join(tmpdir(), 'wb-cwd-'))) => ({ env: { HOME: '/home/x', ...env }, cwd, stdinIsTTY: false, stdoutIsTTY: false });

describe('parseCli', () => {
  it('global flags may come before the command: the command is the first word that is not a flag or its value', () => {
    expect(parseCli(['--yes', 'status'])).toMatchObject({ command: 'status', flags: { yes: true } });
    expect(parseCli(['--lang', 'zh-TW', 'plan', 'all'])).toEqual({ command: 'plan', positional: 'all', positionals: ['all'], flags: { lang: 'zh-TW' } });
    // a flag's value is never taken for the command
    expect(parseCli(['--state-dir', 'status', 'verify', 'tempo'])).toMatchObject({ command: 'verify', positional: 'tempo', flags: { 'state-dir': 'status' } });
    expect(parseCli(['--json', 'r.json', 'verify', 'all'])).toMatchObject({ command: 'verify', flags: { json: 'r.json' } });
    // after the command, a flag it does not take is still an error; an unknown one anywhere too
    expect(() => parseCli(['status', '--yes'])).toThrow('unknown flag --yes');
    expect(() => parseCli(['--frob', 'status'])).toThrow('unknown flag --frob');
    expect(() => parseCli(['--yes', 'launch'])).toThrow('unknown command "launch"');
  });

  it('reads a command, a chapter and flags', () => {
    expect(parseCli(['run', 'tempo', '--yes', '--lang', 'zh-TW'])).toEqual({ command: 'run', positional: 'tempo', positionals: ['tempo'], flags: { yes: true, lang: 'zh-TW' } });
    expect(parseCli(['challenge', 'start', 'empty-service-graph'])).toMatchObject({ command: 'challenge', positionals: ['start', 'empty-service-graph'] });
    expect(() => parseCli(['challenge', 'start', 'a', 'b'])).toThrow('unexpected argument "b"');
    expect(parseCli(['--help'])).toEqual({ command: undefined, positional: undefined, positionals: [], flags: { help: true } });
  });
  it.each([
    [['bogus'], 'unknown command "bogus"'],
    [['run', '--nope'], 'unknown flag --nope (see workbook run --help)'],
    [['plan', '--json', 'x'], 'unknown flag --json (see workbook plan --help)'],
    [['run', 'a', 'b'], 'unexpected argument "b" (usage: workbook run [chapter|all])'],
    [['status', 'x'], 'unexpected argument "x"'],
    [['run', '--lang'], 'flag --lang needs a value'],
  ])('%j → one-line usage error', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });
});

describe('resolveLab: defaults ← file ← env ← flags', () => {
  it('defaults', () => {
    const lab = resolveLab({}, io());
    expect(lab).toMatchObject({ lang: 'en', clusterName: 'tempo-lab', context: 'kind-tempo-lab', timeoutMs: 180_000, yes: false, ci: false, urls: {} });
    expect(lab.profile.name).toBe('article');
    expect(lab.stateDir).toBe('/home/x/.local/state/tempo-workbook');
    expect(lab.localPorts).toEqual({ grafana: 3000, prometheus: 9090, tempo: 3100, distributor: 3101, otlp: 4318, generator: 3102 });
  });
  it('each layer overrides the one before, and the trace says where each came from', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wb-cwd-'));
    writeFileSync(join(cwd, 'workbook.config.yaml'), 'cluster: from-file\ntimeout: 30s\nlang: zh-TW\nprometheus-url: http://127.0.0.1:1/\n');
    const trace: string[] = [];
    const lab = resolveLab({ timeout: '5m' }, io({ WORKBOOK_CLUSTER: 'from-env' }, cwd), trace);
    expect(lab.clusterName).toBe('from-env');
    expect(lab.context).toBe('kind-from-env');
    expect(lab.timeoutMs).toBe(300_000);
    expect(lab.lang).toBe('zh-TW');
    expect(lab.urls.prometheus).toBe('http://127.0.0.1:1');
    expect(trace).toEqual(expect.arrayContaining([`settings file: ${join(cwd, 'workbook.config.yaml')}`, 'cluster: WORKBOOK_CLUSTER', 'timeout: flag', 'lang: settings file']));
  });
  it('language follows LANG unless told', () => {
    expect(resolveLab({}, io({ LANG: 'zh_TW.UTF-8' })).lang).toBe('zh-TW');
    expect(resolveLab({ lang: 'en' }, io({ LANG: 'zh_TW.UTF-8' })).lang).toBe('en');
    expect(langFromLocale('zh_Hant_TW')).toBe('zh-TW');
    expect(langFromLocale('de_DE.UTF-8')).toBe('en');
  });
  it('CI implies --yes and non-interactive; a TTY without CI is interactive', () => {
    expect(resolveLab({}, io({ CI: 'true' }))).toMatchObject({ ci: true, yes: true, interactive: false });
    expect(isCI({ CI: '1' })).toBe(true);
    expect(isCI({ CI: 'false' })).toBe(false);
    expect(isInteractive({ env: {}, cwd: '/', stdinIsTTY: true, stdoutIsTTY: true })).toBe(true);
    expect(isInteractive({ env: { CI: 'true' }, cwd: '/', stdinIsTTY: true, stdoutIsTTY: true })).toBe(false);
    expect(isInteractive({ env: {}, cwd: '/', stdinIsTTY: false, stdoutIsTTY: true })).toBe(false);
  });
  it.each([
    [{ lang: 'fr' }, {}, '--lang must be en or zh-TW, not "fr"'],
    [{ profile: 'nope' }, {}, `unknown profile "nope" (known: ${profileNames().join(', ')})`],
    [{ cluster: 'Bad_Name' }, {}, 'cluster name "Bad_Name" must be lower-case letters'],
    [{ timeout: 'soon' }, {}, '--timeout "soon" is not a duration'],
    [{ 'tempo-url': 'localhost:3100' }, {}, '--tempo-url must be http:// or https://'],
    [{ 'grafana-url': 'not a url' }, {}, '--grafana-url "not a url" is not a URL'],
    [{ config: 'missing.yaml' }, {}, 'settings file not found: missing.yaml'],
    [{}, { WORKBOOK_PORTS: 'grafana=99999' }, 'WORKBOOK_PORTS: "grafana=99999" should look like grafana=3000'],
  ])('bad input %j %j → %s', (flags, env, message) => {
    expect(() => resolveLab(flags, io(env))).toThrow(message);
  });
  it('a settings file with an unknown key or bad YAML is a one-line usage error', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wb-cwd-'));
    writeFileSync(join(cwd, 'workbook.config.yaml'), 'clustr: x\n');
    expect(() => resolveLab({}, io({}, cwd))).toThrow('unknown key "clustr"');
    writeFileSync(join(cwd, 'workbook.config.yaml'), 'a: [\n');
    expect(() => resolveLab({}, io({}, cwd))).toThrow(/is not valid YAML/);
  });
  it('WORKBOOK_PORTS moves local ports', () => {
    expect(parseLocalPorts('grafana=13000, tempo:13100')).toEqual({ grafana: 13000, prometheus: 9090, tempo: 13100, distributor: 3101, otlp: 4318, generator: 3102 });
  });
});
