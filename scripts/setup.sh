#!/usr/bin/env bash
# Installs everything rstwatch needs, then builds it. Idempotent: a second run only checks.
#
#   scripts/setup.sh           runtime: Debian libpcap, npm packages, the native addon, dist/
#   scripts/setup.sh --unit    only the npm packages (what `npm run test:unit` needs)
#   scripts/setup.sh --test    also the tools the test suite drives for real (tcpdump, tshark,
#                              iproute2, iptables, prometheus/promtool)
#   scripts/setup.sh --bench   also the comparison tools of bench/ (tcpdump, tshark, GNU time)
#
# Debian packages are installed only when running as root (CI and the dev machines are root);
# otherwise the missing ones are listed and the script carries on with what is there.
# One line per step on stderr; a step's own output (apt, npm, node-gyp, tsc) only when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

want_unit=0
want_test=0
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --unit) want_unit=1 ;;
    --test) want_test=1 ;;
    --bench) want_bench=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

log() { printf 'setup: %s\n' "$*" >&2; }

# Runs a step quietly: its output goes to a log, printed whole only when the step fails.
quiet() {
  local out
  out=$(mktemp "${TMPDIR:-/tmp}/rstwatch-setup.XXXXXX")
  if "$@" >"$out" 2>&1; then
    rm -f "$out"
  else
    local rc=$?
    cat "$out" >&2
    rm -f "$out"
    log "failed (exit $rc): $*"
    exit "$rc"
  fi
}

# --- Debian packages -------------------------------------------------------------------------
debs=()
if ((!want_unit || want_test || want_bench)); then debs+=(libpcap-dev); fi
if ((want_test || want_bench)); then
  # tcpdump, tshark: independent counts; iproute2, iptables: network namespaces and real rejects;
  # prometheus: a real server scraping the daemon, and promtool.
  debs+=(tcpdump tshark iproute2 iptables time prometheus)
fi
if ((want_test)); then debs+=(chromium); fi # headless: the --html page's tests (test/e2e/html-report.test.ts)
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
    quiet apt-get update -qq
    quiet apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    log "not root: cannot install Debian packages ${missing[*]}; install them, or run as root"
  fi
fi

# --- npm packages ------------------------------------------------------------------------------
# npm ci also runs the package's install script, scripts/build-native.mjs (quiet on its own), and
# builds the optional `cap` addon with node-gyp: against the headers of the node that runs us
# (Debian: /usr; the official node images: /usr/local), so node-gyp downloads nothing.
if [[ -z ${npm_config_nodedir:-} ]]; then
  prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  for d in "$prefix" /usr/local /usr; do
    if [[ -f $d/include/node/node_api.h ]]; then export npm_config_nodedir=$d; break; fi
  done
fi
stamp=node_modules/.rstwatch-setup-stamp
if [[ ! -f $stamp || package.json -nt $stamp || ( -f package-lock.json && package-lock.json -nt $stamp ) ]]; then
  log "installing npm packages (npm ci)"
  if [[ -f package-lock.json ]]; then
    quiet npm ci --no-audit --no-fund --loglevel=error
  else
    quiet npm install --no-audit --no-fund --loglevel=error
  fi
  touch "$stamp"
fi
((want_unit && !want_test && !want_bench)) && exit 0

# --- native addon (native/: the libpcap binding of the live capture) ----------------------------
# Rebuilt only when a source under native/ is newer than the built addon; here a failure stops.
node scripts/build-native.mjs --required

# --- build -------------------------------------------------------------------------------------
node scripts/build.mjs --if-stale
