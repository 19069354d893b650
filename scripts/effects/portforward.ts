import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { WorkbookError } from '../core/errors.js';
import { formatCommand, lastLines } from '../core/format.js';
import type { EndpointName, Lab } from '../core/model.js';
import { ENDPOINT_NAMES, ENDPOINTS } from '../core/endpoints.js';
import type { Text } from '../core/text.js';
import { kubectl } from '../lab/tools.js';

/** What each endpoint forwards to, as the charts name things (see manifests/*.values.yaml). */
export interface ForwardTarget {
  namespace: string;
  resource: string;
  remotePort: number;
}

export function forwardTargets(lab: Lab): Record<EndpointName, ForwardTarget> {
  return Object.fromEntries(ENDPOINT_NAMES.map((n) => [n, ENDPOINTS[n].forward(lab)])) as Record<EndpointName, ForwardTarget>;
}


/** The exact port-forward command: bound to 127.0.0.1 only. */
export function portForwardArgv(lab: Lab, target: ForwardTarget, localPort: number): string[] {
  return kubectl(lab, 'port-forward', '--address', '127.0.0.1', '--namespace', target.namespace, target.resource, `${localPort}:${target.remotePort}`);
}

const SERVICE_MISSING_HINT: Text = {
  en: 'The service is not in the cluster: its chapter has not been installed yet (chapter 2 for Prometheus and Grafana, chapter 3 for Tempo). `workbook status` shows where you are.',
  'zh-TW': '叢集中沒有這個 service：它所屬的章節還沒安裝（Prometheus 與 Grafana 是第 2 章，Tempo 是第 3 章）。`workbook status` 會顯示你的進度。',
};

const FORWARD_HINT: Text = {
  en: 'kubectl port-forward could not reach a ready pod behind the service: pods may still be starting. `kubectl get pods -A` shows their state.',
  'zh-TW': 'kubectl port-forward 連不到 service 後面就緒的 pod：pod 可能還在啟動中。`kubectl get pods -A` 可查看它們的狀態。',
};

export type Spawn = (argv: string[]) => ChildProcess;

/**
 * A forward's life is tied to the workbook's, even past a `kill -9`: kubectl runs under a small sh that holds the
 * read end of a pipe from the workbook. When the workbook ends in any way, the kernel closes the pipe, `read` sees
 * the end of it, and the sh kills kubectl. SIGTERM to the sh (stopAll) kills kubectl too and waits for it to be
 * gone before the sh exits; otherwise the sh exits with
 * kubectl's status, so a forward that dies on its own is still seen to die.
 */
export const SUPERVISOR = 'exec 3<&0; trap \'kill $c 2>/dev/null; wait $c; exit 143\' TERM INT HUP; "$@" </dev/null & c=$!; (read -r _ <&3; kill $c 2>/dev/null) & w=$!; wait $c; s=$?; kill $w 2>/dev/null; exit $s';

export const defaultSpawn: Spawn = (argv) => nodeSpawn('sh', ['-c', SUPERVISOR, 'sh', ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });

export interface PortForwardOptions {
  spawn?: Spawn;
  /** How long to wait for the local port to answer. */
  readyTimeoutMs?: number;
  /** How often a forward that died is started again before giving up. */
  maxRestarts?: number;
  notice?: (message: string) => void;
  isPortFree?: (port: number) => Promise<boolean>;
  /**
   * Ctrl-C: in a terminal the tty sends SIGINT to the whole process group, kubectl port-forward included, so the
   * forwards die at the same moment; once aborted they are not started again.
   */
  signal?: AbortSignal;
}

interface Forward {
  name: string;
  argv: string[];
  port: number;
  child?: ChildProcess;
  restarts: number;
  ready?: Promise<void>;
  lastOutput: string;
  readyTimeoutMs?: number;
}

/** Something accepts a connection on 127.0.0.1:port (a probe that never binds the port itself). */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1' }, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function defaultIsPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * Owns every `kubectl port-forward` child: starts it, waits until the local port answers, starts it again if it
 * dies, and kills it on stop (exit, error, Ctrl-C). Children are never detached, so they cannot outlive us quietly.
 */
export class PortForwardManager {
  private readonly forwards = new Map<string, Forward>();
  private stopping = false;
  private readonly spawn: Spawn;
  private readonly readyTimeoutMs: number;
  private readonly maxRestarts: number;
  private readonly notice: (m: string) => void;
  private readonly isPortFree: (port: number) => Promise<boolean>;

  constructor(options: PortForwardOptions = {}) {
    this.spawn = options.spawn ?? defaultSpawn;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.maxRestarts = options.maxRestarts ?? 5;
    this.notice = options.notice ?? (() => {});
    this.isPortFree = options.isPortFree ?? defaultIsPortFree;
    options.signal?.addEventListener('abort', () => (this.stopping = true), { once: true });
  }

  /** PIDs of the children alive now (tests assert none are left). */
  pids(): number[] {
    return [...this.forwards.values()].map((f) => f.child?.pid).filter((p): p is number => typeof p === 'number' && p > 0);
  }

  /** Forwards being started now: checks that run at once share one start. */
  private readonly starting = new Map<string, Promise<string>>();

  /** Start (or reuse) a forward and return its base URL; concurrent callers for one name share one child. */
  ensure(name: string, argvFor: (localPort: number) => string[], wantedPort: number, readyTimeoutMs = this.readyTimeoutMs): Promise<string> {
    const busy = this.starting.get(name);
    if (busy) return busy;
    const p = this.ensureOne(name, argvFor, wantedPort, readyTimeoutMs).finally(() => this.starting.delete(name));
    this.starting.set(name, p);
    return p;
  }

  private async ensureOne(name: string, argvFor: (localPort: number) => string[], wantedPort: number, readyTimeoutMs: number): Promise<string> {
    // stopping (Ctrl-C, or the command is ending): a new child now could outlive the last stopAll
    if (this.stopping) throw new WorkbookError(`not starting a port-forward for ${name}: stopping`, { final: true });
    const existing = this.forwards.get(name);
    if (existing?.ready) {
      await existing.ready;
      return `http://127.0.0.1:${existing.port}`;
    }
    let port = wantedPort;
    if (!(await this.isPortFree(port))) {
      port = await freePort();
      this.notice(`port ${wantedPort} is taken; forwarding ${name} to 127.0.0.1:${port} instead`);
    }
    const fwd: Forward = { name, argv: argvFor(port), port, restarts: 0, lastOutput: '', readyTimeoutMs };
    this.forwards.set(name, fwd);
    fwd.ready = this.start(fwd);
    try {
      await fwd.ready;
    } catch (err) {
      this.forwards.delete(name);
      throw err;
    }
    return `http://127.0.0.1:${port}`;
  }

  private start(fwd: Forward): Promise<void> {
    const child = this.spawn(fwd.argv);
    fwd.child = child;
    const collect = (b: Buffer) => {
      fwd.lastOutput = (fwd.lastOutput + b.toString()).slice(-2000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);

    let exited = false;
    const exitedPromise = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exited = true;
        resolve();
      });
      child.once('error', (err) => {
        exited = true;
        fwd.lastOutput += err.message;
        resolve();
      });
    });

    const ready = (async () => {
      const limit = fwd.readyTimeoutMs ?? this.readyTimeoutMs;
      const deadline = Date.now() + limit;
      while (Date.now() < deadline) {
        if (exited) break;
        if (await canConnect(fwd.port)) return;
        await Promise.race([new Promise((r) => setTimeout(r, 100)), exitedPromise]);
      }
      // whether it died by itself, read before the workbook stops it (then it has exited too, but was killed)
      const diedOnItsOwn = exited;
      await this.kill(child);
      const why = diedOnItsOwn ? `exited: ${lastLines(fwd.lastOutput) || 'no output'}` : `127.0.0.1:${fwd.port} did not answer within ${limit} ms (the workbook stopped it)`;
      // kubectl port-forward names a missing service ("services \"x\" not found"): its chapter was not installed
      const gone = diedOnItsOwn && /\bnot found\b/.test(fwd.lastOutput);
      throw new WorkbookError(`port-forward for ${fwd.name} failed (${formatCommand(fwd.argv)}): ${why}`, { final: gone, hint: gone ? SERVICE_MISSING_HINT : FORWARD_HINT });
    })();

    // once ready, a forward that dies is started again (pods restart; kubectl port-forward does not follow them)
    ready
      .then(() =>
        exitedPromise.then(() => {
          if (this.stopping || this.forwards.get(fwd.name) !== fwd) return;
          if (fwd.restarts >= this.maxRestarts) {
            this.notice(`port-forward for ${fwd.name} died ${fwd.restarts + 1} times; giving up (${lastLines(fwd.lastOutput)})`);
            this.forwards.delete(fwd.name);
            return;
          }
          fwd.restarts++;
          this.notice(`port-forward for ${fwd.name} stopped; starting it again (${fwd.restarts}/${this.maxRestarts})`);
          fwd.ready = this.start(fwd);
          fwd.ready.catch((err: Error) => {
            this.notice(err.message);
            this.forwards.delete(fwd.name);
          });
        }),
      )
      .catch(() => {});
    return ready;
  }

  private kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const hard = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => {
        clearTimeout(hard);
        resolve();
      });
      // the end of the supervisor's pipe kills kubectl even if the sh itself has to be SIGKILLed
      child.stdin?.end();
      child.kill('SIGTERM');
    });
  }

  /** Kill every child and wait for each to exit. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const children = [...this.forwards.values()].map((f) => f.child).filter((c): c is ChildProcess => !!c);
    this.forwards.clear();
    await Promise.all(children.map((c) => this.kill(c)));
  }

  /** Synchronous last resort for process 'exit': signal every child. */
  killAllSync(): void {
    this.stopping = true;
    for (const f of this.forwards.values()) {
      try {
        f.child?.kill('SIGTERM');
      } catch {
        /* already gone */
      }
    }
  }
}
