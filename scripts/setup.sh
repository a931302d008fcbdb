#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Idempotent set-up on Debian/Ubuntu: system packages (with sudo when not root), a venv in .venv,
# and cardkit with its test extras. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# pcscd + vpcd: the real PC/SC stack the simulated card is served to; libpcsclite-dev, swig, gcc:
# pyscard builds from source on Linux; postgresql: registry tests; libzbar0: pyzbar;
# fonts-dejavu-core: Vietnamese glyphs on rendered cards; pcsc-tools: pcsc_scan for developers;
# chromium + chromium-driver: the headless browser the desk agent's demo-page tests drive (Selenium).
PKGS="pcscd vsmartcard-vpcd libpcsclite-dev swig gcc python3-dev python3-venv postgresql libzbar0 fonts-dejavu-core pcsc-tools chromium chromium-driver"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing system packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.cardkit-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing cardkit and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$stamp"
fi
