#!/usr/bin/env bash
# A self-signed development certificate for a host's relay, the kind host-pool makes for itself
# when RELAY_CERT/RELAY_KEY are unset (host-pool/src/relay/dev-cert.ts): ECDSA P-256, valid 13
# days, because browsers accept a certificate pinned by hash (WebTransport
# serverCertificateHashes, how the client reaches a self-signed relay over HTTP/3) only when it is
# valid for at most 14 days. This one also names the hosts you give, so other clients (the MCP
# bridge, with NODE_EXTRA_CA_CERTS) can verify it by name.
#
# usage: deploy/certs/make-dev-cert.sh [name-or-ip ...]     (default: browserpane.localhost)
#   OUT_DIR   where to write relay-cert.pem and relay-key.pem (default: deploy/certs/dev, gitignored)
#   DAYS      validity in days, at most 14 for hash pinning  (default: 13)
set -euo pipefail

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

out="${OUT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dev}"
days="${DAYS:-13}"
if [ "$days" -gt 14 ]; then
  echo "DAYS=$days: browsers refuse hash-pinned certificates valid for more than 14 days" >&2
  exit 2
fi
[ $# -gt 0 ] || set -- browserpane.localhost

san="DNS:localhost,IP:127.0.0.1"
for name in "$@"; do
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then san="$san,IP:$name"; else san="$san,DNS:$name"; fi
done

mkdir -p "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$days" \
  -subj "/CN=${1}" -addext "subjectAltName=$san" \
  -keyout "$out/relay-key.pem" -out "$out/relay-cert.pem" 2>/dev/null
# Development only: readable by the container's unprivileged user (uid 1000) through the bind mount.
chmod 0644 "$out/relay-cert.pem" "$out/relay-key.pem"

sha256="$(openssl x509 -in "$out/relay-cert.pem" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)"
echo "wrote $out/relay-cert.pem and $out/relay-key.pem"
echo "  names:    $san"
echo "  expires:  $(openssl x509 -in "$out/relay-cert.pem" -noout -enddate | cut -d= -f2)"
echo "  sha-256:  $sha256   (the cert_sha256 the host reports with RELAY_CERT_PIN=1)"
