// Never lose a result, never crash: hostile responses, report paths, unwritable state folders, settings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executeCheck } from '../../scripts/core/engine.js';
import { checks as ch2 } from '../../chapters/02-prometheus/index.js';
import { realHttp, MAX_BODY_BYTES } from '../../scripts/effects/real.js';
import { printable } from '../../scripts/core/format.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { resolveLab } from '../../scripts/cli/settings.js';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { testContext, testLab } from '../helpers/context.js';

const check = (id: string) => ch2.find((c) => c.id === id)!;

describe('hostile responses', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/huge')) {
        // an endless body without content-length: the reader must stop on its own
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(1024 * 1024, 'x');
        const pump = () => {
          while (res.write(chunk)) {
            /* until the socket pushes back */
          }
        };
        res.on('drain', pump);
        res.on('close', () => res.removeListener('drain', pump));
        pump();
        return;
      }
      if (req.url === '/declared') return res.writeHead(200, { 'content-length': String(2 * 1024 ** 3) }).end();
      // a 500 whose body holds control characters and terminal escapes
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom\x00\x01\x07\x1b[31mred\x1b[0m\x1b]0;title\x07 end');
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('a body that never ends is cut at 8 MiB with a one-line error, not read into memory', async () => {
    await expect(realHttp.request(`${url}/huge`, { timeoutMs: 20_000 })).rejects.toThrow(`GET ${url}/huge: response larger than 8 MiB`);
    await expect(realHttp.request(`${url}/declared`)).rejects.toThrow(/response larger than 8 MiB \(content-length 2147483648\)/);
    expect(MAX_BODY_BYTES).toBe(8 * 1024 * 1024);
  });

  it('a check against it fails with that evidence', async () => {
    const ctx = await testContext(testLab({ urls: { prometheus: `${url}/huge` }, timeoutMs: 2000 }));
    const r = await executeCheck(check('prometheus-ready'), ctx);
    expect(r.status).toBe('failed');
    expect(r.evidence).toContain('response larger than 8 MiB');
  });

  it('control characters and escapes never reach a result: evidence and JUnit stay printable, valid XML', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const junit = join(world.dir, 'r.xml');
      const r = await runCli(['verify', 'prometheus', '--prometheus-url', url, '--grafana-url', url, '--timeout', '1s', '--junit', junit], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toContain('boomred end');
      expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
      expect(r.stdout).not.toMatch(/\x1b\]|\x07|\x00/);
      expect(printable('a\x1b[1mb\x1b[0m\tc\nd\x00')).toBe('ab\tc\nd');
    } finally {
      world.cleanup();
    }
  });
});

describe('report paths: bad input is exit 2 before anything runs, no temp file is left', () => {
  let world: FakeWorld;
  beforeAll(() => {
    world = new FakeWorld({ rules: {} });
  });
  afterAll(() => world.cleanup());

  it.each([
    [['--json', '/tmp'], 'error: cannot write report --json /tmp: it is a folder; name a file in it'],
    [['--junit', '/proc/x.xml'], /^error: cannot write report --junit \/proc\/x\.xml: /],
    [['--json', 'same.json', '--junit', 'same.json'], 'error: cannot write reports: --json and --junit both name same.json; give each its own file (or - for one of them)'],
  ])('%j', async (args, message) => {
    const before = readdirSync('/');
    const r = await runCli(['verify', 'teardown', ...(args as string[])], world.env({ CI: 'true' }));
    expect(r.code).toBe(2);
    const line = r.stderr.trim().split('\n')[0]!;
    if (typeof message === 'string') expect(line).toBe(message);
    else expect(line).toMatch(message);
    expect(readdirSync('/')).toEqual(before);
    expect(world.calls()).toEqual([]); // nothing ran
  });

  it('--json - writes the report to stdout (and the progress lines to stderr)', async () => {
    const r = await runCli(['verify', 'teardown', '--json', '-'], world.env({ CI: 'true' }));
    const report = JSON.parse(r.stdout);
    expect(report.schema).toBe('tempo-workbook/report@2');
    expect(existsSync(join(world.dir, '-'))).toBe(false);
    expect(r.stderr).toContain('8. Teardown');
  });
});

describe('state folders that cannot be written', () => {
  it('--state-dir /proc/wbtest: exit 2 at once (it used to spin forever in a recursive mkdir)', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['verify', 'teardown', '--state-dir', '/proc/wbtest'], world.env({ CI: 'true' }), { timeoutMs: 20_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('error: progress folder /proc/wbtest is not writable (ENOENT); choose another with --state-dir\n');
    } finally {
      world.cleanup();
    }
  });
});

describe('settings are checked wherever they come from, and errors name the source', () => {
  const io = (env: Record<string, string> = {}, cwd = process.cwd()) => ({ env, cwd, stdinIsTTY: false, stdoutIsTTY: false });
  it.each([
    [{}, { WORKBOOK_TIMEOUT: 'abc' }, 'WORKBOOK_TIMEOUT "abc" is not a duration (e.g. 90s, 5m, 1h)'],
    [{ timeout: 'soon' }, {}, '--timeout "soon" is not a duration (e.g. 90s, 5m, 1h)'],
    [{ 'prometheus-url': 'http://admin:secret@127.0.0.1:9090' }, {}, '--prometheus-url must not hold a user name or password (it would be printed with every attempt): for Grafana, set WORKBOOK_GRAFANA_USER and WORKBOOK_GRAFANA_PASSWORD'],
    [{}, { WORKBOOK_GRAFANA_URL: 'http://127.0.0.1:3000/?q=1#x' }, 'WORKBOOK_GRAFANA_URL must be a base URL, without ?query or #fragment (paths are added to it)'],
    [{}, { WORKBOOK_LANG: 'fr' }, 'WORKBOOK_LANG must be en or zh-TW, not "fr"'],
  ])('%j %j → %s', (flags, env, message) => {
    expect(() => resolveLab(flags, io(env))).toThrow(message);
  });

  it('a settings file value of the wrong type is named with its file and key', () => {
    const dir = join(process.env.TMPDIR ?? '/tmp', `wb-settings-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'workbook.config.yaml'), 'state-dir:\n  a: 1\n');
    expect(() => resolveLab({}, io({}, dir))).toThrow(`settings file ${join(dir, 'workbook.config.yaml')}: state-dir must be text, not a map`);
    writeFileSync(join(dir, 'workbook.config.yaml'), 'timeout: 90\nlang: zh_TW\n');
    const lab = resolveLab({}, io({}, dir));
    expect([lab.timeoutMs, lab.lang]).toEqual([90_000, 'zh-TW']);
  });

  it('--timeout 1h and the usual spellings of zh-TW are accepted', () => {
    expect(resolveLab({ timeout: '1h' }, io()).timeoutMs).toBe(3_600_000);
    for (const l of ['zh_TW', 'zh-tw', 'ZH-TW']) expect(resolveLab({ lang: l }, io()).lang).toBe('zh-TW');
  });
});

describe('the flags --help lists are taken where it lists them; zh-TW errors', () => {
  it('verify --yes, doctor --timeout, and the menu\'s --timeout and URL flags parse', async () => {
    const { parseCli: parseWith } = await import('../../scripts/cli/options.js');
    const { SPECS } = await import('../../scripts/commands/index.js');
    const parseCli = (argv: string[]) => parseWith(argv, SPECS);
    expect(parseCli(['verify', 'all', '--yes']).flags.yes).toBe(true);
    expect(parseCli(['doctor', '--timeout', '5s']).flags.timeout).toBe('5s');
    expect(parseCli(['--timeout', '5m', '--tempo-url', 'http://127.0.0.1:3200', '--distributor-url', 'http://127.0.0.1:3201']).flags).toMatchObject({ timeout: '5m', 'tempo-url': 'http://127.0.0.1:3200' });
  });
  it('a usage error reads in zh-TW when the learner reads zh-TW', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['run', 'nope', '--lang', 'zh-TW'], world.env({ CI: 'true' }));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^錯誤: 沒有 "nope" 這一章/);
    } finally {
      world.cleanup();
    }
  });
});

describe('--distributor-url has the settings-file and environment forms of the other endpoints', () => {
  const io = (env: Record<string, string> = {}, cwd = process.cwd()) => ({ env, cwd, stdinIsTTY: false, stdoutIsTTY: false });
  it('WORKBOOK_DISTRIBUTOR_URL and distributor-url in workbook.config.yaml; the flag wins', () => {
    expect(resolveLab({}, io({ WORKBOOK_DISTRIBUTOR_URL: 'http://127.0.0.1:3201/' })).urls.distributor).toBe('http://127.0.0.1:3201');
    const dir = join(process.env.TMPDIR ?? '/tmp', `wb-dist-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'workbook.config.yaml'), 'distributor-url: http://127.0.0.1:3202\ntempo-url: http://127.0.0.1:3200\n');
    expect(resolveLab({}, io({}, dir)).urls).toMatchObject({ distributor: 'http://127.0.0.1:3202', tempo: 'http://127.0.0.1:3200' });
    expect(resolveLab({ 'distributor-url': 'http://127.0.0.1:3203' }, io({ WORKBOOK_DISTRIBUTOR_URL: 'http://127.0.0.1:3201' }, dir)).urls.distributor).toBe('http://127.0.0.1:3203');
  });
});
