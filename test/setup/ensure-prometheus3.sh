#!/usr/bin/env bash
# The current profile runs Prometheus 3.14.0 (what kube-prometheus-stack 88.5.3 deploys); Debian has only 2.42. So the
# tests of that profile's embedded lab get the real one, built here once into dist/prometheus-3.14.0 from the Go
# module proxy: github.com/prometheus/prometheus v0.314.0 is the v3.14.0 release's Go module (Prometheus tags both).
# `go install pkg@version` refuses a module with replace directives, so its source is built as the main module.
# About 7 min on 2 cores the first time. A build that fails (no Go, no module proxy) leaves those tests on Debian's
# Prometheus, saying so.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=dist/prometheus-3.14.0/prometheus
if [ -x "$out" ]; then exit 0; fi
if ! command -v go >/dev/null 2>&1; then echo "npm test: no Go here, so the current profile's tests run Debian's Prometheus" >&2; exit 0; fi
echo "npm test: building Prometheus 3.14.0 from the Go module proxy once (the current profile runs it)…" >&2
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export GOPATH="$tmp/gopath" GOWORK=off GOFLAGS=-mod=mod
if src=$(go mod download -json github.com/prometheus/prometheus@v0.314.0 | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p') && [ -n "$src" ] \
  && cp -r "$src" "$tmp/src" && chmod -R u+w "$tmp/src" \
  && (cd "$tmp/src" && go build -ldflags "-X github.com/prometheus/common/version.Version=3.14.0" -o "$tmp/prometheus" ./cmd/prometheus) >&2; then
  mkdir -p "$(dirname "$out")" && mv "$tmp/prometheus" "$out"
else
  echo "npm test: Prometheus 3.14.0 did not build, so the current profile's tests run Debian's Prometheus" >&2
fi
