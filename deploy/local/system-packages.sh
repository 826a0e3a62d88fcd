#!/usr/bin/env bash
# Installs the Debian packages BrowserPane needs, only those missing — the one list for every
# machine (development, CI, host images, bare hosts).
# Usage: deploy/local/system-packages.sh [--check] [--role host|stack|test]
#   --role host    a host agent: Xvfb, Chromium, PulseAudio, fonts (Latin, CJK, emoji), openssl,
#                  and the session sandbox's bubblewrap, passt (pasta) and iproute2
#   --role stack   host + PostgreSQL and PgBouncer, for `npm start` / `npm run bench` (default)
#   --role test    stack + docker-compose (the deploy manifests are checked with `config`) and
#                  socat (the multi-host test bed)
#   --check        print what is missing and exit 1 if anything is; install nothing
set -euo pipefail

check=0
role=stack
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --role) role="${2:-}"; shift ;;
    --role=*) role="${1#--role=}" ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# package -> a file that proves it is installed
declare -A PROBE=(
  [chromium]=/usr/bin/chromium
  [xvfb]=/usr/bin/Xvfb
  [pulseaudio]=/usr/bin/pulseaudio
  [pulseaudio-utils]=/usr/bin/pactl
  [openssl]=/usr/bin/openssl
  [fonts-liberation]=/usr/share/fonts/truetype/liberation
  [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu
  [fonts-noto-cjk]=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
  [fonts-noto-color-emoji]=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
  [x11-xserver-utils]=/usr/bin/xrandr
  [xauth]=/usr/bin/xauth
  [bubblewrap]=/usr/bin/bwrap
  [passt]=/usr/bin/pasta
  [iproute2]=/usr/sbin/ip
)
case "$role" in
  host) ;;
  stack|test)
    PROBE[postgresql]=/usr/lib/postgresql
    PROBE[pgbouncer]=/usr/sbin/pgbouncer
    if [ "$role" = test ]; then
      PROBE[docker-compose]=/usr/bin/docker-compose
      # the multi-host test bed forwards each namespaced host's relay port with socat
      PROBE[socat]=/usr/bin/socat
    fi
    ;;
  *) echo "unknown role: $role (host, stack or test)" >&2; exit 2 ;;
esac

missing=()
for pkg in "${!PROBE[@]}"; do
  [ -e "${PROBE[$pkg]}" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$check" = 1 ]; then
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
