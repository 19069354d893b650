// Starts a REAL Prometheus (Debian's package, installed by .ci/run) on 127.0.0.1 and a free port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/effects/portforward.js';
import { ROOT } from '../../scripts/core/paths.js';

export interface RealPrometheus {
  url: string;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

export function prometheusBinary(): string {
  const r = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  const bin = r.stdout.trim();
  if (!bin) throw new Error('prometheus is not installed: run `apt-get install prometheus` (.ci/run does)');
  return bin;
}

/**
 * The Prometheus the current profile runs (3.14.0, what kube-prometheus-stack 88.5.3 deploys), built by
 * test/setup/ensure-prometheus3.sh; WORKBOOK_TEST_PROMETHEUS3_BIN names another. Without it, the current profile's
 * tests run Debian's (2.42), and say so: the lab's flags and APIs are the same in both.
 */
export function prometheus3Binary(): { args: string[]; bin?: string; why?: string } {
  const bin = process.env.WORKBOOK_TEST_PROMETHEUS3_BIN ?? join(ROOT, 'dist', 'prometheus-3.14.0', 'prometheus');
  return existsSync(bin) ? { args: ['--prometheus-bin', bin], bin } : { args: [], why: `no Prometheus 3.14.0 at ${bin} (test/setup/ensure-prometheus3.sh builds it): Debian's stands in` };
}

/** A free port may be taken by another test process before Prometheus binds it: then start again (three tries). */
export async function startPrometheus(options: { receiver: boolean; exemplars: boolean; /** a fixed port (restarting on the same one); otherwise a free one */ port?: number }): Promise<RealPrometheus> {
  for (let i = 1; ; i++) {
    try {
      return await startPrometheusOnce(options);
    } catch (err) {
      if (i >= 3 || options.port || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startPrometheusOnce(options: { receiver: boolean; exemplars: boolean; port?: number }): Promise<RealPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  const port = options.port ?? (await freePort());
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
    ...(options.receiver ? ['--web.enable-remote-write-receiver'] : []),
    ...(options.exemplars ? ['--enable-feature=exemplar-storage'] : []),
  ];
  const child: ChildProcess = spawn(prometheusBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d) => (log = (log + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.status === 200) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus not ready in 30 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid!, 'SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
