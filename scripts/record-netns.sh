#!/usr/bin/env bash
# record-netns.sh: records real kernel TCP refusals between two network namespaces into the
# fixture captures netns-refusals-v4.pcap and netns-refusals-v6.pcap.
#
# usage: scripts/record-netns.sh [--out DIR] [--count N] [-h|--help]
#   --out DIR    where the two .pcap files go (default: pcaps/ of this repository); created if
#                needed. Files are written only when the run succeeds (exit 0), replacing old ones.
#   --count N    connection attempts per port and per family (default 3, 1..20)
#
# Two namespaces, rw-rec-cli-PID and rw-rec-srv-PID, joined by one veth pair (rwc-PID / rws-PID,
# created directly inside the namespaces). Client 198.51.100.1/24 + 2001:db8:52::1/64, server
# 198.51.100.2/24 + 2001:db8:52::2/64 (TEST-NET-2 and documentation prefixes; traffic never
# leaves the pair). The server namespace has a Node listener on 8080 and 8082-8085, nothing on
# 8081, and INPUT rules (iptables and ip6tables): 8082 REJECT tcp-reset, 8083 REJECT
# port-unreachable, 8084 REJECT admin-prohibited, 8085 DROP. tcpdump records on the server's veth
# end (v4 filter "ip"; v6 filter "ip6 and (tcp or (icmp6 and ip6[40] < 128))": TCP and ICMPv6
# errors, without the neighbour discovery, MLD and router solicitations whose number and timing
# vary). The client namespace runs scripts/netns-client.mjs for ports 8080..8085, v4 then v6,
# N sequential attempts each. Its SYN retries are pinned (tcp_syn_retries=1, and
# tcp_syn_linear_timeouts=0 where the kernel has it): an unanswered attempt sends exactly one
# retransmission (SYN at 0 s and 1 s) and fails with ETIMEDOUT at 3 s. The server's ICMP rate
# limits are off so that every rejected SYN gets its ICMP error.
#
# At the end, per file and per server port, the counts are derived from the capture with tshark
# (attempts, accepted, refused, icmp_rejected by reason, unanswered, syn_retransmits, following
# SEMANTICS.md), compared with what the client reported, and compared with the design above.
#
# Needs root and: ip, tcpdump, tshark, iptables, ip6tables, node. The iptables backend is chosen
# at run time: the first of iptables/ip6tables, iptables-nft/ip6tables-nft,
# iptables-legacy/ip6tables-legacy that accepts every rule in the fresh namespace.
# Everything the script creates (namespaces, veth, processes, temporary directory) is removed on
# exit, also on failure or Ctrl-C. Namespaces left by a run killed with SIGKILL (owner PID gone,
# no process inside) are removed at the next start.
#
# Exit codes:
#   0   captures written; capture, client and design agree
#   1   unexpected failure (a setup command failed, tcpdump or the server did not start, ...)
#   2   usage error, not root, or a required tool is missing
#   3   the client's outcomes disagree with the counts derived from the capture
#   4   capture and client agree, but some port did not behave as designed
#   5   no iptables backend accepts the rules
#   130 interrupted (SIGINT), 143 terminated (SIGTERM)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLIENT_JS="$ROOT/scripts/netns-client.mjs"
OUT="$ROOT/pcaps"
COUNT=3

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { local code=$1; shift; printf 'record-netns: %s\n' "$*" >&2; exit "$code"; }
log() { printf 'record-netns: %s\n' "$*" >&2; }

while (($#)); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --out) (($# >= 2)) || die 2 "--out needs a directory (try -h)"; OUT=$2; shift 2 ;;
    --out=*) OUT=${1#--out=}; shift ;;
    --count) (($# >= 2)) || die 2 "--count needs a number (try -h)"; COUNT=$2; shift 2 ;;
    --count=*) COUNT=${1#--count=}; shift ;;
    *) usage >&2; die 2 "unknown argument '$1'" ;;
  esac
done
[[ $COUNT =~ ^[0-9]+$ ]] && ((COUNT >= 1 && COUNT <= 20)) || die 2 "--count must be 1..20, got '$COUNT'"
[[ -n $OUT ]] || die 2 "--out must not be empty"

[[ $(id -u) -eq 0 ]] || die 2 "must run as root (it creates network namespaces and firewall rules); try: sudo $0 $*"

missing=()
for tool in ip tcpdump tshark iptables ip6tables node; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
((${#missing[@]} == 0)) || die 2 "missing tools: ${missing[*]} (Debian: apt-get install -y iproute2 tcpdump tshark iptables nodejs)"
[[ -r $CLIENT_JS ]] || die 2 "missing $CLIENT_JS"

CLI_NS="rw-rec-cli-$$"
SRV_NS="rw-rec-srv-$$"
CLI_IF="rwc-$$"
SRV_IF="rws-$$"
CLI4=198.51.100.1 SRV4=198.51.100.2
CLI6=2001:db8:52::1 SRV6=2001:db8:52::2
PORTS=(8080 8081 8082 8083 8084 8085)
CONNECT_TIMEOUT_MS=10000   # safety bound only: the kernel ends every attempt well before it
FILTER4='ip'
FILTER6='ip6 and (tcp or (icmp6 and ip6[40] < 128))'

WORK=""
SERVER_PID=""
TCPDUMP_PIDS=()
created_ns=()

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  local pid ns
  for pid in "${TCPDUMP_PIDS[@]}"; do
    kill -INT "$pid" 2>/dev/null
  done
  [[ -n $SERVER_PID ]] && kill -TERM "$SERVER_PID" 2>/dev/null
  for pid in "${TCPDUMP_PIDS[@]}" $SERVER_PID; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  for ns in "${created_ns[@]}"; do
    # Anything still running inside was started by this script: end it by PID.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  # The veth pair lives inside the namespaces and goes with them; this is only a safety net.
  ip link del "$CLI_IF" 2>/dev/null
  ip link del "$SRV_IF" 2>/dev/null
  [[ -n $WORK && -d $WORK ]] && rm -rf -- "$WORK"
  rm -f -- "$OUT"/netns-refusals-v[46].pcap.tmp.$$
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Namespaces of earlier runs that were killed outright: owner gone, nothing inside.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^rw-rec-(cli|srv)-[0-9]+$' || true); do
  owner=${ns##*-}
  if ! kill -0 "$owner" 2>/dev/null && [[ -z $(ip netns pids "$ns" 2>/dev/null) ]]; then
    log "removing stale namespace $ns"
    ip netns del "$ns" 2>/dev/null || true
  fi
done

WORK=$(mktemp -d /tmp/rw-rec-netns.XXXXXX)

in_cli() { ip netns exec "$CLI_NS" "$@"; }
in_srv() { ip netns exec "$SRV_NS" "$@"; }

# --- topology ----------------------------------------------------------------------------------
log "namespaces: $CLI_NS $SRV_NS"
created_ns=("$CLI_NS" "$SRV_NS")   # listed first: cleanup deletes what exists of them
ip netns add "$CLI_NS"
ip netns add "$SRV_NS"
ip link add name "$CLI_IF" netns "$CLI_NS" type veth peer name "$SRV_IF" netns "$SRV_NS"
ip -n "$CLI_NS" link set lo up
ip -n "$SRV_NS" link set lo up
ip -n "$CLI_NS" addr add "$CLI4/24" dev "$CLI_IF"
ip -n "$SRV_NS" addr add "$SRV4/24" dev "$SRV_IF"
ip -n "$CLI_NS" -6 addr add "$CLI6/64" dev "$CLI_IF" nodad
ip -n "$SRV_NS" -6 addr add "$SRV6/64" dev "$SRV_IF" nodad
ip -n "$CLI_NS" link set "$CLI_IF" up
ip -n "$SRV_NS" link set "$SRV_IF" up

# Deterministic SYN retransmissions in the client (these sysctls are per namespace).
in_cli sysctl -q -w net.ipv4.tcp_syn_retries=1
if in_cli test -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts; then
  in_cli sysctl -q -w net.ipv4.tcp_syn_linear_timeouts=0
fi
# Every rejected SYN gets its ICMP error: no ICMP rate limiting in the server.
in_srv sysctl -q -w net.ipv4.icmp_ratelimit=0
in_srv sysctl -q -w net.ipv6.icmp.ratelimit=0

# --- firewall ----------------------------------------------------------------------------------
rules_for() { # FAMILY -> lines of arguments for iptables/ip6tables
  local rej_port rej_admin
  if [[ $1 == 4 ]]; then rej_port=icmp-port-unreachable rej_admin=icmp-admin-prohibited
  else rej_port=icmp6-port-unreachable rej_admin=icmp6-adm-prohibited; fi
  printf '%s\n' \
    "-A INPUT -i $SRV_IF -p tcp --dport 8082 -j REJECT --reject-with tcp-reset" \
    "-A INPUT -i $SRV_IF -p tcp --dport 8083 -j REJECT --reject-with $rej_port" \
    "-A INPUT -i $SRV_IF -p tcp --dport 8084 -j REJECT --reject-with $rej_admin" \
    "-A INPUT -i $SRV_IF -p tcp --dport 8085 -j DROP"
}
try_backend() { # IPT4 IPT6 -> 0 when every rule went in
  local ipt4=$1 ipt6=$2 line
  command -v "$ipt4" >/dev/null 2>&1 && command -v "$ipt6" >/dev/null 2>&1 || return 1
  while read -r line; do
    # shellcheck disable=SC2086
    in_srv "$ipt4" $line 2>>"$WORK/iptables.err" || { in_srv "$ipt4" -F INPUT 2>/dev/null; return 1; }
  done < <(rules_for 4)
  while read -r line; do
    # shellcheck disable=SC2086
    in_srv "$ipt6" $line 2>>"$WORK/iptables.err" || {
      in_srv "$ipt4" -F INPUT 2>/dev/null; in_srv "$ipt6" -F INPUT 2>/dev/null; return 1; }
  done < <(rules_for 6)
}
backend=""
for pair in "iptables ip6tables" "iptables-nft ip6tables-nft" "iptables-legacy ip6tables-legacy"; do
  # shellcheck disable=SC2086
  if try_backend $pair; then backend=$pair; break; fi
done
if [[ -z $backend ]]; then
  cat "$WORK/iptables.err" >&2 || true
  die 5 "no iptables backend (default, nft, legacy) accepts the REJECT/DROP rules here; try: apt-get install -y iptables"
fi
log "firewall: $backend ($(${backend%% *} -V 2>/dev/null || echo '?'))"

# --- server ------------------------------------------------------------------------------------
lifetime_ms=$(( (COUNT * ${#PORTS[@]} * 2 * CONNECT_TIMEOUT_MS) + 60000 ))
# Not through in_srv: a backgrounded function is a subshell, and $! must be the real process
# ("ip netns exec" execs its command) so that signals reach it.
ip netns exec "$SRV_NS" node "$CLIENT_JS" serve 8080,8082,8083,8084,8085 "$lifetime_ms" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q '"listening"' "$WORK/server.log" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die 1 "server exited early"; }
  sleep 0.1
done
grep -q '"listening"' "$WORK/server.log" || { cat "$WORK/server.log" >&2; die 1 "server did not start listening within 10 s"; }

# --- capture -----------------------------------------------------------------------------------
start_tcpdump() { # FAMILY FILTER
  ip netns exec "$SRV_NS" tcpdump -Z root -i "$SRV_IF" -nn -U --immediate-mode -w "$WORK/v$1.pcap" "$2" \
    2>"$WORK/tcpdump-v$1.err" &
  TCPDUMP_PIDS+=("$!")
}
start_tcpdump 4 "$FILTER4"
start_tcpdump 6 "$FILTER6"
for fam in 4 6; do
  for _ in $(seq 1 100); do
    grep -q 'listening on' "$WORK/tcpdump-v$fam.err" 2>/dev/null && break
    sleep 0.1
  done
  grep -q 'listening on' "$WORK/tcpdump-v$fam.err" || {
    cat "$WORK/tcpdump-v$fam.err" >&2; die 1 "tcpdump (v$fam) did not start capturing within 10 s"; }
done
sleep 0.2

# --- traffic -----------------------------------------------------------------------------------
: >"$WORK/client.jsonl"
for fam in 4 6; do
  if [[ $fam == 4 ]]; then host=$SRV4; else host=$SRV6; fi
  for port in "${PORTS[@]}"; do
    log "v$fam port $port: $COUNT attempt(s)"
    in_cli node "$CLIENT_JS" connect "$host" "$port" "$COUNT" "$CONNECT_TIMEOUT_MS" >"$WORK/client.out"
    sed "s/^{/{\"family\":\"v$fam\",/" "$WORK/client.out" >>"$WORK/client.jsonl"
  done
done
sleep 1

for pid in "${TCPDUMP_PIDS[@]}"; do
  kill -INT "$pid" 2>/dev/null || true
done
for pid in "${TCPDUMP_PIDS[@]}"; do
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && die 1 "tcpdump (pid $pid) did not stop within 5 s of SIGINT"
  wait "$pid" || die 1 "tcpdump (pid $pid) failed"
done
TCPDUMP_PIDS=()
for fam in 4 6; do
  grep -q '^0 packets dropped by kernel' "$WORK/tcpdump-v$fam.err" ||
    { cat "$WORK/tcpdump-v$fam.err" >&2; die 1 "tcpdump (v$fam) dropped packets"; }
done
kill -TERM "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

# --- attempts from the capture (tshark), following SEMANTICS.md -----------------------------------
# One line per attempt, in the order of their first SYN:
#   server_port client_port outcome syn_retransmits
# outcome: accepted | refused | icmp_port | icmp_admin | icmp_other | unanswered. A SYN on a tuple
# whose attempt is pending is a retransmission; after a refusal or an ICMP rejection it starts a
# new attempt; after an acceptance it is a retransmission if it repeats the ISN. The first answer
# from the server side decides; ICMP errors are matched on the header they quote.
capture_attempts() { # PCAP
  tshark -r "$1" -n -T fields -E separator=/t -E occurrence=l \
    -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport \
    -e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.reset -e tcp.seq_raw \
    -e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code 2>/dev/null |
  awk -F'\t' '
    function on(v) { return v == "1" || v == "True" }
    function end_attempt(key, outcome) { outc[pending[key]] = outcome; delete pending[key] }
    {
      # For ICMP errors the last occurrence of each field is the quoted (client -> server) packet.
      src = ($1 != "") ? $1 : $3; dst = ($2 != "") ? $2 : $4
      sport = $5; dport = $6; seq = $10
      it = $11; ic = $12; i6t = $13; i6c = $14
      if (sport == "" || dport == "") next
      if (it != "" || i6t != "") {
        if (!((it == "3" && ic != "4") || i6t == "1")) next
        key = src SUBSEP sport SUBSEP dst SUBSEP dport
        if (!(key in pending)) next
        if (it == "3") reason = (ic == "3") ? "port" : (ic == "9" || ic == "10" || ic == "13") ? "admin" : "other"
        else reason = (i6c == "4") ? "port" : (i6c == "1") ? "admin" : "other"
        end_attempt(key, "icmp_" reason)
        next
      }
      if (on($7) && !on($8)) {                                   # SYN
        key = src SUBSEP sport SUBSEP dst SUBSEP dport
        if (key in pending) { retx[pending[key]]++; next }
        if ((key in acc_isn) && acc_isn[key] == seq) { retx[acc_id[key]]++; next }
        n++; sp[n] = dport; cp[n] = sport; isn[n] = seq; pending[key] = n
        next
      }
      key = dst SUBSEP dport SUBSEP src SUBSEP sport              # answer from the server side
      if (!(key in pending)) next
      if (on($7) && on($8)) { id = pending[key]; acc_isn[key] = isn[id]; acc_id[key] = id; end_attempt(key, "accepted") }
      else if (on($9)) end_attempt(key, "refused")
    }
    END {
      for (i = 1; i <= n; i++)
        printf "%s %s %s %d\n", sp[i], cp[i], (i in outc) ? outc[i] : "unanswered", retx[i]
    }'
}

# One line per client connect: server_port local_port class outcome, where class is what the
# capture must show for it: accepted (handshake done), refusedish (ECONNREFUSED: a RST or an ICMP
# port unreachable), icmpish (EHOSTUNREACH, EACCES, EPERM, ENETUNREACH: another ICMP rejection),
# unanswered (ETIMEDOUT, or the client's own timeout), odd (anything else).
client_attempts() { # FAMILY(v4|v6)
  node -e '
    const fs = require("node:fs");
    for (const line of fs.readFileSync(process.argv[2], "utf8").split("\n")) {
      if (!line.trim()) continue;
      const r = JSON.parse(line);
      if (r.family !== process.argv[1]) continue;
      const cls = r.handshake ? "accepted"
        : r.outcome === "ECONNREFUSED" ? "refusedish"
        : ["EHOSTUNREACH", "EACCES", "EPERM", "ENETUNREACH"].includes(r.outcome) ? "icmpish"
        : ["ETIMEDOUT", "timeout"].includes(r.outcome) ? "unanswered" : "odd";
      console.log(r.port, r.localPort ?? "-", cls, r.outcome);
    }
  ' "$1" "$WORK/client.jsonl"
}

# Client against capture: every connect has attempts in the capture on its tuple, the last one
# ending as the client saw it and any earlier one refused or ICMP-rejected (the kernel re-sent
# the SYN); every attempt in the capture belongs to a connect. Prints one line per problem.
compare_client() { # CAPTURE_ATTEMPTS CLIENT_ATTEMPTS FAMILY
  awk -v fam="$3" '
    function cls(o) { return o == "accepted" ? "accepted" : (o == "refused" || o == "icmp_port") ? "refusedish" : o == "unanswered" ? "unanswered" : "icmpish" }
    FNR == NR { k = $1 " " $2; cnt[k]++; last[k] = $3; if (cnt[k] > 1 && prev[k] !~ /^(refused|icmp_)/) bad[k] = prev[k]; prev[k] = $3; next }
    {
      k = $1 " " $2; seen[k] = 1
      if ($2 == "-") { printf "v%s port %s: the client did not learn its source port (%s)\n", fam, $1, $4; next }
      if (!(k in cnt)) { printf "v%s port %s: client connect from port %s (%s) has no SYN in the capture\n", fam, $1, $2, $4; next }
      if ($3 == "odd") { printf "v%s port %s: client port %s: unexpected outcome %s\n", fam, $1, $2, $4; next }
      if (cls(last[k]) != $3) printf "v%s port %s: client port %s reported %s, the capture says %s\n", fam, $1, $2, $4, last[k]
      if (k in bad) printf "v%s port %s: client port %s: a SYN followed a %s attempt on the same tuple\n", fam, $1, $2, bad[k]
    }
    END { for (k in cnt) if (!(k in seen)) { split(k, a, " "); printf "v%s port %s: capture attempt(s) from port %s the client never reported\n", fam, a[1], a[2] } }
  ' "$1" "$2"
}

# Per-port totals from the attempt lines:
#   port attempts tuples accepted refused icmp_port icmp_admin icmp_other unanswered syn_retransmits
port_totals() { # CAPTURE_ATTEMPTS
  awk '
    { p = $1; if (!(p in att)) ord[++n] = p; att[p]++; o[p, $3]++; rx[p] += $4
      if (!((p, $2) in tup)) { tup[p, $2] = 1; tuples[p]++ } }
    END { for (i = 1; i <= n; i++) { p = ord[i]
      printf "%s %d %d %d %d %d %d %d %d %d\n", p, att[p], tuples[p], o[p, "accepted"], o[p, "refused"],
        o[p, "icmp_port"], o[p, "icmp_admin"], o[p, "icmp_other"], o[p, "unanswered"], rx[p] } }
  ' "$1" | sort -n
}

# The design: what every attempt on a port must end as, how many attempts there may be, and how
# many SYN retransmissions. On 8083/8084 the kernel may send the SYN again after the ICMP error (it
# ignores an ICMP error that arrives while connect(2) still holds the socket: a soft error, then
# the 1 s retransmission draws a second ICMP error, which aborts): 1 or 2 attempts per connect.
design_problems() { # FAMILY TOTALS_LINE
  local fam=$1 p a t ac rf ip ia io un rx want_out min max want_rx got_out
  read -r p a t ac rf ip ia io un rx <<<"$2"
  case "$p" in
    8080) want_out=accepted min=$COUNT max=$COUNT want_rx=0 got_out=$ac ;;
    8081|8082) want_out=refused min=$COUNT max=$COUNT want_rx=0 got_out=$rf ;;
    8083) want_out=icmp_port min=$COUNT max=$((2 * COUNT)) want_rx=0 got_out=$ip ;;
    8084) want_out=icmp_admin min=$COUNT max=$((2 * COUNT)) want_rx=0 got_out=$ia ;;
    8085) want_out=unanswered min=$COUNT max=$COUNT want_rx=$COUNT got_out=$un ;;
    *) echo "v$fam port $p: traffic to a port the script never used"; return ;;
  esac
  ((t == COUNT)) || echo "v$fam port $p: $t client ports in the capture, want $COUNT"
  ((a >= min && a <= max)) || echo "v$fam port $p: $a attempts, want $min..$max"
  ((got_out == a)) || echo "v$fam port $p: $got_out of $a attempts ended $want_out (accepted $ac refused $rf icmp_port $ip icmp_admin $ia icmp_other $io unanswered $un)"
  ((rx == want_rx)) || echo "v$fam port $p: $rx SYN retransmissions, want $want_rx"
}

client_problems=()
design_issues=()
row() { printf '  %-5s %8s %6s %8s %7s %17s %17s %10s %15s\n' "$@"; }
for fam in 4 6; do
  pcap="$WORK/v$fam.pcap"
  capture_attempts "$pcap" >"$WORK/attempts-v$fam.txt"
  client_attempts "v$fam" >"$WORK/client-v$fam.txt"
  port_totals "$WORK/attempts-v$fam.txt" >"$WORK/totals-v$fam.txt"
  while IFS= read -r line; do client_problems+=("$line"); done \
    < <(compare_client "$WORK/attempts-v$fam.txt" "$WORK/client-v$fam.txt" "$fam")
  printf '\nnetns-refusals-v%s.pcap (%s packets; counts from tshark)\n' "$fam" \
    "$(tcpdump -r "$pcap" -nn 2>/dev/null | wc -l)"
  row port attempts conns accepted refused icmp:port_unreach icmp:admin_prohib unanswered syn_retransmits
  sum=(0 0 0 0 0 0 0 0)
  for port in "${PORTS[@]}"; do
    line=$(grep "^$port " "$WORK/totals-v$fam.txt" || echo "$port 0 0 0 0 0 0 0 0 0")
    read -r p a t ac rf ip ia io un rx <<<"$line"
    row "$p" "$a" "$t" "$ac" "$rf" "$ip" "$ia" "$un" "$rx"
    vals=("$a" "$t" "$ac" "$rf" "$ip" "$ia" "$un" "$rx")
    for i in "${!vals[@]}"; do sum[i]=$((sum[i] + vals[i])); done
    ((io == 0)) || design_issues+=("v$fam port $p: $io ICMP rejections of another kind")
    while IFS= read -r issue; do design_issues+=("$issue"); done < <(design_problems "$fam" "$line")
  done
  row total "${sum[@]}"
  others=$(awk -v list=" ${PORTS[*]} " 'index(list, " " $1 " ") == 0' "$WORK/totals-v$fam.txt")
  [[ -z $others ]] || design_issues+=("v$fam: attempts to unexpected ports: $others")
done
echo

status=0
if ((${#client_problems[@]})); then
  status=3
  for pr in "${client_problems[@]}"; do log "MISMATCH $pr"; done
elif ((${#design_issues[@]})); then
  status=4
  for pr in "${design_issues[@]}"; do log "UNEXPECTED $pr"; done
fi
if ((status != 0)); then
  for fam in 4 6; do
    log "first packets of the v$fam capture:"
    tcpdump -nn -r "$WORK/v$fam.pcap" 2>/dev/null | head -60 >&2 || true
  done
  log "client report:"; cat "$WORK/client.jsonl" >&2
  if ((status == 3)); then die 3 "the client and the capture disagree; nothing written"; fi
  die 4 "some ports did not behave as designed; nothing written"
fi

mkdir -p -- "$OUT"
for fam in 4 6; do
  dest="$OUT/netns-refusals-v$fam.pcap"
  cp -- "$WORK/v$fam.pcap" "$dest.tmp.$$"
  chmod 0644 "$dest.tmp.$$"
  mv -f -- "$dest.tmp.$$" "$dest"
  echo "wrote $dest ($(stat -c %s "$dest") bytes)"
done
