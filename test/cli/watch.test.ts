// `workbook watch`: re-runs a chapter's checks, a line per change of state outside a terminal, one live board in a
// terminal; a fix shows (real Prometheus restarted with the missing flag on the same port), a change under
// manifests/ starts a round at once, it follows a challenge under way, and Ctrl-C leaves nothing running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, CLI, FakeWorld, ROOT, waitFor } from '../helpers/fakes.js';
import { LAB_CONTEXT } from '../helpers/scenarios.js';
import { startPrometheus, type RealPrometheus } from '../helpers/prometheus.js';
import { startGrafanaServer, type GrafanaServer } from '../helpers/grafana-server.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { FakeTtyIn, FakeTtyOut } from '../helpers/tty.js';
import { main } from '../../scripts/main.js';

let tempo: TempoServer;
let grafana: GrafanaServer;
beforeAll(async () => {
  tempo = await startTempoServer();
  grafana = await startGrafanaServer({ tempoUpstream: tempo.url });
});
afterAll(async () => {
  await Promise.all([tempo?.close(), grafana?.close()]);
});

/** The built CLI, its output collected as it comes. */
function watchCli(args: string[], env: NodeJS.ProcessEnv, cli = CLI): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, 'watch', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, exit };
}

describe('workbook watch (outside a terminal: one line per change of state)', () => {
  let prom: RealPrometheus | undefined;
  afterAll(async () => prom?.stop());

  it('shows the failing check, then the fix as soon as Prometheus answers with the flag, then that the chapter passes and what is next; Ctrl-C exits 0', async () => {
    prom = await startPrometheus({ receiver: true, exemplars: false });
    const world = new FakeWorld({ rules: {} });
    try {
      const w = watchCli(['prometheus', '--prometheus-url', prom.url, '--grafana-url', grafana.url], world.env({ CI: 'true', WORKBOOK_WATCH_MS: '300' }));
      await waitFor('the failing line', () => w.out().includes('✖ prometheus/exemplar-storage — enable-feature=(none)'));
      expect(w.out()).toContain('✔ prometheus/prometheus-ready — GET /-/ready → 200');
      // rounds in which it still fails do not print it again (one line per change of state)
      await new Promise((r) => setTimeout(r, 1000));
      expect(w.out().split('\n').filter((l) => l.includes('prometheus/exemplar-storage'))).toHaveLength(1);
      const port = prom.port;
      await prom.stop();
      prom = await startPrometheus({ receiver: true, exemplars: true, port });
      await waitFor('the fixed line', () => w.out().includes('✔ prometheus/exemplar-storage — enable-feature=exemplar-storage'), 20_000);
      await waitFor('the pass line', () => w.out().includes('✔ Chapter 2 passes. Next: 3. Tempo in microservices mode — workbook run tempo'));
      w.child.kill('SIGINT');
      expect(await w.exit).toBe(0);
      expect(world.calls()).toEqual([]);
    } finally {
      world.cleanup();
    }
  });

  it('through a port-forward: Ctrl-C leaves no kubectl port-forward behind', async () => {
    const p = await startPrometheus({ receiver: true, exemplars: true });
    const world = new FakeWorld({
      rules: {
        kubectl: [
          ...LAB_CONTEXT,
          { prefix: ['--context', 'kind-tempo-lab', 'port-forward', '--address', '127.0.0.1', '--namespace', 'prometheus', 'service/prometheus-stack-prometheus'], listen: true, proxyTo: `127.0.0.1:${p.port}` },
        ],
      },
    });
    try {
      const w = watchCli(['prometheus', '--grafana-url', grafana.url], world.env({ CI: 'true', WORKBOOK_WATCH_MS: '300' }));
      await waitFor('a round through the forward', () => w.out().includes('✔ prometheus/exemplar-storage'), 20_000);
      const forwards = world.calls('kubectl').filter((c) => c.argv.includes('port-forward'));
      expect(forwards).toHaveLength(1);
      expect(alive(forwards[0]!.pid)).toBe(true);
      w.child.kill('SIGINT');
      expect(await w.exit).toBe(0);
      await waitFor('the forward to be gone', () => !alive(forwards[0]!.pid), 5000);
    } finally {
      world.cleanup();
      await p.stop();
    }
  });
});

describe('workbook watch: bad input', () => {
  it('an unknown name is one line and exit 2, listing chapters and challenges', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const { runCli } = await import('../helpers/fakes.js');
      const r = await runCli(['watch', 'nope'], world.env({ CI: 'true' }));
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/^error: nothing called "nope" to watch \(chapters: 0 prerequisites, .*; challenges: dots-gone, .*\)$/);
    } finally {
      world.cleanup();
    }
  });
});

describe('workbook watch re-runs when a file under manifests/ changes (a copy of the project)', () => {
  let copy: string;
  let counter: Server;
  let hits = 0;
  let p: RealPrometheus;
  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'wb-watch-'));
    for (const f of ['package.json', 'chapters', 'dist', 'manifests']) cpSync(join(ROOT, f), join(copy, f), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    p = await startPrometheus({ receiver: true, exemplars: true });
    // counts the requests of each round on their way to the real Prometheus
    counter = createServer((req, res) => {
      if (req.url === '/-/ready') hits++;
      const up = request({ host: '127.0.0.1', port: p.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => counter.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await new Promise((r) => counter?.close(r));
    await p?.stop();
    rmSync(copy, { recursive: true, force: true });
  });

  it('a minute between rounds, yet an edit of a values file starts the next round at once', async () => {
    const url = `http://127.0.0.1:${(counter.address() as { port: number }).port}`;
    const state = join(copy, 'state');
    mkdirSync(state);
    const w = watchCli(['prometheus', '--prometheus-url', url, '--grafana-url', grafana.url], { ...process.env, CI: 'true', WORKBOOK_STATE_DIR: state, WORKBOOK_WATCH_MS: '60000' }, join(copy, 'dist/scripts/cli.js'));
    try {
      await waitFor('the first round', () => w.out().includes('✔ prometheus/grafana-health'), 20_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(hits).toBe(1);
      writeFileSync(join(copy, 'manifests/prometheus-stack.values.yaml'), '# edited by the test\n', { flag: 'a' });
      await waitFor('a second round', () => hits >= 2, 10_000);
    } finally {
      w.child.kill('SIGINT');
      await w.exit;
    }
  });
});

describe('workbook watch in a terminal (TTY stub): one board, redrawn in place', () => {
  it('follows the challenge under way by default, draws each check with how long it has held, and stops on Ctrl-C', async () => {
    const world = new FakeWorld({ rules: {} });
    const broken = await startGrafanaServer({ tempoUpstream: tempo.url, overlays: ['manifests/challenges/dots-lead-nowhere.values.yaml'] });
    try {
      mkdirSync(world.stateDir, { recursive: true });
      writeFileSync(join(world.stateDir, 'progress.json'), JSON.stringify({ version: 1, updatedAt: new Date().toISOString(), facts: {}, chapters: {}, challenges: { 'dots-lead-nowhere': { status: 'broken', startedAt: new Date().toISOString(), hintsUsed: 0 } } }));
      const env = world.env({ WORKBOOK_WATCH_MS: '200', WORKBOOK_GRAFANA_USER: 'admin', WORKBOOK_GRAFANA_PASSWORD: 'prom-operator' });
      delete env.CI;
      const stdout = new FakeTtyOut();
      const stderr = new FakeTtyOut();
      const ac = new AbortController();
      const done = main(['watch', '--grafana-url', broken.url], { env, cwd: process.cwd(), stdin: new FakeTtyIn() as never, stdout: stdout as never, stderr: stderr as never, signal: ac.signal });
      await waitFor('round 3', () => stdout.text.includes('round 3'), 15_000);
      ac.abort();
      expect(await done).toBe(0);
      expect(stdout.text).toContain('watching challenge dots-lead-nowhere: Dots that lead nowhere');
      expect(stdout.text).toMatch(/✖ Prometheus exemplars link traceID to Tempo \(for [^)]+\)\n {4}jsonData\.exemplarTraceIdDestinations/);
      expect(stdout.text).toContain('1 of 1 failing');
      // redrawn in place: the cursor goes back up over the previous board
      expect(stdout.raw).toMatch(/\x1b\[\d+A\r\x1b\[0J/);
      // not a line per change: the board holds the one check once per redraw
      expect(stdout.text.split('\n').filter((l) => l.startsWith('✔') || l.startsWith('✖')).length).toBeGreaterThanOrEqual(3);
    } finally {
      world.cleanup();
      await broken.close();
    }
  });

  it('h and Enter shows each check\'s requests under the board (how to check it yourself); again hides them', async () => {
    const world = new FakeWorld({ rules: {} });
    const broken = await startGrafanaServer({ tempoUpstream: tempo.url, overlays: ['manifests/challenges/dots-lead-nowhere.values.yaml'] });
    try {
      const env = world.env({ WORKBOOK_WATCH_MS: '200', WORKBOOK_GRAFANA_USER: 'admin', WORKBOOK_GRAFANA_PASSWORD: 'prom-operator' });
      delete env.CI;
      const stdout = new FakeTtyOut();
      stdout.columns = 300;
      const stdin = new FakeTtyIn();
      const ac = new AbortController();
      const done = main(['watch', 'dots-lead-nowhere', '--grafana-url', broken.url], { env, cwd: process.cwd(), stdin: stdin as never, stdout: stdout as never, stderr: new FakeTtyOut() as never, signal: ac.signal });
      await waitFor('the key help', () => stdout.text.includes('h + Enter: how to check it yourself'), 15_000);
      stdin.write('h\n');
      await waitFor('the requests', () => stdout.text.includes('Check it yourself (h hides'), 15_000);
      ac.abort();
      expect(await done).toBe(0);
      // the request the check made, with the learner's own variables for the password
      expect(stdout.text).toContain(`$ curl -s -H 'Accept: application/json' -u "$WORKBOOK_GRAFANA_USER:$WORKBOOK_GRAFANA_PASSWORD" ${broken.url}/api/datasources/uid/prometheus`);
      expect(stdout.text).not.toContain('prom-operator');
    } finally {
      world.cleanup();
      await broken.close();
    }
  });

  it('once everything passes, Enter goes on: during a challenge it records the fix (challenge check)', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      mkdirSync(world.stateDir, { recursive: true });
      const startedAt = new Date(Date.now() - 90_000).toISOString();
      writeFileSync(join(world.stateDir, 'progress.json'), JSON.stringify({ version: 1, updatedAt: startedAt, facts: {}, chapters: {}, challenges: { 'dots-lead-nowhere': { status: 'broken', startedAt, hintsUsed: 1 } } }));
      const env = world.env({ WORKBOOK_WATCH_MS: '200', WORKBOOK_GRAFANA_USER: 'admin', WORKBOOK_GRAFANA_PASSWORD: 'prom-operator' });
      delete env.CI;
      const stdin = new FakeTtyIn();
      const stdout = new FakeTtyOut();
      const done = main(['watch', 'dots-lead-nowhere', '--grafana-url', grafana.url], { env, cwd: process.cwd(), stdin: stdin as never, stdout: stdout as never, stderr: new FakeTtyOut() as never });
      await waitFor('the offer', () => stdout.text.includes('Enter records the fix (challenge check); Ctrl-C stops.'), 15_000);
      stdin.write('\n');
      expect(await done).toBe(0);
      expect(stdout.text).toMatch(/✔ Fixed: dots-lead-nowhere in .+, with 1 hint\(s\)\./);
      expect(world.progress().challenges['dots-lead-nowhere']).toMatchObject({ status: 'fixed', hintsUsed: 1 });
      expect(world.progress().challenges['dots-lead-nowhere'].timeToFixMs).toBeGreaterThanOrEqual(90_000);
    } finally {
      world.cleanup();
    }
  });
});
