// The article-minio overlay's storage block on a REAL Tempo 2.2.2 against an S3-compatible server on 127.0.0.1
// (test/s3: gofakes3's in-memory S3 API, built by test/setup/ensure-s3.sh; no MinIO binary can be had here): traces
// sent, the ingester cuts and flushes its block into the bucket, then a NEW Tempo process with empty local folders
// (so no ingester or WAL holds anything) still finds the trace, read from the object store alone.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mergeValues } from '../../scripts/lab/values.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { ROOT } from '../helpers/fakes.js';
import { startTempo, tempoBinary, type RealTempo } from '../helpers/real-tempo.js';
import { startTraffic } from '../helpers/real-lab.js';
import { poll } from '../helpers/fault-matrix.js';

const S3 = join(ROOT, 'dist/s3-server');
const found = tempoBinary();
const why = !found.bin ? found.why : !existsSync(S3) ? 'dist/s3-server is not built (test/setup/ensure-s3.sh needs Go)' : undefined;
if (why) console.log(`MinIO profile's S3 test skipped: ${why}`);

const procs: ChildProcess[] = [];
const tempos: RealTempo[] = [];
afterAll(async () => {
  await Promise.all(tempos.map((t) => t.stop()));
  for (const p of procs) p.kill('SIGKILL');
});

describe.skipIf(!!why)('the MinIO profile\'s s3 block on a real Tempo 2.2.2 (an S3-compatible server on 127.0.0.1)', () => {
  it('a trace is still found after the ingester flushed it, by a Tempo that holds nothing of its own', async () => {
    // the overlay as the profile lays it: bucket, keys and insecure from the file; only the address is this machine's
    const v = mergeValues<{ storage: { trace: { s3: Record<string, unknown> } } }>(['manifests/tempo-distributed.values.yaml', 'manifests/overlays/tempo-minio.values.yaml']);
    const port = await freePort();
    const s3 = spawn(S3, ['-listen', `127.0.0.1:${port}`, '-bucket', String(v.storage.trace.s3.bucket)], { stdio: 'ignore' });
    procs.push(s3);
    await poll('the S3 server answers', 10_000, async () => ((await fetch(`http://127.0.0.1:${port}/`)).ok ? true : undefined));
    const s3block = { ...v.storage.trace.s3, endpoint: `127.0.0.1:${port}` };

    const first = await startTempo({ s3: s3block, fastFlush: true });
    tempos.push(first);
    const traffic = startTraffic(first.otlpUrl, { rate: 5 });
    const id = await poll('a searchable trace', 60_000, async () => {
      const r = (await (await fetch(`${first.url}/api/search?limit=1&start=${Math.floor(Date.now() / 1000) - 600}&end=${Math.floor(Date.now() / 1000)}`)).json()) as { traces?: { traceID: string }[] };
      return r.traces?.[0]?.traceID;
    });
    await traffic.stop();
    // the ingester cut and flushed a block: the bucket holds its objects
    const listing = await poll('a block in the bucket', 60_000, async () => {
      const body = await (await fetch(`http://127.0.0.1:${port}/${v.storage.trace.s3.bucket}?list-type=2`)).text();
      return /meta\.json/.test(body) ? body : undefined;
    });
    expect(listing).toMatch(/single-tenant\/[0-9a-f-]{36}\/meta\.json/);
    await first.stop();

    // a new Tempo, empty local folders: only the object store can answer (the blocklist is polled at start)
    const second = await startTempo({ s3: s3block });
    tempos.push(second);
    const trace = await poll('the trace, read from the object store', 60_000, async () => {
      const r = await fetch(`${second.url}/api/traces/${id}`);
      return r.status === 200 ? ((await r.json()) as { batches: unknown[] }) : undefined;
    });
    expect(trace.batches.length).toBeGreaterThan(0);
  }, 240_000);
});
