// The embedded lab's processes: real Tempo and Prometheus on 127.0.0.1 (and the shop's traffic), started in the
// background by `workbook lab up`, found again by every later command through the state file, stopped by
// `workbook lab down`. Nothing listens anywhere but 127.0.0.1; ports are chosen free and recorded; logs and data
// live under <state-dir>/lab/. A process is only ever signalled after its /proc/<pid>/cmdline shows it is the one
// we started (a reused PID is never killed).
import { alive } from './process.js';
import { labDir, ours, readLabState, stateFile, type LabProcess, type LabState } from './embedded-state.js';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { UsageError, WorkbookError } from '../core/errors.js';
import { ROOT } from '../core/paths.js';
import { MICROSERVICES, prometheusArgs, tempoConfig, type Layout, type TempoPorts } from '../lab/embedded-config.js';
import { writeAtomic } from './files.js';
import { freePort } from './portforward.js';

export { labDir, ours, readLabState, runningLab, type LabProcess, type LabState } from './embedded-state.js';

/** Which binaries: the flag, the environment, else the program on PATH. */
export function findBinary(name: 'tempo' | 'prometheus', given: string | undefined, env: NodeJS.ProcessEnv): string {
  const pick = given ?? env[name === 'tempo' ? 'WORKBOOK_TEMPO_BIN' : 'WORKBOOK_PROMETHEUS_BIN'];
  if (pick) {
    if (!existsSync(pick)) throw new UsageError(`--${name}-bin ${pick}: no such file`);
    return pick;
  }
  for (const dir of (env.PATH ?? '').split(':').filter(Boolean)) if (existsSync(join(dir, name))) return join(dir, name);
  const what = name === 'tempo' ? 'Tempo 2.2.2 (github.com/grafana/tempo/releases/tag/v2.2.2)' : 'Prometheus 2.x with the remote-write receiver (2.42 in the article\'s era; Debian/Ubuntu: apt-get install prometheus)';
  throw new UsageError(`no ${name} binary: give --${name}-bin PATH, or put ${what} on PATH`);
}

async function waitReady(p: LabProcess, url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!alive(p.pid)) throw new WorkbookError(`${p.name} exited while starting; its log: ${p.log}\n${tail(p.log)}`);
    try {
      const r = await fetchStatus(url);
      if (r === 200) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new WorkbookError(`${p.name} did not become ready within ${ms / 1000} s; its log: ${p.log}\n${tail(p.log)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function fetchStatus(url: string): Promise<number> {
  const { realHttp } = await import('./real.js');
  return (await realHttp.request(url, { timeoutMs: 2000 })).status;
}

const tail = (file: string) => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-6).join('\n');
  } catch {
    return '';
  }
};

/** Start a program in the background, detached from this process (the lab outlives `lab up`), its output to a log. */
function launch(name: string, bin: string, args: string[], cwd: string, logs: string, extra: Partial<LabProcess> = {}): LabProcess {
  const log = join(logs, `${name}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], cwd });
  closeSync(fd);
  child.unref();
  return { name, pid: child.pid!, bin, args, log, ...extra };
}

/** Stop processes: SIGKILL (Tempo's distributor sleeps 30 s on SIGTERM: grafana/tempo@v2.2.2 modules/distributor/receiver/shim.go), each only if it is still ours; wait until gone. */
export async function stopProcesses(ps: LabProcess[]): Promise<string[]> {
  const stopped: string[] = [];
  for (const p of ps) {
    if (!ours(p)) continue;
    try {
      process.kill(p.pid, p.name === 'prometheus' || p.name === 'traffic' ? 'SIGTERM' : 'SIGKILL');
      stopped.push(p.name);
    } catch {
      /* gone meanwhile */
    }
  }
  const deadline = Date.now() + 15_000;
  while (ps.some((p) => alive(p.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const p of ps) if (alive(p.pid) && ours(p)) process.kill(p.pid, 'SIGKILL');
  return stopped;
}

export interface UpOptions {
  stateDir: string;
  layout: Layout;
  tempoBin: string;
  prometheusBin: string;
  /** send the shop's traffic with the lab (default yes) */
  traffic?: boolean;
  /** values overlays laid over the manifests (a challenge's fault) */
  overlays?: { tempo?: string[]; prometheus?: string[] };
  log?: (line: string) => void;
}

/**
 * `lab up`: a lab already up is kept (adopted); a lab left half-dead by a killed workbook is stopped first. Then
 * Prometheus, Tempo (one process, or eight), and the traffic; each awaited until it answers.
 */
export async function labUp(o: UpOptions): Promise<{ state: LabState; adopted: boolean }> {
  // a lab whose every process is still ours is adopted; one with a process gone is started again whole
  const up = readLabState(o.stateDir);
  if (up && up.layout === o.layout && up.processes.every(ours)) return { state: up, adopted: true };
  const old = readLabState(o.stateDir);
  if (old) await labDown(o.stateDir);
  const dir = labDir(o.stateDir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const say = o.log ?? (() => {});
  const started: LabProcess[] = [];
  try {
    // Prometheus
    const promDir = join(dir, 'prometheus');
    mkdirSync(promDir, { recursive: true });
    writeFileSync(join(promDir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    const promPort = await freePort();
    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    const prom = launch('prometheus', o.prometheusBin, prometheusArgs({ dir: promDir, port: promPort, overlays: o.overlays?.prometheus }), promDir, join(dir, 'logs'), { port: promPort, ready: '/-/ready' });
    started.push(prom);
    say(`prometheus  pid ${prom.pid}  ${prometheusUrl}`);
    // Tempo
    const names = o.layout === 'monolithic' ? ['all'] : [...MICROSERVICES];
    const ports: Record<string, TempoPorts> = {};
    for (const n of names) ports[n] = { http: await freePort(), grpc: await freePort(), memberlist: await freePort() };
    const otlp = { grpc: await freePort(), http: await freePort() };
    const tempoDir = join(dir, 'tempo');
    for (const n of names) {
      mkdirSync(join(tempoDir, n), { recursive: true });
      const file = join(tempoDir, `${n}.yaml`);
      writeFileSync(file, stringify(tempoConfig({ layout: o.layout, name: n, dir: tempoDir, ports, otlp, prometheusUrl, overlays: o.overlays?.tempo })));
      const p = launch(n === 'all' ? 'tempo' : `tempo-${n}`, o.tempoBin, [`-config.file=${file}`], tempoDir, join(dir, 'logs'), { port: ports[n]!.http, ready: '/ready' });
      started.push(p);
      say(`${p.name.padEnd(26)}  pid ${p.pid}  http://127.0.0.1:${ports[n]!.http}`);
    }
    await Promise.all(started.map((p) => waitReady(p, `http://127.0.0.1:${p.port}${p.ready}`, 90_000)));
    const q = ports[o.layout === 'monolithic' ? 'all' : 'query-frontend']!;
    const d = ports[o.layout === 'monolithic' ? 'all' : 'distributor']!;
    const urls = { tempo: `http://127.0.0.1:${q.http}`, distributor: `http://127.0.0.1:${d.http}`, prometheus: prometheusUrl, otlp: `http://127.0.0.1:${otlp.http}` };
    if (o.traffic !== false) {
      // the built-in generator: the same three templates and statuses as xk6-client-tracing v0.0.2
      const t = launch('traffic', process.execPath, [join(ROOT, 'dist/scripts/cli.js'), 'traffic', '--otlp-url', urls.otlp, '--rate', '2', '--count', '0'], dir, join(dir, 'logs'));
      started.push(t);
      say(`traffic                     pid ${t.pid}  → ${urls.otlp}/v1/traces`);
    }
    const state: LabState = { version: 1, layout: o.layout, startedAt: new Date().toISOString(), dir, processes: started, urls };
    await writeAtomic(stateFile(o.stateDir), JSON.stringify(state, null, 2) + '\n');
    return { state, adopted: false };
  } catch (err) {
    // nothing half-started is left behind
    await stopProcesses(started);
    throw err;
  }
}

/** `lab down`: every recorded process stopped (only those still ours), the state file removed; data and logs stay. */
export async function labDown(stateDir: string): Promise<{ stopped: string[]; found: boolean }> {
  const s = readLabState(stateDir);
  if (!s) return { stopped: [], found: false };
  const stopped = await stopProcesses(s.processes);
  rmSync(stateFile(stateDir), { force: true });
  return { stopped, found: true };
}

export interface ProcessHealth {
  name: string;
  pid: number;
  port?: number;
  running: boolean;
  /** "ready", the HTTP status, or why not */
  health: string;
}

/** `lab status`: each process, its port, and whether it answers. */
export async function labStatus(stateDir: string): Promise<{ state?: LabState; processes: ProcessHealth[] }> {
  const s = readLabState(stateDir);
  if (!s) return { processes: [] };
  const processes = await Promise.all(
    s.processes.map(async (p) => {
      const running = ours(p);
      let health = running ? 'running' : 'not running';
      if (running && p.port && p.ready) health = await fetchStatus(`http://127.0.0.1:${p.port}${p.ready}`).then((c) => (c === 200 ? 'ready' : `HTTP ${c}`), (e: Error) => e.message.replace(/^GET \S+: /, ''));
      return { name: p.name, pid: p.pid, ...(p.port ? { port: p.port } : {}), running, health };
    }),
  );
  return { state: s, processes };
}

/** A fault's restart, or a challenge's reset: one process stopped (SIGKILL, a crashed pod). */
export async function stopOne(stateDir: string, name: string): Promise<boolean> {
  const s = readLabState(stateDir);
  const p = s?.processes.find((x) => x.name === name);
  if (!p) return false;
  return (await stopProcesses([p])).length > 0;
}
