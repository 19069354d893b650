#!/usr/bin/env bash
# Tests start a REAL Prometheus on 127.0.0.1, and drive the workshop board's page in a REAL headless Chromium.
# Make sure Debian's packages are there (npm test runs this first): prometheus, and chromium at /usr/bin/chromium
# (playwright-core drives it with executablePath; no browser is downloaded).
set -euo pipefail
missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "tests need ${missing[*]} (Debian/Ubuntu: apt-get install ${missing[*]}; elsewhere: Prometheus 2.x on PATH and Chromium at /usr/bin/chromium)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "tests need ${missing[*]}: run 'sudo apt-get install ${missing[*]}' once" >&2
    exit 1
  fi
fi
echo "npm test: the tests need ${missing[*]}, not installed here: installing Debian's packages now (apt-get update, apt-get install ${missing[*]}; once)…" >&2
$SUDO apt-get update -qq
for pkg in "${missing[@]}"; do
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; then
    # without a browser only the board's page test is skipped (it says so); without Prometheus nothing can be tested
    if [ "$pkg" = chromium ]; then echo "npm test: chromium did not install: the board's browser test will be skipped" >&2; else exit 1; fi
  fi
done
# the prometheus package may start a system service; tests run their own on free ports
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
command -v prometheus >/dev/null
