// The embedded lab's processes: real Tempo and Prometheus on 127.0.0.1 (and the shop's traffic), started in the
// background by `workbook lab up`, found again by every later command through the state file, stopped by
// `workbook lab down`. Nothing listens anywhere but 127.0.0.1; ports are chosen free and recorded; logs and data
// live under <state-dir>/lab/. A process is only ever signalled after its /proc/<pid>/cmdline shows it is the one
// we started (a reused PID is never killed).
import { alive, onPath } from './process.js';
import { labDir, ours, readLabState, stateFile, type LabProcess, type LabState } from './embedded-state.js';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { UsageError, WorkbookError } from '../core/errors.js';
import type { Lab } from '../core/model.js';
import { ROOT } from '../core/paths.js';
import { MICROSERVICES, prometheusArgs, tempoConfig, type Layout, type TempoPorts } from '../lab/embedded-config.js';
import { writeAtomic } from './files.js';
import { freePort } from './portforward.js';

export { labDir, ours, readLabState, runningLab, type LabProcess, type LabState } from './embedded-state.js';

/**
 * Which program: the one named (flag, environment or settings file), else one on PATH, else the profile's pinned
 * release, downloaded and checked (scripts/effects/download.ts).
 */
export async function findBinary(name: 'tempo' | 'prometheus', lab: Pick<Lab, 'bins' | 'profile' | 'stateDir'>, env: NodeJS.ProcessEnv, log?: (l: string) => void): Promise<string> {
  const given = lab.bins?.[name];
  if (given) {
    if (!existsSync(given.path)) throw new UsageError(`${given.from} ${given.path}: no such file`);
    return given.path;
  }
  const found = onPath(name, env);
  if (found) return found;
  const release = lab.profile.embedded?.[name];
  if (!release) throw new UsageError(`no ${name} program: give --${name}-bin PATH, or put ${name} on PATH (profile ${lab.profile.name} pins no release to download)`);
  const { fetchBinary } = await import('./download.js');
  return fetchBinary(name, release, { cacheDir: join(lab.stateDir, 'bin'), env, ...(log ? { log } : {}) });
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
  return { name, pid: child.pid!, bin, args, log, cwd, ...extra };
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

/** The processes of one component of the lab, by name. */
export type Component = 'prometheus' | 'tempo' | 'traffic';
export const COMPONENTS: readonly Component[] = ['prometheus', 'tempo', 'traffic'];
const componentOf = (name: string): Component => (name === 'prometheus' ? 'prometheus' : name === 'traffic' ? 'traffic' : 'tempo');

/** Launch one component from the recorded ports and overlays; returns its processes (not yet awaited). */
function launchComponent(c: Component, s: Omit<LabState, 'processes'>, bins: { tempo: string; prometheus: string }): LabProcess[] {
  const logs = join(s.dir, 'logs');
  const ports = s.ports!;
  if (c === 'prometheus') {
    const promDir = join(s.dir, 'prometheus');
    mkdirSync(promDir, { recursive: true });
    writeFileSync(join(promDir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    return [launch('prometheus', bins.prometheus, prometheusArgs({ dir: promDir, port: ports.prometheus, overlays: s.overlays?.prometheus }), promDir, logs, { port: ports.prometheus, ready: '/-/ready' })];
  }
  if (c === 'tempo') {
    const tempoDir = join(s.dir, 'tempo');
    return Object.keys(ports.tempo).map((n) => {
      mkdirSync(join(tempoDir, n), { recursive: true });
      const file = join(tempoDir, `${n}.yaml`);
      writeFileSync(file, stringify(tempoConfig({ layout: s.layout, name: n, dir: tempoDir, ports: ports.tempo, otlp: ports.otlp, prometheusUrl: s.urls.prometheus, overlays: s.overlays?.tempo })));
      return launch(n === 'all' ? 'tempo' : `tempo-${n}`, bins.tempo, [`-config.file=${file}`], tempoDir, logs, { port: ports.tempo[n]!.http, ready: '/ready' });
    });
  }
  // the built-in generator: the same three templates and statuses as xk6-client-tracing v0.0.2
  return [launch('traffic', process.execPath, [join(ROOT, 'dist/scripts/cli.js'), 'traffic', '--otlp-url', s.trafficUrl ?? s.urls.otlp, '--rate', '2', '--count', '0'], s.dir, logs)];
}

const describe = (p: LabProcess) => `${p.name.padEnd(26)}  pid ${p.pid}  ${p.port ? `http://127.0.0.1:${p.port}` : p.name === 'traffic' ? `→ ${p.args[p.args.indexOf('--otlp-url') + 1]}/v1/traces` : ''}`;

async function awaitReady(ps: LabProcess[]): Promise<void> {
  await Promise.all(ps.filter((p) => p.port && p.ready).map((p) => waitReady(p, `http://127.0.0.1:${p.port}${p.ready}`, 90_000)));
}

/**
 * `lab up`: a lab already up is kept (adopted); a lab left half-dead by a killed workbook is stopped first. Then
 * Prometheus, Tempo (one process, or eight), and the traffic; each awaited until it answers.
 */
export async function labUp(o: UpOptions): Promise<{ state: LabState; adopted: boolean }> {
  // a lab whose every process is still ours is adopted; one with a process gone is started again whole
  const up = readLabState(o.stateDir);
  if (up && up.layout === o.layout && up.processes.every(ours)) return { state: up, adopted: true };
  if (up) await labDown(o.stateDir);
  const dir = labDir(o.stateDir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const say = o.log ?? (() => {});
  const started: LabProcess[] = [];
  try {
    const names = o.layout === 'monolithic' ? ['all'] : [...MICROSERVICES];
    const tempo: Record<string, TempoPorts> = {};
    const prometheus = await freePort();
    for (const n of names) tempo[n] = { http: await freePort(), grpc: await freePort(), memberlist: await freePort() };
    const otlp = { grpc: await freePort(), http: await freePort() };
    const q = tempo[o.layout === 'monolithic' ? 'all' : 'query-frontend']!;
    const d = tempo[o.layout === 'monolithic' ? 'all' : 'distributor']!;
    const base: Omit<LabState, 'processes'> = {
      version: 1,
      layout: o.layout,
      startedAt: new Date().toISOString(),
      dir,
      urls: { tempo: `http://127.0.0.1:${q.http}`, distributor: `http://127.0.0.1:${d.http}`, prometheus: `http://127.0.0.1:${prometheus}`, otlp: `http://127.0.0.1:${otlp.http}`, otlpGrpc: `http://127.0.0.1:${otlp.grpc}` },
      ports: { prometheus, tempo, otlp },
      ...(o.overlays ? { overlays: o.overlays } : {}),
    };
    const bins = { tempo: o.tempoBin, prometheus: o.prometheusBin };
    for (const c of ['prometheus', 'tempo'] as const) {
      const ps = launchComponent(c, base, bins);
      started.push(...ps);
      for (const p of ps) say(describe(p));
    }
    await awaitReady(started);
    if (o.traffic !== false) {
      const [t] = launchComponent('traffic', base, bins);
      started.push(t!);
      say(describe(t!));
    }
    const state: LabState = { ...base, processes: started };
    await writeAtomic(stateFile(o.stateDir), JSON.stringify(state, null, 2) + '\n');
    return { state, adopted: false };
  } catch (err) {
    // nothing half-started is left behind
    await stopProcesses(started);
    throw err;
  }
}

const NO_LAB = 'no embedded lab is up here: `workbook lab up` starts one';

function labOrThrow(stateDir: string): LabState {
  const s = readLabState(stateDir);
  if (!s) throw new UsageError(NO_LAB);
  if (!s.ports) throw new UsageError('this embedded lab was started by an older workbook and cannot restart one part: `workbook lab down`, then `workbook lab up`');
  return s;
}

/**
 * One component started again (its processes stopped, its configuration made anew from the manifests with the
 * overlays given, and started on the same ports): a challenge's fault, and its reset (no overlay: the article's values).
 */
export async function labRestart(stateDir: string, c: Component, o: { overlays?: string[]; trafficUrl?: string; log?: (l: string) => void } = {}): Promise<LabState> {
  const s = labOrThrow(stateDir);
  const mine = s.processes.filter((p) => componentOf(p.name) === c);
  if (c === 'traffic' && !mine.length && !o.trafficUrl) throw new UsageError('this embedded lab runs no traffic (it was started with --no-traffic)');
  await stopProcesses(mine);
  const overlays = { ...s.overlays };
  if (c !== 'traffic') {
    if (o.overlays?.length) overlays[c] = o.overlays;
    else delete overlays[c];
  }
  const next: Omit<LabState, 'processes'> = { ...s, overlays };
  if (c === 'traffic') {
    if (o.trafficUrl) next.trafficUrl = o.trafficUrl;
    else delete next.trafficUrl;
  }
  const bins = { tempo: s.processes.find((p) => componentOf(p.name) === 'tempo')!.bin, prometheus: s.processes.find((p) => p.name === 'prometheus')!.bin };
  // as on kind: a changed Prometheus is a new pod, and the chart keeps its data in an emptyDir, so it starts empty
  // (prometheus.prometheusSpec.storageSpec is {} in prometheus-community/helm-charts@kube-prometheus-stack-51.2.0
  // charts/kube-prometheus-stack/values.yaml; test/fixtures/chart-keys)
  if (c === 'prometheus') rmSync(join(s.dir, 'prometheus', 'data'), { recursive: true, force: true });
  const fresh = launchComponent(c, next, bins);
  for (const p of fresh) o.log?.(describe(p));
  // the new processes replace the old in place (the order lab status shows stays)
  const processes = s.processes.filter((p) => componentOf(p.name) !== c);
  const at = s.processes.findIndex((p) => componentOf(p.name) === c);
  processes.splice(at < 0 ? processes.length : at, 0, ...fresh);
  const state: LabState = { ...next, processes };
  await writeAtomic(stateFile(stateDir), JSON.stringify(state, null, 2) + '\n');
  await awaitReady(fresh);
  return state;
}

/** Named processes stopped (SIGKILL: a crashed pod); they stay recorded, so `lab start` can bring them back. */
export async function labStop(stateDir: string, names: string[]): Promise<string[]> {
  const s = labOrThrow(stateDir);
  const ps = names.map((n) => s.processes.find((p) => p.name === n) ?? unknownProcess(s, n));
  return stopProcesses(ps);
}

/** Recorded processes that are not running, started again as they were (same binary, configuration and ports). */
export async function labStart(stateDir: string, names: string[], log?: (l: string) => void): Promise<string[]> {
  const s = labOrThrow(stateDir);
  const ps = names.map((n) => s.processes.find((p) => p.name === n) ?? unknownProcess(s, n));
  const fresh = new Map<string, LabProcess>();
  for (const p of ps.filter((x) => !ours(x))) {
    const q = launch(p.name, p.bin, p.args, p.cwd ?? s.dir, join(s.dir, 'logs'), { ...(p.port ? { port: p.port } : {}), ...(p.ready ? { ready: p.ready } : {}) });
    fresh.set(p.name, q);
    log?.(describe(q));
  }
  const state: LabState = { ...s, processes: s.processes.map((p) => fresh.get(p.name) ?? p) };
  await writeAtomic(stateFile(stateDir), JSON.stringify(state, null, 2) + '\n');
  const since = Date.now();
  await awaitReady([...fresh.values()]);
  // an ingester is "started" once the distributor's ring has its first heartbeat (one heartbeat_period, 5 s, after it
  // is ready on its own page), as a pod is only useful to writes from then on
  const ingesters = [...fresh.keys()].filter((n) => n.startsWith('tempo-ingester-')).map((n) => n.replace(/^tempo-/, ''));
  if (ingesters.length && s.layout === 'microservices') await heartbeatSeen(s.urls.distributor, ingesters, since);
  return [...fresh.keys()];
}

/** Wait (up to 30 s) until the ring read from the distributor shows a heartbeat of each ingester newer than `since`. */
async function heartbeatSeen(distributor: string, ids: string[], since: number): Promise<void> {
  const { realHttp } = await import('./real.js');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await realHttp.request(`${distributor}/ingester/ring`, { timeoutMs: 2000, headers: { Accept: 'application/json' } }).catch(() => undefined);
    const shards = ((r?.status === 200 ? JSON.parse(r.body) : {}) as { shards?: { id: string; timestamp?: string }[] }).shards ?? [];
    // the ring's timestamps are whole seconds
    if (ids.every((id) => Date.parse(shards.find((x) => x.id === id)?.timestamp ?? '') >= since - 1000)) return;
    await new Promise((res) => setTimeout(res, 500));
  }
}

function unknownProcess(s: LabState, n: string): never {
  throw new UsageError(`no process "${n}" in this embedded lab (it has ${s.processes.map((p) => p.name).join(', ')})`);
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
