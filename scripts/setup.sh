#!/usr/bin/env bash
# Installs everything rstwatch needs, then builds it. Idempotent: a second run only checks.
#
#   scripts/setup.sh           runtime: Debian libpcap, npm packages, TypeScript build
#   scripts/setup.sh --test    also the tools the test suite drives for real (tcpdump, tshark,
#                              iproute2, iptables)
#   scripts/setup.sh --bench   also the comparison tools of bench/ (tcpdump, tshark, GNU time)
#
# Debian packages are installed only when running as root (CI and the dev machines are root);
# otherwise the missing ones are listed and the script carries on with what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --bench) want_bench=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

log() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------------
debs=(libpcap-dev)
if ((want_test || want_bench)); then
  # tcpdump, tshark: independent counts; iproute2, iptables: network namespaces and real rejects;
  # prometheus: a real server scraping the daemon, and promtool.
  debs+=(tcpdump tshark iproute2 iptables time prometheus)
fi
if ((want_bench)); then
  debs+=(tcpreplay) # the live benchmark's sender
fi
missing=()
for d in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q 'install ok installed' || missing+=("$d")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # wireshark-common asks whether non-root users may capture; the answer does not matter here.
    echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections 2>/dev/null || true
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    log "not root: cannot install Debian packages ${missing[*]}; install them, or run as root"
  fi
fi

# --- npm packages ------------------------------------------------------------------------------
stamp=node_modules/.rstwatch-setup-stamp
if [[ ! -f $stamp || package.json -nt $stamp || ( -f package-lock.json && package-lock.json -nt $stamp ) ]]; then
  log "installing npm packages"
  if [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error >&2
  else
    npm install --no-audit --no-fund --loglevel=error >&2
  fi
  touch "$stamp"
fi

# --- native addon (native/: the libpcap binding of the live capture) ----------------------------
# Rebuilt only when a source under native/ (binding.gyp, src/) is newer than the built addon.
addon=native/build/Release/rstwatch_pcap.node
if [[ ! -f $addon || -n $(find native/binding.gyp native/src -newer "$addon" 2>/dev/null | head -n 1) ]]; then
  log "building the native capture addon (node-gyp)"
  gyp=(node node_modules/node-gyp/bin/node-gyp.js rebuild --directory native)
  # Build against the headers of the node that runs us (Debian: /usr/include/node; the official
  # node images: /usr/local/include/node), so nothing is downloaded.
  prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  if [[ -f $prefix/include/node/node_api.h ]]; then
    gyp+=(--nodedir="$prefix")
  elif [[ -f /usr/include/node/node_api.h ]]; then
    gyp+=(--nodedir=/usr)
  fi
  "${gyp[@]}" >&2
fi

# --- build -------------------------------------------------------------------------------------
newest_src=$(find src tsconfig.json tsconfig.build.json scripts/bundle.mjs -newer dist/.build-stamp 2>/dev/null | head -n 1 || true)
if [[ ! -f dist/.build-stamp || -n $newest_src ]]; then
  log "building (tsc, then the esbuild bundle dist/rstwatch.js)"
  node node_modules/typescript/bin/tsc -p tsconfig.build.json
  node scripts/bundle.mjs
  touch dist/.build-stamp
fi
