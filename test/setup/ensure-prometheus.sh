#!/usr/bin/env bash
# Tests start a REAL Prometheus on 127.0.0.1. Make sure Debian's package is there (npm test runs this first).
set -euo pipefail
if command -v prometheus >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "tests need Prometheus 2.x on PATH (Debian/Ubuntu: apt-get install prometheus; elsewhere: put a prometheus binary on PATH)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "tests need Prometheus: run 'sudo apt-get install prometheus' once" >&2
    exit 1
  fi
fi
echo "npm test: the tests start a real Prometheus, and none is on PATH: installing Debian's prometheus package now (apt-get update, apt-get install prometheus; once)…" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
# the package may start a system service; tests run their own on free ports
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
command -v prometheus >/dev/null
