#!/usr/bin/env bash
# The chart tests render the pinned charts with the REAL helm: built here once into dist/helm from the Go module
# proxy (helm.sh/helm/v3/cmd/helm@v3.21.4, Apache-2.0; about 2.5 min on 2 cores the first time). npm test runs this
# first. A build that fails (no Go, no module proxy) skips only the tests that need helm, saying so.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=dist/helm
if [ -x "$out" ]; then exit 0; fi
if ! command -v go >/dev/null 2>&1; then echo "npm test: no Go here, so the tests that render the charts with helm are skipped" >&2; exit 0; fi
mkdir -p dist
echo "npm test: building helm v3.21.4 from the Go module proxy once (the chart tests render with it)…" >&2
tmp=$(mktemp -d)
if GOBIN="$tmp" go install helm.sh/helm/v3/cmd/helm@v3.21.4 >&2; then mv "$tmp/helm" "$out"; else echo "npm test: helm did not build, so the tests that render the charts are skipped" >&2; fi
rm -rf "$tmp"
