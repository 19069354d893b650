// Starts a REAL Tempo 2.2.2 (the binary in ../shared/bin, built from grafana/tempo@v2.2.2; see its README) on
// 127.0.0.1 with free ports: one process (`target: all`), or one process per component as the chart deploys it
// (microservices: distributor, three ingesters with replication factor 3, querier, query-frontend, compactor,
// metrics-generator; memberlist on loopback; one local backend directory shared by the processes).
// Config keys are Tempo 2.2.2's (grafana/tempo@v2.2.2:docs/sources/tempo/configuration/_index.md); the
// lab-speed settings (collection_interval, service_graphs.wait, batch_send_deadline, heartbeats) are ours and
// say so below. Stopped with SIGKILL: the 2.2.2 distributor sleeps 30 s on SIGTERM
// (grafana/tempo@v2.2.2:modules/distributor/receiver/shim.go), which a test has no reason to wait for.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../scripts/effects/portforward.js';
import { ROOT } from './fakes.js';

export const TEMPO_VERSION = '2.2.2';
const DOCKER_IMAGE = 'docker:grafana/tempo:2.2.2';
const BINARY = 'tempo-2.2.2-linux-amd64';

/** Where the real binary is: $WORKBOOK_TEST_TEMPO_BIN, or ../shared/bin from the project root. */
/** Tempo 3.0.3, built from the v3.0.3 tag (../shared/bin/README.md), for the current profile's tests; linux/x64 only. */
export function tempo3Binary(): { bin?: string; why?: string } {
  const env = process.env.WORKBOOK_TEST_TEMPO3_BIN;
  if (env) return existsSync(env) ? { bin: env } : { why: `WORKBOOK_TEST_TEMPO3_BIN=${env} does not exist` };
  const origin = spawnSync('git', ['-C', ROOT, 'remote', 'get-url', 'origin'], { encoding: 'utf8' }).stdout?.trim();
  const name = 'tempo-3.0.3-linux-amd64';
  const found = [resolve(ROOT, '../shared/bin', name), ...(origin && existsSync(origin) ? [resolve(origin, '../shared/bin', name)] : [])].find((c) => existsSync(c));
  if (found && process.platform === 'linux' && process.arch === 'x64') return { bin: found };
  return { why: `real Tempo 3.0.3 not found (WORKBOOK_TEST_TEMPO3_BIN or ../shared/bin/${name})` };
}

export function tempoBinary(): { bin?: string; why?: string } {
  const env = process.env.WORKBOOK_TEST_TEMPO_BIN;
  if (env) return existsSync(env) ? { bin: env } : { why: `WORKBOOK_TEST_TEMPO_BIN=${env} does not exist` };
  // ../shared/bin beside the project; in a clone (CI clones the repository), beside the repository it came from
  const origin = spawnSync('git', ['-C', ROOT, 'remote', 'get-url', 'origin'], { encoding: 'utf8' }).stdout?.trim();
  const candidates = [resolve(ROOT, '../shared/bin', BINARY), ...(origin && existsSync(origin) ? [resolve(origin, '../shared/bin', BINARY)] : [])];
  const shared = candidates.find((c) => existsSync(c));
  if (shared && process.platform === 'linux' && process.arch === 'x64') return { bin: shared };
  // grafana/tempo:2.2.2 is the same program: with a Docker engine, run it in a container on the host's network
  // (untested here: this machine has no Docker engine)
  const docker = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 5000 });
  if (docker.status === 0) return { bin: DOCKER_IMAGE };
  return { why: `real Tempo ${TEMPO_VERSION} not found: no binary (WORKBOOK_TEST_TEMPO_BIN or ../shared/bin/tempo-2.2.2-linux-amd64) and no Docker engine for grafana/tempo:2.2.2` };
}

export interface TempoOptions {
  /** remote_write target of the metrics generator (a real Prometheus); omit for none */
  remoteWrite?: string;
  /** the whole remote_write URL instead of `${remoteWrite}/api/v1/write` (a fault: a wrong path, a host that does not resolve) */
  remoteWriteUrl?: string;
  /**
   * Resolve names only through 127.0.0.1:53, where nothing listens: a host that does not resolve fails here, and no
   * DNS query leaves the machine. Tempo runs in its own mount namespace (unshare -m, as root) with its own
   * /etc/resolv.conf bound over the system's.
   */
  loopbackDns?: boolean;
  sendExemplars?: boolean;
  /** overrides.metrics_generator_processors; default both */
  processors?: string[];
  /** multitenancy_enabled (a fault: every query then needs X-Scope-OrgID) */
  multitenancy?: boolean;
  blockRetention?: string;
  /** storage.trace.s3 instead of the local backend (the article-minio overlay's block, on a test S3 server) */
  s3?: Record<string, unknown>;
  /** the ingester cuts, flushes and lets go of blocks within seconds (ours; defaults are minutes) */
  fastFlush?: boolean;
}

interface Proc {
  name: string;
  /** how it was started, to start it again (restart) */
  bin: string;
  file: string;
  /** when run from grafana/tempo:2.2.2: the container to remove (killing `docker run` leaves it running) */
  container?: string;
  child: ChildProcess;
  log: string;
  http: number;
}

export interface RealTempo {
  /** query path: the process itself (monolithic) or the query-frontend */
  url: string;
  /** the distributor's HTTP (ring page, /metrics) */
  distributorUrl: string;
  /** OTLP/HTTP receiver on the distributor */
  otlpUrl: string;
  /** HTTP of each process by name */
  processes: Record<string, string>;
  /** stop one process (e.g. an ingester) with SIGKILL, as a crashed pod */
  kill(name: string): Promise<void>;
  /** start a killed process again with its own config and ports (a pod rescheduled), and wait until it is ready */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
  logs(): string;
}

function config(dir: string, o: TempoOptions, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    multitenancy_enabled: o.multitenancy ?? false,
    overrides: { metrics_generator_processors: o.processors ?? ['service-graphs', 'span-metrics'] },
    compactor: { compaction: { block_retention: o.blockRetention ?? '48h' } },
    storage: { trace: o.s3 ? { backend: 's3', s3: o.s3, wal: { path: join(dir, 'wal') } } : { backend: 'local', local: { path: join(dir, 'blocks') }, wal: { path: join(dir, 'wal') } } },
    metrics_generator: {
      processor: { service_graphs: { wait: '2s' } }, // ours, for speed (default 10s)
      registry: { collection_interval: '1s', external_labels: { source: 'tempo' } }, // ours, for speed (default 15s)
      storage: {
        path: join(dir, 'generator'),
        remote_write: o.remoteWrite || o.remoteWriteUrl
          ? [{ url: o.remoteWriteUrl ?? `${o.remoteWrite}/api/v1/write`, send_exemplars: o.sendExemplars ?? true, queue_config: { batch_send_deadline: '1s' } }]
          : [],
      },
    },
    ...extra,
  };
}

const server = (http: number, grpc: number) => ({
  http_listen_address: '127.0.0.1',
  http_listen_port: http,
  grpc_listen_address: '127.0.0.1',
  grpc_listen_port: grpc,
  log_level: 'warn',
});

/** Whether Tempo can be started with its own resolv.conf (unshare -m needs root); why not, otherwise. */
export function loopbackDnsWhyNot(): string | undefined {
  const r = spawnSync('unshare', ['-m', 'true'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? undefined : `unshare -m is not allowed here (${(r.stderr || r.error?.message || `exit ${r.status}`).trim()})`;
}

async function launch(bin: string, name: string, file: string, args: string[], http: number, loopbackDns = false): Promise<Proc> {
  const dir = dirname(file);
  const container = `wb-tempo-${process.pid}-${http}`;
  let child: ChildProcess;
  if (bin === DOCKER_IMAGE) {
    child = spawn('docker', ['run', '--rm', '--name', container, '--network', 'host', '--user', `${process.getuid?.() ?? 0}`, '-v', `${dir}:${dir}`, ...(loopbackDns ? ['--dns', '127.0.0.1'] : []), bin.slice('docker:'.length), `-config.file=${file}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else if (loopbackDns) {
    const resolv = join(dir, 'resolv.conf');
    writeFileSync(resolv, 'nameserver 127.0.0.1\n');
    child = spawn('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolv, bin, `-config.file=${file}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    child = spawn(bin, [`-config.file=${file}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  const p: Proc = { name, bin, file, child, log: '', http, ...(bin === DOCKER_IMAGE ? { container } : {}) };
  child.stderr?.on('data', (d) => (p.log = (p.log + d).slice(-6000)));
  return p;
}

async function waitReady(p: Proc, deadlineMs: number): Promise<void> {
  const url = `http://127.0.0.1:${p.http}/ready`;
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`tempo ${p.name} exited (${p.child.exitCode}): ${p.log}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`tempo ${p.name} not ready in ${deadlineMs / 1000} s: ${p.log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function handle(dir: string, procs: Proc[], urls: { url: string; distributorUrl: string; otlpUrl: string }): RealTempo {
  const killOne = async (p: Proc) => {
    if (p.container) spawnSync('docker', ['rm', '--force', p.container], { timeout: 30_000 });
    if (p.child.exitCode !== null || p.child.signalCode) return;
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill('SIGKILL');
    await exited;
  };
  return {
    ...urls,
    processes: Object.fromEntries(procs.map((p) => [p.name, `http://127.0.0.1:${p.http}`])),
    async kill(name) {
      const p = procs.find((x) => x.name === name);
      if (!p) throw new Error(`no tempo process ${name}`);
      await killOne(p);
    },
    async restart(name) {
      const i = procs.findIndex((x) => x.name === name);
      if (i < 0) throw new Error(`no tempo process ${name}`);
      const old = procs[i]!;
      await killOne(old);
      const p = await launch(old.bin, old.name, old.file, [], old.http);
      procs[i] = p;
      await waitReady(p, 60_000);
    },
    async stop() {
      await Promise.all(procs.map(killOne));
      rmSync(dir, { recursive: true, force: true });
    },
    logs: () => procs.map((p) => `--- ${p.name}\n${p.log}`).join('\n'),
  };
}

/**
 * Free ports are picked before the processes start; another test process may take one in between. Then Tempo
 * exits with "address already in use": start again with new ports (three tries).
 */
async function withFreshPorts<T>(start: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= 3 || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

/** One process, `target: all`: the fast lab for most tests. */
export function startTempo(o: TempoOptions = {}): Promise<RealTempo> {
  return withFreshPorts(() => startTempoOnce(o));
}

async function startTempoOnce(o: TempoOptions): Promise<RealTempo> {
  const { bin, why } = tempoBinary();
  if (!bin) throw new Error(why);
  const dir = mkdtempSync(join(tmpdir(), 'wb-tempo-'));
  const [http, grpc, otlp, ml] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const inmemory = { kvstore: { store: 'inmemory' } };
  const cfg = config(dir, o, {
    target: 'all',
    server: server(http, grpc),
    distributor: { receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlp}` } } } } },
    ingester: {
      lifecycler: { address: '127.0.0.1', min_ready_duration: '0s', join_after: '0s', final_sleep: '0s', ring: { ...inmemory, replication_factor: 1 } },
      // grafana/tempo@v2.2.2 modules/ingester/config.go: trace_idle_period, max_block_duration, complete_block_timeout, flush_check_period
      ...(o.fastFlush ? { trace_idle_period: '1s', max_block_duration: '2s', complete_block_timeout: '2s', flush_check_period: '1s' } : {}),
    },
    memberlist: { bind_addr: ['127.0.0.1'], bind_port: ml },
    querier: { frontend_worker: { frontend_address: `127.0.0.1:${grpc}` } },
  });
  (cfg.metrics_generator as Record<string, unknown>).ring = inmemory;
  const file = join(dir, 'tempo.yaml');
  writeFileSync(file, stringify(cfg));
  const p = await launch(bin, 'all', file, [], http, o.loopbackDns);
  try {
    await waitReady(p, 40_000);
  } catch (err) {
    p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = `http://127.0.0.1:${http}`;
  return handle(dir, [p], { url, distributorUrl: url, otlpUrl: `http://127.0.0.1:${otlp}` });
}

export const INGESTER_IDS = ['ingester-0', 'ingester-1', 'ingester-2'];

/**
 * Microservices mode, as tempo-distributed deploys it: one process per component, memberlist rings,
 * replication factor 3. Ingester ids are ours ("ingester-N"; the chart's pods are tempo-ingester-N).
 * Heartbeats are shortened (ours) so a killed ingester turns unhealthy in seconds, not the default minute.
 */
export function startTempoMicroservices(o: TempoOptions = {}): Promise<RealTempo> {
  return withFreshPorts(() => startTempoMicroservicesOnce(o));
}

async function startTempoMicroservicesOnce(o: TempoOptions): Promise<RealTempo> {
  const { bin, why } = tempoBinary();
  if (!bin) throw new Error(why);
  const dir = mkdtempSync(join(tmpdir(), 'wb-tempo-ms-'));
  const names = ['distributor', ...INGESTER_IDS, 'query-frontend', 'querier', 'compactor', 'metrics-generator'];
  const ports: Record<string, { http: number; grpc: number; ml: number }> = {};
  for (const n of names) ports[n] = { http: await freePort(), grpc: await freePort(), ml: await freePort() };
  const otlp = await freePort();
  const members = names.map((n) => `127.0.0.1:${ports[n]!.ml}`);
  const memberlistRing = { kvstore: { store: 'memberlist' } };
  const procs: Proc[] = [];
  try {
    for (const n of names) {
      const pn = ports[n]!;
      const target = n.startsWith('ingester') ? 'ingester' : n;
      const cfg = config(dir, o, {
        target,
        server: server(pn.http, pn.grpc),
        memberlist: { bind_addr: ['127.0.0.1'], bind_port: pn.ml, join_members: members, abort_if_cluster_join_fails: false, gossip_interval: '200ms', pull_push_interval: '2s' },
        distributor: {
          ring: memberlistRing,
          receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlp}` } } } },
        },
        ingester: {
          lifecycler: {
            id: n,
            address: '127.0.0.1',
            min_ready_duration: '0s',
            join_after: '0s',
            final_sleep: '0s',
            heartbeat_period: '1s',
            // ours, for speed (default 1m); long enough that a busy 2-core machine never misses a live heartbeat
            ring: { ...memberlistRing, replication_factor: 3, heartbeat_timeout: '8s' },
          },
        },
        querier: { frontend_worker: { frontend_address: `127.0.0.1:${ports['query-frontend']!.grpc}` } },
        compactor: { ring: { ...memberlistRing, wait_stability_min_duration: '0s' }, compaction: { block_retention: o.blockRetention ?? '48h' } },
      });
      const gen = cfg.metrics_generator as Record<string, unknown>;
      gen.ring = { ...memberlistRing, instance_addr: '127.0.0.1' };
      // each process its own WAL; the blocks (local backend) are shared
      const own = join(dir, n);
      mkdirSync(own, { recursive: true });
      ((cfg.storage as { trace: { wal: { path: string } } }).trace.wal.path = join(own, 'wal'));
      (gen.storage as { path: string }).path = join(own, 'generator');
      const file = join(dir, `${n}.yaml`);
      writeFileSync(file, stringify(cfg));
      procs.push(await launch(bin, n, file, [], pn.http));
    }
    await Promise.all(procs.map((p) => waitReady(p, 60_000)));
    const t = handle(dir, procs, {
      url: `http://127.0.0.1:${ports['query-frontend']!.http}`,
      distributorUrl: `http://127.0.0.1:${ports.distributor!.http}`,
      otlpUrl: `http://127.0.0.1:${otlp}`,
    });
    await waitRing(t.distributorUrl, 3, 30_000);
    return t;
  } catch (err) {
    for (const p of procs) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Wait until the distributor sees `n` ingesters in `state` (memberlist gossip takes a moment), or exactly these ids. */
export async function waitRing(distributorUrl: string, n: number | string[], ms: number, state = 'ACTIVE'): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const r = await fetch(`${distributorUrl}/ingester/ring`, { headers: { Accept: 'application/json' } });
      last = await r.text();
      const shards = (JSON.parse(last) as { shards?: { id: string; state: string }[] }).shards ?? [];
      const inState = shards.filter((s) => s.state === state).map((s) => s.id).sort();
      if (typeof n === 'number' ? inState.length === n : JSON.stringify(inState) === JSON.stringify([...n].sort())) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`ring never had ${n} ${state} ingesters: ${last.slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
