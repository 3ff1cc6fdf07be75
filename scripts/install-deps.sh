#!/usr/bin/env bash
# Installs the Debian 12 packages Rivulet builds, tests and benchmarks with.
# Idempotent: only packages that are missing are installed; nothing is done when all are present.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libavro-dev            # Avro C: alert packet decoding/encoding
  libcfitsio-dev         # FITS cutouts
  zlib1g-dev libdeflate-dev  # gzip of cutouts
  libjpeg-dev            # JPEG cutouts of schema 1.x
  libpng-dev             # PNG output of cutouts
  libarchive-dev         # streaming nightly .tar.gz archives
  libsqlite3-dev         # embedded store
  libhealpix-cxx-dev     # HEALPix spatial index
  libcli11-dev nlohmann-json3-dev libfmt-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-avro python3-astropy python3-numpy python3-pil  # reference implementations for tests/benchmarks
)

# Subsystems list what they need beyond this in scripts/deps/<subsystem>.txt (one package per line,
# '#' comments allowed), so each brings its own packages.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for list in "$here"/deps/*.txt; do
  [ -e "$list" ] || continue
  while read -r pkg _; do
    case "$pkg" in ''|'#'*) continue ;; esac
    PACKAGES+=("$pkg")
  done < "$list"
done

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
