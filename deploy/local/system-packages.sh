#!/usr/bin/env bash
# Installs the Debian packages BrowserPane needs on a host or a CI machine, only those missing.
# Usage: deploy/local/system-packages.sh [--check]   (--check: print what is missing, exit 1 if anything is)
set -euo pipefail

# package -> a file that proves it is installed
declare -A PROBE=(
  [chromium]=/usr/bin/chromium
  [xvfb]=/usr/bin/Xvfb
  [pulseaudio]=/usr/bin/pulseaudio
  [pulseaudio-utils]=/usr/bin/pactl
  [postgresql]=/usr/lib/postgresql
  [pgbouncer]=/usr/sbin/pgbouncer
  [openssl]=/usr/bin/openssl
  [fonts-liberation]=/usr/share/fonts/truetype/liberation
  [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu
  [x11-xserver-utils]=/usr/bin/xrandr
  [xauth]=/usr/bin/xauth
)

missing=()
for pkg in "${!PROBE[@]}"; do
  [ -e "${PROBE[$pkg]}" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "${1:-}" = "--check" ]; then
  echo "missing system packages: ${missing[*]}"
  exit 1
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "BrowserPane needs these Debian/Ubuntu packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "[system] installing ${missing[*]} (apt-get; this takes a minute or two)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "[system] installed ${missing[*]}"
