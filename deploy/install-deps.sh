#!/usr/bin/env bash
# nginx and redis-server for tests/test_deploy.py and the benchmarks (Debian/Ubuntu packages).
# `make test` runs this first; it does nothing when both are installed. The tests start their own
# instances on free ports; the packages' system services are never started here.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
have nginx || missing+=(nginx)
have redis-server || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deploy/install-deps.sh: install ${missing[*]} (needs apt-get, not found)" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${missing[*]} with apt-get (once) ..." >&2

# Without a policy, the packages' scripts would start nginx on port 80 and redis on 6379 as
# system services: deny service starts for the length of the install (the Docker convention).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    trap '$sudo rm -f "$policy"' EXIT
fi

apt() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }
apt install -y --no-install-recommends "${missing[@]}" \
    || { apt update && apt install -y --no-install-recommends "${missing[@]}"; }
