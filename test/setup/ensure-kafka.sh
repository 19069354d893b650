#!/usr/bin/env bash
# The current profile's microservices lab writes through a real Kafka broker: Apache Kafka 4.4.0's jars from Maven
# Central (org.apache.kafka:kafka_2.13, KRaft mode, no ZooKeeper), copied once into dist/kafka-lib. npm test runs
# this first. Without Maven or Java (or Maven Central), only the tests that need Kafka are skipped, saying so.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=dist/kafka-lib
if [ -f "$out/.complete" ]; then exit 0; fi
if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then echo "npm test: no Maven or Java here, so the tests that need Kafka are skipped" >&2; exit 0; fi
echo "npm test: copying Apache Kafka 4.4.0's jars from Maven Central once (the Tempo 3 microservices lab needs a broker)…" >&2
rm -rf "$out"; mkdir -p "$out"
if mvn -q -B -f test/setup/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory="$PWD/$out" >&2; then touch "$out/.complete"; else rm -rf "$out"; echo "npm test: the Kafka jars could not be fetched, so the tests that need Kafka are skipped" >&2; fi
