// The embedded lab with the article-minio profile (microservices, real Tempo 2.2.2): every process reads and writes
// the S3-compatible server given with --s3-endpoint (test/s3, gofakes3, built by test/setup/ensure-s3.sh: no MinIO
// binary can be had here), as every pod reads and writes MinIO on the cluster. An ingester's flushed block lands in
// the bucket; a querier started afterwards lists it from there (its blocklist), and the trace is found.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/fakes.js';
import { embeddedWorld, stateOf, tempoBin, whyNoTempo } from '../helpers/embedded.js';
import { poll } from '../helpers/fault-matrix.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { mergeValues } from '../../scripts/lab/values.js';

const S3 = join(ROOT, 'dist/s3-server');
const why = !tempoBin ? whyNoTempo : !existsSync(S3) ? 'dist/s3-server is not built (test/setup/ensure-s3.sh needs Go)' : undefined;
if (why) console.log(`the embedded MinIO profile test is skipped: ${why}`);

const { env, tmp, cleanup } = embeddedWorld('wb-minio-');
const d = tmp();
const procs: ChildProcess[] = [];
afterAll(async () => {
  await cleanup();
  for (const p of procs) p.kill('SIGKILL');
});

describe.skipIf(!!why)('the embedded lab, profile article-minio (an S3-compatible server on 127.0.0.1)', () => {
  it('without --s3-endpoint it says what it needs; with it, a flushed block is in the bucket and a fresh querier lists it', async () => {
    const none = await runCli(['lab', 'up', '--microservices', '--profile', 'article-minio', '--state-dir', d, '--tempo-bin', tempoBin!], env());
    expect([none.code, none.stderr.trim()]).toEqual([2, 'error: profile article-minio keeps Tempo\'s blocks in an object store (MinIO on the cluster): give --s3-endpoint HOST:PORT of an S3-compatible server on this machine, with the bucket and keys of manifests/overlays/tempo-minio.values.yaml']);
    const v = mergeValues<{ storage: { trace: { s3: { bucket: string } } } }>(['manifests/tempo-distributed.values.yaml', 'manifests/overlays/tempo-minio.values.yaml']);
    const port = await freePort();
    const s3 = spawn(S3, ['-listen', `127.0.0.1:${port}`, '-bucket', v.storage.trace.s3.bucket], { stdio: 'ignore' });
    procs.push(s3);
    await poll('the S3 server answers', 10_000, async () => ((await fetch(`http://127.0.0.1:${port}/`)).ok ? true : undefined));
    const up = await runCli(['lab', 'up', '--microservices', '--profile', 'article-minio', '--s3-endpoint', `127.0.0.1:${port}`, '--state-dir', d, '--tempo-bin', tempoBin!], env(), { timeoutMs: 180_000 });
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const s = stateOf(d);
    const port_ = (n: string) => s.processes.find((p) => p.name === n)!.port!;
    const changes = await runCli(['lab', 'status', '--changes', '--state-dir', d], env());
    expect(changes.stdout).toContain(`storage.trace.s3.endpoint: tempo-minio:9000 → 127.0.0.1:${port}`);
    // traffic reaches the ingesters; their flush writes the block into the bucket
    const listing = await poll('a block in the bucket', 90_000, async () => {
      for (const i of ['ingester-0', 'ingester-1', 'ingester-2']) await fetch(`http://127.0.0.1:${port_(`tempo-${i}`)}/flush`, { method: 'POST' });
      const body = await (await fetch(`http://127.0.0.1:${port}/${v.storage.trace.s3.bucket}?list-type=2`)).text();
      return /meta\.json/.test(body) ? body : undefined;
    });
    const blockId = /single-tenant\/([0-9a-f-]{36})\/meta\.json/.exec(listing)![1];
    expect(blockId).toBeDefined();
    // a querier started now lists the bucket's blocks (its blocklist, polled at start): it reads the object store
    expect((await runCli(['lab', 'stop', 'tempo-querier', '--state-dir', d], env())).code).toBe(0);
    expect((await runCli(['lab', 'start', 'tempo-querier', '--state-dir', d], env(), { timeoutMs: 120_000 })).code).toBe(0);
    const s2 = stateOf(d);
    const querier = s2.processes.find((p) => p.name === 'tempo-querier')!.port!;
    const blocks = await poll('the querier\'s blocklist', 60_000, async () => {
      const m = /^tempodb_blocklist_length\{[^}]*tenant="single-tenant"[^}]*\} (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${querier}/metrics`)).text());
      return m && Number(m[1]) > 0 ? Number(m[1]) : undefined;
    });
    expect(blocks).toBeGreaterThan(0);
    // and a trace is found through the query-frontend
    const end = Math.floor(Date.now() / 1000);
    const r = (await (await fetch(`${s2.urls.tempo}/api/search?limit=1&start=${end - 600}&end=${end}`)).json()) as { traces: { traceID: string }[] };
    expect(r.traces.length).toBeGreaterThan(0);
    expect((await fetch(`${s2.urls.tempo}/api/traces/${r.traces[0]!.traceID}`)).status).toBe(200);
  }, 300_000);
});
