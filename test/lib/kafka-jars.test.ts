// The embedded lab's Kafka broker for learners: the pinned set of jars (manifests/current/kafka-4.4.0.jars.tsv) is
// downloaded once from Maven Central (here a local stand-in through WORKBOOK_MAVEN_MIRROR), each jar checked
// against its pinned SHA-256 and size; a wrong or oversized jar is refused and nothing is kept.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchJars, jarName, jarUrl, readJarSet, type JarRow } from '../../scripts/effects/download.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { GIVE_KAFKA_JARS } from '../../scripts/effects/embedded-lab.js';
import { ROOT } from '../../scripts/core/paths.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const jar = (artifact: string, body: Buffer): JarRow => ({ group: 'org.example.lab', artifact, version: '1.0.0', bytes: body.length, sha1: sha1(body), sha256: sha256(body) });

const A = Buffer.from('PK a jar of the lab');
const B = Buffer.from('PK another jar, somewhat longer');
let served: Record<string, Buffer> = {};
const asked: string[] = [];
let server: Server;
let mirror = '';
const dirs: string[] = [];
const tmp = () => (dirs.push(mkdtempSync(join(tmpdir(), 'wb-jars-'))), dirs.at(-1)!);

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const body = served[req.url ?? ''];
    if (!body) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/java-archive' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  mirror = `http://127.0.0.1:${(server.address() as { port: number }).port}/maven2`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const path = (j: JarRow) => new URL(jarUrl(j, mirror)).pathname;

describe('the pinned Kafka jars', () => {
  it('the current profile pins Apache Kafka 4.4.0 and every jar it needs, each once, with Maven Central\'s address', () => {
    const p = getProfile('current');
    const rows = readJarSet(p.kafkaJars!, readFileSync(join(ROOT, p.kafkaJars!), 'utf8'));
    expect(rows.find((r) => r.artifact === 'kafka_2.13')).toMatchObject({ group: 'org.apache.kafka', version: '4.4.0' });
    expect(new Set(rows.map(jarName)).size).toBe(rows.length);
    expect(jarUrl(rows.find((r) => r.artifact === 'kafka_2.13')!)).toBe('https://repo1.maven.org/maven2/org/apache/kafka/kafka_2.13/4.4.0/kafka_2.13-4.4.0.jar');
    // a checkout's copy made by Maven (test/setup/ensure-kafka.sh) is exactly the pinned set, byte for byte
    const dev = join(ROOT, 'dist', 'kafka-lib');
    if (existsSync(join(dev, '.complete'))) {
      expect(readdirSync(dev).filter((f) => f.endsWith('.jar')).sort()).toEqual(rows.map(jarName).sort());
      for (const r of rows) expect([jarName(r), sha256(readFileSync(join(dev, jarName(r))))]).toEqual([jarName(r), r.sha256]);
    }
  });

  it('a row that is not one is the file\'s error, with its line', () => {
    expect(() => readJarSet('x.jars.tsv', '# header\norg.example\tlab\t1.0\t12\tnot-a-sha1\t' + 'a'.repeat(64) + '\n')).toThrow('x.jars.tsv:2: not a row of group, artifact, version, bytes, sha1, sha256');
    expect(() => readJarSet('x.jars.tsv', '# only comments\n')).toThrow('x.jars.tsv: no jar listed');
  });

  it('downloads each jar once, checks it, and keeps the folder whole; the second time takes the cache', async () => {
    const set = [jar('a', A), jar('b', B)];
    served = Object.fromEntries(set.map((j, i) => [path(j), [A, B][i]!]));
    const cache = tmp();
    const lines: string[] = [];
    const dir = await fetchJars('lab-kafka', set, { cacheDir: cache, yourself: GIVE_KAFKA_JARS, env: { WORKBOOK_MAVEN_MIRROR: mirror }, log: (l) => lines.push(l) });
    expect(readdirSync(dir).sort()).toEqual(['.complete', 'a-1.0.0.jar', 'b-1.0.0.jar']);
    expect(readFileSync(join(dir, 'b-1.0.0.jar'))).toEqual(B);
    expect(lines.at(-1)).toBe(`2 jars checked, in ${dir}`);
    asked.length = 0;
    expect(await fetchJars('lab-kafka', set, { cacheDir: cache, yourself: GIVE_KAFKA_JARS, env: { WORKBOOK_MAVEN_MIRROR: mirror } })).toBe(dir);
    expect(asked).toEqual([]);
  });

  it('a jar whose bytes are not the pinned ones is refused, naming it, and nothing is kept', async () => {
    const set = [jar('a', A), jar('b', B)];
    served = { [path(set[0]!)]: A, [path(set[1]!)]: Buffer.from('PK another jar, somewhat LONGER') };
    const cache = tmp();
    await expect(fetchJars('lab-kafka', set, { cacheDir: cache, yourself: GIVE_KAFKA_JARS, env: { WORKBOOK_MAVEN_MIRROR: mirror } })).rejects.toThrow(/^refusing b-1\.0\.0\.jar from http:\/\/127\.0\.0\.1:\d+\/maven2\/org\/example\/lab\/b\/1\.0\.0\/b-1\.0\.0\.jar: its SHA-256 is [0-9a-f]{64}, but manifests pin [0-9a-f]{64}$/);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('a jar longer than its pinned size is cut off as it comes; one the mirror lacks is named with its address', async () => {
    const set = [jar('a', A)];
    served = { [path(set[0]!)]: Buffer.concat([A, Buffer.alloc(1024 * 1024)]) };
    const cache = tmp();
    await expect(fetchJars('lab-kafka', set, { cacheDir: cache, yourself: GIVE_KAFKA_JARS, env: { WORKBOOK_MAVEN_MIRROR: mirror } })).rejects.toThrow(/^refusing lab-kafka's a-1\.0\.0\.jar: .* (says it is \d+ bytes, more than|sent more than) its pinned 19 bytes$/);
    expect(readdirSync(cache)).toEqual([]);
    served = {};
    await expect(fetchJars('lab-kafka', set, { cacheDir: cache, yourself: GIVE_KAFKA_JARS, env: { WORKBOOK_MAVEN_MIRROR: mirror } })).rejects.toThrow(/^cannot download lab-kafka's a-1\.0\.0\.jar from http:\/\/127\.0\.0\.1:\d+\/maven2\/org\/example\/lab\/a\/1\.0\.0\/a-1\.0\.0\.jar: HTTP 404; give the jars yourself: WORKBOOK_KAFKA_LIB=DIR/);
    expect(readdirSync(cache)).toEqual([]);
  });
});

// The learner's path through `lab up --profile current --microservices`: no WORKBOOK_KAFKA_LIB and no checkout's
// copy, so the profile's pinned set is downloaded (here from a mirror on 127.0.0.1 serving the real jars that
// test/setup/ensure-kafka.sh fetched from Maven Central) into <state-dir>/bin, checked, and taken from there after.
const DEV = join(ROOT, 'dist', 'kafka-lib');
describe.skipIf(!existsSync(join(DEV, '.complete')))('kafkaLibFor: a learner without the jars', () => {
  it('downloads the pinned set once into the state folder, then takes it from there; java is asked first', async () => {
    const { kafkaLibFor } = await import('../../scripts/effects/embedded-lab.js');
    const p = getProfile('current');
    const rows = readJarSet(p.kafkaJars!, readFileSync(join(ROOT, p.kafkaJars!), 'utf8'));
    served = Object.fromEntries(rows.map((r) => [path(r), readFileSync(join(DEV, jarName(r)))]));
    asked.length = 0;
    const stateDir = tmp();
    const env = { PATH: process.env.PATH ?? '', WORKBOOK_MAVEN_MIRROR: mirror };
    const lines: string[] = [];
    const lib = await kafkaLibFor('microservices', 'current', { env, stateDir, checkout: join(stateDir, 'no-checkout'), log: (l) => lines.push(l) });
    expect(lib).toBe(join(stateDir, 'bin', 'kafka-4.4.0'));
    expect(readdirSync(lib!).filter((f) => f.endsWith('.jar')).sort()).toEqual(rows.map(jarName).sort());
    expect(asked).toHaveLength(rows.length);
    expect(lines[0]).toMatch(/^downloading 45 jars of kafka-4\.4\.0 from http:\/\/127\.0\.0\.1:\d+\/maven2 \(43 MiB\)$/);
    asked.length = 0;
    expect(await kafkaLibFor('microservices', 'current', { env, stateDir, checkout: join(stateDir, 'no-checkout') })).toBe(lib);
    expect(asked).toEqual([]);
    // nothing for the article's profile or one process; without java, one line before any download
    expect(await kafkaLibFor('monolithic', 'current', { env, stateDir })).toBeUndefined();
    expect(await kafkaLibFor('microservices', 'article', { env, stateDir })).toBeUndefined();
    await expect(kafkaLibFor('microservices', 'current', { env: { PATH: '/nonexistent' }, stateDir: tmp() })).rejects.toThrow("profile current's microservices run a Kafka broker, which needs java (17 or later) on PATH");
  });
});
