#!/usr/bin/env bash
# The current profile's microservices lab writes through a real Kafka broker: Apache Kafka 4.4.0's jars from Maven
# Central (org.apache.kafka:kafka_2.13, KRaft mode, no ZooKeeper), fetched once into dist/kafka-lib by the lab's own
# downloader (test/setup/fetch-kafka.ts: the pinned set, each jar's SHA-256 checked). npm test runs this first.
# Without Java, or without Maven Central, only the tests that need Kafka are skipped, saying so. (The set was listed
# with Maven from test/setup/kafka/pom.xml; see the header of manifests/current/kafka-4.4.0.jars.tsv.)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -f dist/kafka-lib/.complete ]; then exit 0; fi
if ! command -v java >/dev/null 2>&1; then echo "npm test: no Java here, so the tests that need Kafka are skipped" >&2; exit 0; fi
echo "npm test: fetching Apache Kafka 4.4.0's jars from Maven Central once (the Tempo 3 microservices lab needs a broker)…" >&2
npx --no-install tsx test/setup/fetch-kafka.ts
