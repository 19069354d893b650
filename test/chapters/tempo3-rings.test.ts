// Chapter 3 on Tempo 3's microservices (the current profile): the live-store ring and the partition ring, read from
// the distributor's own pages. A distributor answering as Tempo 3.0.3 does (the JSON shapes seen on the real one,
// test/real/current-microservices.test.ts) in each state: healthy, a live-store silent, a partition Pending without
// an owner and never written.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCheck } from '../../scripts/core/engine.js';
import { checks, LIVE_STORE_DOWN } from '../../chapters/03-tempo/index.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { testContext, testLab } from '../helpers/context.js';
import { fill } from '../../scripts/core/text.js';

const check = (id: string) => checks.find((c) => c.id === id)!;
let server: Server;
let url = '';
let pages: { liveStore: unknown; partitions: unknown; metrics: string };
const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = req.url === '/live-store/ring' ? JSON.stringify(pages.liveStore) : req.url === '/partition-ring' ? JSON.stringify(pages.partitions) : req.url === '/metrics' ? pages.metrics : 'not found';
    res.writeHead(body === 'not found' ? 404 : 200, { 'content-type': req.url === '/metrics' ? 'text/plain' : 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function run(id: string) {
  const ctx = await testContext(testLab({ profile: getProfile('current'), embedded: 'microservices', urls: { tempo: url, distributor: url }, timeoutMs: 500 }));
  return executeCheck(check(id), ctx);
}

describe('Tempo 3\'s rings, read from the distributor', () => {
  it('healthy: two live-stores ACTIVE and heartbeating, two partitions Active, owned and written', async () => {
    pages = {
      liveStore: { shards: [{ id: 'live-store-0', state: 'ACTIVE', timestamp: ago(1) }, { id: 'live-store-1', state: 'ACTIVE', timestamp: ago(2) }], now: ago(0) },
      partitions: { partitions: [{ id: 0, state: 2, owner_ids: ['live-store-0'] }, { id: 1, state: 2, owner_ids: ['live-store-1'] }] },
      metrics: 'tempo_distributor_kafka_write_bytes_total{partition="partition_0"} 18484\ntempo_distributor_kafka_write_bytes_total{partition="partition_1"} 10252\n',
    };
    expect(await run('live-store-ring')).toMatchObject({ status: 'passed', evidence: '2 of 2 ACTIVE and heartbeating (live-store-0, live-store-1)' });
    expect(await run('partition-ring')).toMatchObject({ status: 'passed', evidence: 'partition 0 Active, owner live-store-0, 18484 bytes written; partition 1 Active, owner live-store-1, 10252 bytes written' });
  });

  it('a live-store silent for a minute is named at once, with what it means', async () => {
    pages.liveStore = { shards: [{ id: 'live-store-0', state: 'ACTIVE', timestamp: ago(1) }, { id: 'live-store-1', state: 'ACTIVE', timestamp: ago(60) }], now: ago(0) };
    const r = await run('live-store-ring');
    expect(r).toMatchObject({ status: 'failed', attempts: 1, hint: fill(LIVE_STORE_DOWN, { name: 'live-store-1' }) });
    expect(r.evidence).toMatch(/^1 of 2 ACTIVE and heartbeating \(live-store-0\); live-store-1 not heartbeating for 6\d s \(still ACTIVE in the ring\)$/);
  });

  it('a partition Pending without an owner, never written: named, with the hint about owners and Kafka', async () => {
    pages.partitions = { partitions: [{ id: 0, state: 2, owner_ids: ['live-store-0'] }, { id: 1, state: 1, owner_ids: [] }] };
    pages.metrics = 'tempo_distributor_kafka_write_bytes_total{partition="partition_0"} 18484\n';
    const r = await run('partition-ring');
    expect(r.status).toBe('failed');
    expect(r.evidence).toBe('partition 0 Active, owner live-store-0, 18484 bytes written; partition 1 Pending, owner none, 0 bytes written');
    expect(r.hint!.en).toMatch(/Active with an owner.*ingest\.kafka\.address/);
  });
});
