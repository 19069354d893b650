// The Kafka jars for the tests of Tempo 3's microservices, fetched by the same downloader a learner's `lab up
// --profile current --microservices` uses: the pinned set of manifests/current/kafka-4.4.0.jars.tsv from Maven
// Central, each jar checked against its SHA-256, into dist/kafka-lib (which the lab takes in a checkout).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchJars, readJarSet } from '../../scripts/effects/download.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { GIVE_KAFKA_JARS } from '../../scripts/effects/embedded-lab.js';
import { ROOT } from '../../scripts/core/paths.js';

const set = getProfile('current').kafkaJars!;
const jars = readJarSet(set, readFileSync(join(ROOT, set), 'utf8'));
try {
  await fetchJars('kafka-lib', jars, { cacheDir: join(ROOT, 'dist'), yourself: GIVE_KAFKA_JARS, log: (l) => console.error(`npm test: ${l}`) });
} catch (err) {
  console.error(`npm test: the Kafka jars could not be fetched (${(err as Error).message}), so the tests that need Kafka are skipped`);
}
