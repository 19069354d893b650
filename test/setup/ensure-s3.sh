#!/usr/bin/env bash
# The MinIO profile's test points Tempo's s3 storage at an S3-compatible server on 127.0.0.1: test/s3 (gofakes3,
# from the Go module proxy), built here into dist/s3-server when missing or older than its source (npm test runs
# this first). Without Go the test says so and is skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=dist/s3-server
if [ -x "$out" ] && [ "$out" -nt test/s3/main.go ] && [ "$out" -nt test/s3/go.sum ]; then exit 0; fi
if ! command -v go >/dev/null 2>&1; then echo "npm test: no Go here, so the S3 test of the MinIO profile is skipped (it needs test/s3 built)" >&2; exit 0; fi
mkdir -p dist
echo "npm test: building the S3-compatible test server (test/s3, gofakes3) once…" >&2
# a build that fails (no module proxy) skips that one test, saying so, rather than every test
(cd test/s3 && go build -o "../../$out" .) || { echo "npm test: test/s3 did not build, so the S3 test of the MinIO profile is skipped" >&2; rm -f "$out"; exit 0; }
