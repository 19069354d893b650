// The embedded lab's processes: real Tempo and Prometheus on 127.0.0.1 (and the shop's traffic), started in the
// background by `workbook lab up`, found again by every later command through the state file, stopped by
// `workbook lab down`. Nothing listens anywhere but 127.0.0.1; ports are chosen free and recorded; logs and data
// live under <state-dir>/lab/. A process is only ever signalled after its recorded start time shows it is the one
// we started (a reused PID is never killed).
//
// Owned for their whole life: `lab up|down|restart|start|stop` hold the lab's lock (two at once wait their turn);
// `lab up` writes the state before the first process starts and again as each starts; every process carries
// WORKBOOK_LAB_DIR in its environment, so `lab down` also finds what a killed `lab up` started but could not record;
// each leads its own process group, so stopping it stops what it forked (a wrapper script's child). Every input
// (a --values file, the overlays) is read before anything is stopped, and a state that cannot be written stops
// what was just started rather than leave it unrecorded.
import { alive, onPath } from './process.js';
import { labDir, labLock, ours, readLabState, readLabStateOrProblem, startTimeOf, stateFile, type LabProcess, type LabState } from './embedded-state.js';
import { withLock } from './lock.js';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { mergeValues } from '../lab/values.js';
import { stringify } from 'yaml';
import { UsageError, WorkbookError } from '../core/errors.js';
import type { Lab } from '../core/model.js';
import { ROOT } from '../core/paths.js';
import { MICROSERVICES, microservicesOf, prometheusProcess, receiverEndpoints, tempoProcess, type Change, type Layout, type TempoPorts } from '../lab/embedded-config.js';
import { tempoGeneration } from '../core/engine.js';
import { committedRender, type ChartInstall, type PrometheusRender, type Render, type TempoRender } from '../lab/chart-render.js';
import { getProfile } from '../lab/versions.js';
import { writeAtomic } from './files.js';
import { canConnect, freePort } from './portforward.js';

export { labDir, ours, readLabState, runningLab, type LabProcess, type LabState } from './embedded-state.js';

/** How long a lab command waits for another one (a `lab up` of microservices takes seconds; a download, minutes). */
const LOCK_WAIT_MS = 10 * 60_000;
const locked = <T>(stateDir: string, fn: () => Promise<T>) => withLock(labLock(stateDir), { what: 'the embedded lab', waitMs: LOCK_WAIT_MS }, fn);

/** A program the lab may start: a regular file this user may execute. */
function runnable(path: string, from: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`${from} ${path}: no such file`);
  }
  if (!st.isFile()) throw new UsageError(`${from} ${path}: not a program (${st.isDirectory() ? 'a folder' : 'not a regular file'})`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new UsageError(`${from} ${path}: not executable (chmod +x ${path})`);
  }
  return path;
}

/**
 * Which program: the one named (flag, environment or settings file), else one on PATH, else the profile's pinned
 * release, downloaded and checked (scripts/effects/download.ts).
 */
export async function findBinary(name: 'tempo' | 'prometheus', lab: Pick<Lab, 'bins' | 'profile' | 'stateDir'>, env: NodeJS.ProcessEnv, log?: (l: string) => void): Promise<string> {
  const given = lab.bins?.[name];
  if (given) return runnable(given.path, given.from);
  const found = onPath(name, env);
  if (found) return runnable(found, `${name} on PATH:`);
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
function launch(plan: Plan, logs: string): LabProcess {
  const log = join(logs, `${plan.name}.log`);
  for (const f of plan.files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text);
  }
  const fd = openSync(log, 'a');
  let child;
  try {
    // marked with its lab's folder: `lab down` finds it even if its PID was never recorded
    child = spawn(plan.bin, plan.args, { detached: true, stdio: ['ignore', fd, fd], cwd: plan.cwd, env: { ...process.env, WORKBOOK_LAB_DIR: plan.labDir } });
  } finally {
    closeSync(fd);
  }
  // an exec that fails (a folder, no permission) is an 'error' event: it shows as the process not running
  child.on('error', () => {});
  child.unref();
  if (!child.pid) throw new WorkbookError(`${plan.name}: ${plan.bin} could not be started`);
  const startTime = startTimeOf(child.pid);
  return { name: plan.name, pid: child.pid, ...(startTime !== undefined ? { startTime } : {}), bin: plan.bin, args: plan.args, log, cwd: plan.cwd, ...plan.extra };
}

/** A process to start, computed before anything is stopped or started (its configuration files' text included). */
interface Plan {
  name: string;
  bin: string;
  args: string[];
  cwd: string;
  labDir: string;
  files: { path: string; text: string }[];
  extra: Partial<LabProcess>;
}

/** Processes marked with this lab's folder (WORKBOOK_LAB_DIR) that are still running: what a killed `lab up` left. */
function marked(dir: string): number[] {
  if (!existsSync('/proc/self/environ')) return [];
  const mark = `WORKBOOK_LAB_DIR=${dir}`;
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/environ`, 'latin1').split('\0').includes(mark)) out.push(Number(e));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

/** Stop processes: SIGKILL (Tempo's distributor sleeps 30 s on SIGTERM: grafana/tempo@v2.2.2 modules/distributor/receiver/shim.go), each only if it is still ours; wait until gone. */
export async function stopProcesses(ps: LabProcess[]): Promise<string[]> {
  const stopped: string[] = [];
  const mine = ps.filter(ours);
  for (const p of mine) {
    if (signalGroup(p.pid, p.name === 'prometheus' || p.name === 'traffic' ? 'SIGTERM' : 'SIGKILL')) stopped.push(p.name);
  }
  const deadline = Date.now() + 15_000;
  while (mine.some((p) => alive(p.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const p of mine) if (ours(p)) signalGroup(p.pid, 'SIGKILL');
  // what the group leader forked may outlive it: the whole group goes
  for (const p of mine) signalGroup(p.pid, 'SIGKILL', true);
  return stopped;
}

/** Signal a process and its group (it leads one: started detached); `groupOnly` for what is left once it is gone. */
function signalGroup(pid: number, sig: NodeJS.Signals, groupOnly = false): boolean {
  let any = false;
  try {
    process.kill(-pid, sig);
    any = true;
  } catch {
    /* no such group */
  }
  if (groupOnly) return any;
  try {
    process.kill(pid, sig);
    any = true;
  } catch {
    /* gone meanwhile */
  }
  return any;
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
  /** called once it is decided that a lab starts (not when one already up is adopted) */
  onStart?: () => void;
  /** the versions profile (default article) and, for one that keeps blocks in an object store, its S3 server */
  profile?: string;
  s3Endpoint?: string;
  /** Tempo 3's microservices: the Kafka jars (kafkaLibFor) */
  kafkaLib?: string;
}

/** The processes of one component of the lab, by name. */
export type Component = 'prometheus' | 'tempo' | 'traffic';
export const COMPONENTS: readonly Component[] = ['prometheus', 'tempo', 'traffic'];
// the Kafka broker belongs with Tempo 3's microservices: it starts before them, afresh with them
const componentOf = (name: string): Component => (name === 'prometheus' ? 'prometheus' : name === 'traffic' ? 'traffic' : 'tempo');
const isTempo = (name: string) => name === 'tempo' || name.startsWith('tempo-');

/** The chart install the embedded lab's Tempo or Prometheus stands for: the profile's values and the overlays given. */
function installFor(c: 'tempo' | 'prometheus', overlays: string[] = [], profileName = 'article'): ChartInstall {
  const chart = c === 'tempo' ? 'tempo-distributed' : 'kube-prometheus-stack';
  const profile = getProfile(profileName);
  const base = profile.values?.[chart] ?? (c === 'tempo' ? 'manifests/tempo-distributed.values.yaml' : 'manifests/prometheus-stack.values.yaml');
  const version = profile.charts[chart]!.version;
  return { release: c === 'tempo' ? 'tempo' : 'prometheus-stack', chart, version, namespace: c === 'tempo' ? 'tracing' : 'prometheus', values: [base, ...(profile.overlays?.[chart] ?? []), ...overlays] };
}

/** The chart's render for these values: committed (manifests/rendered), or made now with helm when there is none. */
export async function renderFor(c: 'tempo' | 'prometheus', overlays: string[] | undefined, env: NodeJS.ProcessEnv = process.env, profile = 'article'): Promise<Render> {
  const i = installFor(c, overlays, profile);
  // every overlay read first: a file that is not a values file is one line, whatever renders it
  for (const f of overlays ?? []) mergeValues([f]);
  const kept = committedRender(i);
  if (kept) return kept;
  const { renderWithHelm } = await import('./helm-render.js');
  return (await renderWithHelm(i, env)).render;
}

/** One component's processes, planned from the recorded ports and overlays (renders and reads: may throw, starts nothing). */
async function planComponent(c: Component, s: Omit<LabState, 'processes'>, bins: { tempo: string; prometheus: string }): Promise<Plan[]> {
  const common = { labDir: s.dir };
  const ports = s.ports!;
  if (c === 'prometheus') {
    const promDir = join(s.dir, 'prometheus');
    const { args } = prometheusProcess((await renderFor('prometheus', s.overlays?.prometheus, process.env, s.profile)) as PrometheusRender, { dir: promDir, port: ports.prometheus });
    return [{ ...common, name: 'prometheus', bin: bins.prometheus, args, cwd: promDir, files: [{ path: join(promDir, 'prometheus.yml'), text: 'global:\n  scrape_interval: 15s\n' }], extra: { port: ports.prometheus, ready: '/-/ready' } }];
  }
  if (c === 'tempo') {
    const tempoDir = join(s.dir, 'tempo');
    const render = (await renderFor('tempo', s.overlays?.tempo, process.env, s.profile)) as TempoRender;
    const overridesFile = join(tempoDir, 'runtime-config', 'overrides.yaml');
    const kafka = ports.kafka ? `127.0.0.1:${ports.kafka.broker}` : undefined;
    const tempo = Object.keys(ports.tempo).map((n, i) => {
      const configFile = join(tempoDir, `${n}.yaml`);
      const { config, args } = tempoProcess(render, { layout: s.layout, name: n, dir: tempoDir, ports: ports.tempo, receivers: receiverPorts(s), prometheusUrl: s.urls.prometheus, overridesFile, configFile, ...(s.s3Endpoint ? { s3Endpoint: s.s3Endpoint } : {}), ...(kafka ? { kafka } : {}) });
      const files = [{ path: configFile, text: stringify(config) }, ...(i === 0 ? [{ path: overridesFile, text: stringify(render.overrides) }] : [])];
      return { ...common, name: n === 'all' ? 'tempo' : `tempo-${n}`, bin: bins.tempo, args, cwd: tempoDir, files, extra: { port: ports.tempo[n]!.http, ready: '/ready' } };
    });
    return ports.kafka && s.kafkaLib ? [kafkaPlan(s, ports.kafka, s.kafkaLib), ...tempo] : tempo;
  }
  // the built-in generator: the same three templates and statuses as the profile's xk6-client-tracing, with its names
  return [{ ...common, name: 'traffic', bin: process.execPath, args: [join(ROOT, 'dist/scripts/cli.js'), 'traffic', '--otlp-url', s.trafficUrl ?? s.urls.otlp, '--rate', '2', '--count', '0', '--profile', s.profile], cwd: s.dir, files: [], extra: {} }];
}

/** Each receiver endpoint's port: OTLP's from the recorded OTLP ports, the others (Jaeger, Zipkin, OpenCensus) recorded apart. */
function receiverPorts(s: Omit<LabState, 'processes'>): Record<string, number> {
  const p = s.ports!;
  return { ...(p.receivers ?? {}), 'otlp.protocols.grpc': p.otlp.grpc, 'otlp.protocols.http': p.otlp.http };
}

/** What the lab changes of the chart's configuration, for one process of each kind (`lab status --changes`). */
export async function labChanges(s: LabState): Promise<{ tempo: Change[]; prometheus: Change[] }> {
  const render = (await renderFor('tempo', s.overlays?.tempo, process.env, s.profile)) as TempoRender;
  const tempoDir = join(s.dir, 'tempo');
  const name = Object.keys(s.ports!.tempo)[0]!;
  const { changes: tempo } = tempoProcess(render, { layout: s.layout, name, dir: tempoDir, ports: s.ports!.tempo, receivers: receiverPorts(s), prometheusUrl: s.urls.prometheus, overridesFile: join(tempoDir, 'runtime-config', 'overrides.yaml'), configFile: join(tempoDir, `${name}.yaml`), ...(s.s3Endpoint ? { s3Endpoint: s.s3Endpoint } : {}) });
  const { changes: prometheus } = prometheusProcess((await renderFor('prometheus', s.overlays?.prometheus, process.env, s.profile)) as PrometheusRender, { dir: join(s.dir, 'prometheus'), port: s.ports!.prometheus });
  return { tempo, prometheus };
}

/** The folders a component's processes need (their data folders live beside their configuration). */
function makeFolders(c: Component, s: Omit<LabState, 'processes'>): void {
  if (c === 'prometheus') mkdirSync(join(s.dir, 'prometheus'), { recursive: true });
  if (c === 'tempo') {
    mkdirSync(join(s.dir, 'tempo', 'runtime-config'), { recursive: true });
    for (const n of Object.keys(s.ports!.tempo)) mkdirSync(join(s.dir, 'tempo', n), { recursive: true });
    if (s.ports?.kafka && s.kafkaLib) formatKafka(s, s.ports.kafka, s.kafkaLib);
  }
}

// ------------------------------------------------------------------------------------------------ Kafka (Tempo 3)

/**
 * The broker's configuration: one node that is broker and KRaft controller on loopback, every replication factor 1,
 * topics created on first use (Tempo creates its own: ingest.kafka.auto_create_topic_enabled), and no delay before
 * a consumer group's first rebalance. Facts from apache/kafka@4.4.0 config/server.properties and
 * ../shared/reference/tempo-3-on-loopback (a broker that worked with Tempo 3.0.3 here).
 */
function kafkaFiles(dir: string, p: { broker: number; controller: number }): { path: string; text: string }[] {
  const props = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${p.controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${p.broker},CONTROLLER://127.0.0.1:${p.controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${p.broker}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=2',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'auto.create.topics.enable=true',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=1',
  ];
  const log4j = ['status = warn', 'appender.console.type = Console', 'appender.console.name = STDOUT', 'appender.console.layout.type = PatternLayout', 'appender.console.layout.pattern = [%d] %p %m (%c)%n', 'rootLogger.level = INFO', 'rootLogger.appenderRef.stdout.ref = STDOUT'];
  return [
    { path: join(dir, 'server.properties'), text: props.join('\n') + '\n' },
    { path: join(dir, 'log4j2.properties'), text: log4j.join('\n') + '\n' },
  ];
}

function kafkaPlan(s: Omit<LabState, 'processes'>, p: { broker: number; controller: number }, lib: string): Plan {
  const dir = join(s.dir, 'kafka');
  return { labDir: s.dir, name: 'kafka', bin: 'java', args: ['-Xms256m', '-Xmx512m', `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`, '-cp', `${lib}/*`, 'kafka.Kafka', join(dir, 'server.properties')], cwd: dir, files: kafkaFiles(dir, p), extra: {} };
}

/** A fresh broker folder, formatted for KRaft (a broker's old data held another run's consumer groups: never reused). */
function formatKafka(s: Omit<LabState, 'processes'>, p: { broker: number; controller: number }, lib: string): void {
  const dir = join(s.dir, 'kafka');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (const f of kafkaFiles(dir, p)) writeFileSync(f.path, f.text);
  // a cluster id is 16 random bytes in URL-safe base64 without padding (22 characters: Kafka's Uuid)
  const id = randomBytes(16).toString('base64url');
  const r = spawnSync('java', ['-cp', `${lib}/*`, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', join(dir, 'server.properties')], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new WorkbookError(`the Kafka broker's storage could not be formatted: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').at(-1)}`);
}

/** Said after a refused download of the broker's jars: how to give them without it. */
export const GIVE_KAFKA_JARS = 'give the jars yourself: WORKBOOK_KAFKA_LIB=DIR, a folder of org.apache.kafka:kafka_2.13 and its dependencies';

/**
 * Where the Kafka jars are, for Tempo 3's microservices: WORKBOOK_KAFKA_LIB, else a checkout's dist/kafka-lib
 * (test/setup/ensure-kafka.sh), else the profile's pinned set (kafkaJars) downloaded once into <state-dir>/bin and
 * checked jar by jar; and java on PATH. Refused in one line otherwise, before anything is touched. Undefined for
 * every other layout and profile.
 */
export async function kafkaLibFor(layout: Layout, profile: string, o: { env?: NodeJS.ProcessEnv; stateDir: string; log?: (l: string) => void; signal?: AbortSignal; /** a checkout's copy (default dist/kafka-lib) */ checkout?: string }): Promise<string | undefined> {
  const p = getProfile(profile);
  if (layout !== 'microservices' || tempoGeneration({ profile: p }) !== 3) return undefined;
  const env = o.env ?? process.env;
  if (!onPath('java', env)) throw new UsageError(`profile ${profile}'s microservices run a Kafka broker, which needs java (17 or later) on PATH`);
  const hasKafka = (dir: string) => existsSync(dir) && readdirSync(dir).some((f) => /^kafka_2\.13-.*\.jar$/.test(f));
  // named by the learner (or a classroom's copy): taken as it is
  if (env.WORKBOOK_KAFKA_LIB) {
    if (!hasKafka(env.WORKBOOK_KAFKA_LIB)) throw new UsageError(`WORKBOOK_KAFKA_LIB=${env.WORKBOOK_KAFKA_LIB} holds no kafka_2.13 jar: give the folder of org.apache.kafka:kafka_2.13 and its dependencies, or unset it and the lab downloads the pinned set`);
    return env.WORKBOOK_KAFKA_LIB;
  }
  // a checkout's copy (test/setup/ensure-kafka.sh), else the pinned set in the cache, downloaded once and checked
  const dev = o.checkout ?? join(ROOT, 'dist', 'kafka-lib');
  if (existsSync(join(dev, '.complete')) && hasKafka(dev)) return dev;
  if (!p.kafkaJars) throw new UsageError(`profile ${profile} pins no Kafka jars: give them with WORKBOOK_KAFKA_LIB=DIR, or run it as one process (without --microservices)`);
  const { fetchJars, readJarSet } = await import('./download.js');
  const jars = readJarSet(p.kafkaJars, readFileSync(join(ROOT, p.kafkaJars), 'utf8'));
  const name = basename(p.kafkaJars).replace(/\.jars\.tsv$/, '');
  return fetchJars(name, jars, { cacheDir: join(o.stateDir, 'bin'), env, yourself: GIVE_KAFKA_JARS, ...(o.log ? { log: o.log } : {}), ...(o.signal ? { signal: o.signal } : {}) });
}

/** Tempo 3's components give up at start on a broker that does not answer yet: the broker's port is awaited first (the JVM takes seconds). */
async function brokerListening(p: LabProcess, port: number): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (!alive(p.pid)) throw new WorkbookError(`the Kafka broker exited while starting; its log: ${p.log}`);
    // a connection, never a bind: binding the port to test it could take it from the broker starting
    if (await canConnect(port)) return;
    await new Promise((res) => setTimeout(res, 300));
  }
  throw new WorkbookError(`the Kafka broker did not listen on 127.0.0.1:${port} within 90 s; its log: ${p.log}`);
}

/** Tempo 3's first writes answer 503 until every Kafka partition has its owner (about 17 s): wait for one that is taken. */
async function pushAccepted(otlpHttp: string, profile: string): Promise<void> {
  const { realHttp } = await import('./real.js');
  // one of the shop's own traces (the traffic's payload builder): nothing foreign enters the learner's data
  const { buildTrace } = await import('../lab/traffic.js');
  const { httpNamesOf } = await import('../lab/shop.js');
  const body = JSON.stringify(buildTrace(0, Date.now(), Math.random, httpNamesOf(getProfile(profile))).body);
  const deadline = Date.now() + 120_000;
  let last = '';
  while (Date.now() < deadline) {
    const r = await realHttp.request(`${otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, timeoutMs: 5000 }).catch((e: Error) => ({ status: 0, body: e.message }));
    if (r.status === 200) return;
    last = `${r.status} ${r.body.trim().slice(0, 80)}`;
    await new Promise((res) => setTimeout(res, 1000));
  }
  throw new WorkbookError(`Tempo's distributor never took a write within 2 minutes (last: ${last}): the Kafka partitions have no owner; the live-stores' logs say why`);
}

/** Write the lab's state; if the disk refuses, stop `fresh` (never leave a process unrecorded) and say so. */
async function record(stateDir: string, state: LabState, fresh: LabProcess[]): Promise<void> {
  try {
    await writeAtomic(stateFile(stateDir), JSON.stringify(state, null, 2) + '\n');
  } catch (err) {
    await stopProcesses(fresh);
    throw new WorkbookError(`the embedded lab's state could not be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): what had just started was stopped`, { exitCode: 1, final: true });
  }
}

const describe = (p: LabProcess) => `${p.name.padEnd(26)}  pid ${p.pid}  ${p.port ? `http://127.0.0.1:${p.port}` : p.name === 'traffic' ? `→ ${p.args[p.args.indexOf('--otlp-url') + 1]}/v1/traces` : ''}`;

async function awaitReady(ps: LabProcess[]): Promise<void> {
  // 90 s, as a pod's readiness would be given up on (WORKBOOK_LAB_READY_MS shortens it for tests of a program that never gets ready)
  const ms = Number(process.env.WORKBOOK_LAB_READY_MS) > 0 ? Number(process.env.WORKBOOK_LAB_READY_MS) : 90_000;
  await Promise.all(ps.filter((p) => p.port && p.ready).map((p) => waitReady(p, `http://127.0.0.1:${p.port}${p.ready}`, ms)));
}


/**
 * `lab up`: a lab already up is kept (adopted); a lab left half-dead by a killed workbook is stopped first. Then
 * Prometheus, Tempo (one process, or eight), and the traffic; each awaited until it answers.
 */
export async function labUp(o: UpOptions): Promise<{ state: LabState; adopted: boolean }> {
  return locked(o.stateDir, async () => {
    // a lab whose every process is still ours is adopted; one with a process gone is started again whole
    const up = readLabState(o.stateDir);
    if (up && up.phase === 'up' && up.layout === o.layout && up.profile === (o.profile ?? 'article') && up.processes.every(ours)) return { state: up, adopted: true };
    o.onStart?.();
    await stopEverything(o.stateDir);
    const dir = labDir(o.stateDir);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const say = o.log ?? (() => {});
    const started: LabProcess[] = [];
    try {
      const generation = tempoGeneration({ profile: getProfile(o.profile ?? 'article') });
      const names = o.layout === 'monolithic' ? ['all'] : [...microservicesOf(generation)];
      const tempo: Record<string, TempoPorts> = {};
      // the kernel may hand out a port it just gave (each is released at once): no two of the lab's may be the same
      const taken = new Set<number>();
      const port = async (): Promise<number> => {
        for (;;) {
          const p = await freePort();
          if (!taken.has(p)) return taken.add(p), p;
        }
      };
      const prometheus = await port();
      for (const n of names) tempo[n] = { http: await port(), grpc: await port(), memberlist: await port() };
      const otlp = { grpc: await port(), http: await port() };
      const kafka = o.kafkaLib ? { broker: await port(), controller: await port() } : undefined;
      const receivers: Record<string, number> = {};
      const tempoRender = (await renderFor('tempo', o.overlays?.tempo, process.env, o.profile)) as TempoRender;
      if ((tempoRender.config as { storage?: { trace?: { backend?: string } } }).storage?.trace?.backend === 's3' && !o.s3Endpoint) {
        throw new UsageError(`profile ${o.profile} keeps Tempo's blocks in an object store (MinIO on the cluster): give --s3-endpoint HOST:PORT of an S3-compatible server on this machine, with the bucket and keys of manifests/overlays/tempo-minio.values.yaml`);
      }
      for (const r of receiverEndpoints(tempoRender.config)) if (!r.startsWith('otlp.')) receivers[r] = await port();
      const q = tempo[o.layout === 'monolithic' ? 'all' : 'query-frontend']!;
      const d = tempo[o.layout === 'monolithic' ? 'all' : 'distributor']!;
      const base: Omit<LabState, 'processes'> = {
        version: 1,
        layout: o.layout,
        phase: 'starting',
        profile: o.profile ?? 'article',
        ...(o.s3Endpoint ? { s3Endpoint: o.s3Endpoint } : {}),
        startedAt: new Date().toISOString(),
        dir,
        urls: { tempo: `http://127.0.0.1:${q.http}`, distributor: `http://127.0.0.1:${d.http}`, prometheus: `http://127.0.0.1:${prometheus}`, otlp: `http://127.0.0.1:${otlp.http}`, otlpGrpc: `http://127.0.0.1:${otlp.grpc}` },
        ports: { prometheus, tempo, otlp, receivers, ...(kafka ? { kafka } : {}) },
        ...(o.kafkaLib ? { kafkaLib: o.kafkaLib } : {}),
        ...(o.overlays ? { overlays: o.overlays } : {}),
      };
      const bins = { tempo: o.tempoBin, prometheus: o.prometheusBin };
      const components: Component[] = o.traffic !== false ? ['prometheus', 'tempo', 'traffic'] : ['prometheus', 'tempo'];
      // every configuration made (and every overlay read) before the first process starts
      const plans = await Promise.all(components.map(async (c) => ({ c, plans: await planComponent(c, base, bins) })));
      // recorded before anything starts, and again as each starts
      await record(o.stateDir, { ...base, processes: [] }, []);
      for (const { c, plans: ps } of plans) {
        // the traffic only once Tempo and Prometheus answer (and, with three ingesters, once the distributor's ring
        // has them all: before that a write finds fewer than its quorum of 2, as a fresh cluster's first seconds do)
        if (c === 'traffic') {
          await awaitReady(started);
          if (o.layout === 'microservices' && generation === 2) await heartbeatSeen(base.urls.distributor, MICROSERVICES.filter((n) => n.startsWith('ingester-')), 0, true);
          if (o.layout === 'microservices' && generation === 3) await pushAccepted(base.urls.otlp, base.profile);
        }
        makeFolders(c, base);
        for (const plan of ps) {
          const p = launch(plan, join(dir, 'logs'));
          started.push(p);
          await record(o.stateDir, { ...base, processes: [...started] }, [p]);
          say(describe(p));
          if (p.name === 'kafka') await brokerListening(p, base.ports!.kafka!.broker);
        }
      }
      await awaitReady(started);
      const state: LabState = { ...base, phase: 'up', processes: started };
      await record(o.stateDir, state, started);
      return { state, adopted: false };
    } catch (err) {
      // nothing half-started is left behind
      await stopProcesses(started);
      rmSync(stateFile(o.stateDir), { force: true });
      throw err;
    }
  });
}

/** Stop every process of the lab recorded here, and any still marked with its folder (a killed `lab up`'s). */
async function stopEverything(stateDir: string): Promise<{ stopped: string[]; found: boolean; problem?: string }> {
  const { state, problem } = readLabStateOrProblem(stateDir);
  const stopped = state ? await stopProcesses(state.processes) : [];
  const dir = labDir(stateDir);
  const strays = marked(dir);
  for (const pid of strays) signalGroup(pid, 'SIGKILL');
  const deadline = Date.now() + 5_000;
  while (strays.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (strays.length) stopped.push(`${strays.length} unrecorded process(es) of this lab`);
  if (problem) {
    // set aside, not deleted: it may name processes to look for by hand
    renameSync(stateFile(stateDir), `${stateFile(stateDir)}.corrupt`);
  } else rmSync(stateFile(stateDir), { force: true });
  return { stopped, found: !!state || strays.length > 0 || !!problem, ...(problem ? { problem } : {}) };
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
  return locked(stateDir, async () => {
    const s = labOrThrow(stateDir);
    const mine = s.processes.filter((p) => componentOf(p.name) === c);
    if (c === 'traffic' && !mine.length && !o.trafficUrl) throw new UsageError('this embedded lab runs no traffic (it was started with --no-traffic)');
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
    const bins = { tempo: s.processes.find((p) => isTempo(p.name))!.bin, prometheus: s.processes.find((p) => p.name === 'prometheus')!.bin };
    // the new configuration first: a values file that does not parse stops nothing
    const plans = await planComponent(c, next, bins);
    await stopProcesses(mine);
    // as on kind: a changed Prometheus is a new pod, and the chart keeps its data in an emptyDir, so it starts empty
    // (prometheus.prometheusSpec.storageSpec is {} in prometheus-community/helm-charts@kube-prometheus-stack-51.2.0
    // charts/kube-prometheus-stack/values.yaml; test/fixtures/chart-keys)
    if (c === 'prometheus') rmSync(join(s.dir, 'prometheus', 'data'), { recursive: true, force: true });
    makeFolders(c, next);
    const fresh: LabProcess[] = [];
    try {
      for (const plan of plans) {
        const p = launch(plan, join(s.dir, 'logs'));
        fresh.push(p);
        if (p.name === 'kafka') await brokerListening(p, next.ports!.kafka!.broker);
      }
    } catch (err) {
      await stopProcesses(fresh);
      throw err;
    }
    for (const p of fresh) o.log?.(describe(p));
    // the new processes replace the old in place (the order lab status shows stays)
    const processes = s.processes.filter((p) => componentOf(p.name) !== c);
    const at = s.processes.findIndex((p) => componentOf(p.name) === c);
    processes.splice(at < 0 ? processes.length : at, 0, ...fresh);
    const state: LabState = { ...next, processes };
    await record(stateDir, state, fresh);
    await awaitReady(fresh);
    return state;
  });
}

/** Named processes stopped (SIGKILL: a crashed pod); they stay recorded, so `lab start` can bring them back. */
export async function labStop(stateDir: string, names: string[]): Promise<string[]> {
  return locked(stateDir, async () => {
    const s = labOrThrow(stateDir);
    const ps = names.map((n) => s.processes.find((p) => p.name === n) ?? unknownProcess(s, n));
    return stopProcesses(ps);
  });
}

/** Recorded processes that are not running, started again as they were (same binary, configuration and ports). */
export async function labStart(stateDir: string, names: string[], log?: (l: string) => void): Promise<string[]> {
  return locked(stateDir, async () => {
    const s = labOrThrow(stateDir);
    const ps = names.map((n) => s.processes.find((p) => p.name === n) ?? unknownProcess(s, n));
    const fresh = new Map<string, LabProcess>();
    try {
      for (const p of ps.filter((x) => !ours(x))) {
        const q = launch({ name: p.name, bin: p.bin, args: p.args, cwd: p.cwd ?? s.dir, labDir: s.dir, files: [], extra: { ...(p.port ? { port: p.port } : {}), ...(p.ready ? { ready: p.ready } : {}) } }, join(s.dir, 'logs'));
        fresh.set(p.name, q);
        log?.(describe(q));
      }
    } catch (err) {
      await stopProcesses([...fresh.values()]);
      throw err;
    }
    const state: LabState = { ...s, processes: s.processes.map((p) => fresh.get(p.name) ?? p) };
    await record(stateDir, state, [...fresh.values()]);
    const since = Date.now();
    await awaitReady([...fresh.values()]);
    // an ingester is "started" once the distributor's ring has its first heartbeat (one heartbeat_period, 5 s, after it
    // is ready on its own page), as a pod is only useful to writes from then on
    const ingesters = [...fresh.keys()].filter((n) => n.startsWith('tempo-ingester-')).map((n) => n.replace(/^tempo-/, ''));
    if (ingesters.length && s.layout === 'microservices') await heartbeatSeen(s.urls.distributor, ingesters, since);
    return [...fresh.keys()];
  });
}

/** Wait (up to 30 s) until the ring read from the distributor shows a heartbeat of each ingester newer than `since` (and ACTIVE). */
async function heartbeatSeen(distributor: string, ids: string[], since: number, active = false): Promise<void> {
  const { realHttp } = await import('./real.js');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await realHttp.request(`${distributor}/ingester/ring`, { timeoutMs: 2000, headers: { Accept: 'application/json' } }).catch(() => undefined);
    const shards = ((r?.status === 200 ? JSON.parse(r.body) : {}) as { shards?: { id: string; timestamp?: string; state?: string }[] }).shards ?? [];
    // the ring's timestamps are whole seconds
    if (ids.every((id) => Date.parse(shards.find((x) => x.id === id)?.timestamp ?? '') >= since - 1000 && (!active || shards.find((x) => x.id === id)?.state === 'ACTIVE'))) return;
    await new Promise((res) => setTimeout(res, 500));
  }
}

function unknownProcess(s: LabState, n: string): never {
  throw new UsageError(`no process "${n}" in this embedded lab (it has ${s.processes.map((p) => p.name).join(', ')})`);
}

/** `lab down`: every recorded process stopped (only those still ours), the state file removed; data and logs stay. */
export async function labDown(stateDir: string): Promise<{ stopped: string[]; found: boolean; problem?: string }> {
  return locked(stateDir, () => stopEverything(stateDir));
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
