#!/usr/bin/env bash
# Installs the Debian packages cairn builds and tests with (etcd and libcurl:
# the sequencer replicas' etcd client and its tests; libmicrohttpd, libxml2
# and nettle's MD5: the S3 gateway). Idempotent: it
# asks apt only for what is missing, so a second run costs nothing.
# --tests adds what only the tests need: a headless browser for the
# dashboard's test (tests/integration/test_dashboard.sh) and a font for it,
# and the S3 clients the gateway's tests drive (s3cmd, the AWS CLI).
set -euo pipefail

PKGS=(build-essential cmake pkg-config clang libclang-rt-dev clang-format
      libsodium-dev liblmdb-dev libevent-dev libjansson-dev libcmocka-dev
      libisal-dev bubblewrap ffmpeg povray
      libgps-dev gpsd gpsd-clients python3-gps
      curl python3 gnuplot-nox
      etcd-server etcd-client libcurl4-openssl-dev
      libmicrohttpd-dev libxml2-dev nettle-dev)
if [ "${1:-}" = "--tests" ]; then
  PKGS+=(chromium fonts-dejavu-core s3cmd awscli)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
