#!/usr/bin/env bash
# Installs Debian's Chromium when /usr/bin/chromium is missing: the browser tests (WebGL 2 on SwiftShader),
# the demo's end-to-end test and `--backend webgl` drive it through Playwright, which never downloads a
# browser of its own. Needs root (apt-get) on Debian or Ubuntu; elsewhere it says what to do instead.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: /usr/bin/chromium is installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: /usr/bin/chromium is missing and this machine has no apt-get; install Chromium so that /usr/bin/chromium exists" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
echo "chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo '/usr/bin/chromium')"
