// The embedded lab keeps each process' blocks in its own folder, as each pod of tempo-distributed has its own volume
// (the `article` profile's backend is `local`): a block an ingester flushes lands in that ingester's backend and is
// not in the querier's, as on the cluster (lesson 3). Its Tempo reports no usage (usage_report off, as the chart
// renders it), read from the running Tempo's own /status/config.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/fakes.js';
import { embeddedWorld, stateOf, tempoBin } from '../helpers/embedded.js';
import { poll } from '../helpers/fault-matrix.js';

const { env, tmp, cleanup } = embeddedWorld('wb-volumes-');
const d = tmp();
afterAll(cleanup);
/** The block ids in a process' local backend (<proc>/var/tempo/traces/single-tenant/<id>/meta.json). */
const blocks = (proc: string) => {
  const dir = join(d, 'lab', 'tempo', proc, 'var', 'tempo', 'traces', 'single-tenant');
  return existsSync(dir) ? readdirSync(dir).filter((b) => existsSync(join(dir, b, 'meta.json'))) : [];
};

describe.skipIf(!tempoBin)('the embedded lab\'s volumes (microservices, real Tempo 2.2.2)', () => {
  it('a block flushed by an ingester is in its own backend, not the querier\'s; usage reporting is off', async () => {
    const up = await runCli(['lab', 'up', '--microservices', '--state-dir', d, '--tempo-bin', tempoBin!], env(), { timeoutMs: 180_000 });
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const s = stateOf(d);
    const port = (n: string) => s.processes.find((p) => p.name === n)!.port!;
    // the chart's render, live: no usage report
    const cfg = await (await fetch(`http://127.0.0.1:${port('tempo-querier')}/status/config`)).text();
    expect(cfg).toMatch(/usage_report:\n\s+reporting_enabled: false/);
    // traffic reaches every ingester (replication factor 3); each one's flush endpoint cuts and flushes its blocks
    const flushed = await poll('a flushed block in an ingester\'s backend', 60_000, async () => {
      for (const i of ['ingester-0', 'ingester-1', 'ingester-2']) await fetch(`http://127.0.0.1:${port(`tempo-${i}`)}/flush`, { method: 'POST' });
      const b = ['ingester-0', 'ingester-1', 'ingester-2'].flatMap(blocks);
      return b.length ? b : undefined;
    });
    expect(flushed.length).toBeGreaterThan(0);
    // nobody else's backend has them: the querier, the compactor and the generator each have their own (empty) one
    for (const other of ['querier', 'compactor', 'query-frontend', 'distributor', 'metrics-generator']) expect([other, blocks(other)]).toEqual([other, []]);
  }, 300_000);
});
