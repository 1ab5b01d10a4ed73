# shellcheck shell=bash
# Shared helpers for the sample-capture scripts (sourced, not executed).
#
# Topology (all private, inside namespaces created here and deleted on exit):
#   direct:  tpc [c0 10.0.0.1 fd00::1] <-veth-> [s0 10.0.0.2 fd00::2] tps
#   relay:   tpc [c0] <-veth-> [r0] tpr (delay.py) [r1] <-veth-> [s0] tps
# MACs, addresses and neighbour entries are fixed so that no ARP/ND appears
# and every run produces the same frames.  Offloads are off, so the capture
# shows real MSS-sized segments with valid checksums.

set -euo pipefail

LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Names and addresses can be moved (TP_NS, TP_NET4, TP_NET6) so that another
# run (sample-pcaps/random) can work beside the sample scripts; the samples
# use the defaults.
NSC=${TP_NS:-tp}c NSS=${TP_NS:-tp}s NSR=${TP_NS:-tp}r
# shellcheck disable=SC2034  # used by the scenario scripts
C4=${TP_NET4:-10.0.0}.1 S4=${TP_NET4:-10.0.0}.2 C6=${TP_NET6:-fd00:}:1 S6=${TP_NET6:-fd00:}:2
CMAC=02:00:00:00:00:01 SMAC=02:00:00:00:00:02
# shellcheck disable=SC2034
SPORT=8080
SYNC=$(mktemp -d /tmp/tpsync.XXXXXX)
export TCPX_SYNC=$SYNC
BG_PIDS=()
declare -A DROP_LOG=()   # namespace -> tcpdump on its NFLOG (nft_drop)

die() { echo "error: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (needs network namespaces)"

inc() { ip netns exec "$NSC" "$@"; }   # run in the client namespace
ins() { ip netns exec "$NSS" "$@"; }   # run in the server namespace
# cli ACTIONS...: run lib/tcpx.py in the client namespace (foreground).
# srv ACTIONS...: run it in the server namespace in the background; the
# script ends with srv_wait, which fails if the server script failed.
cli() { ip netns exec "$NSC" python3 "$LIB/tcpx.py" "$@"; }
srv() {
	ip netns exec "$NSS" python3 "$LIB/tcpx.py" "$@" &
	SRV_PID=$!
	BG_PIDS+=("$SRV_PID")
}
srv_wait() { wait "$SRV_PID"; }

# teardown: stop our background processes, delete the namespaces, forget
# the marks (also used by scripts that retry).
teardown() {
	local pid ns
	for pid in "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	BG_PIDS=()
	DROP_LOG=()
	for ns in "$NSC" "$NSS" "$NSR"; do ip netns del "$ns" 2>/dev/null || true; done
	rm -f "$SYNC"/*
}
trap 'teardown; rm -rf "$SYNC"' EXIT

# bg CMD...: start CMD in the background and remember it for cleanup.
bg() { "$@" & BG_PIDS+=($!); }

# ns_up NS IF MAC: bring up IF in NS with a fixed MAC, offloads off, no IPv6
# autoconf noise (DAD off, no router solicitations).
ns_up() {
	local ns=$1 if=$2 mac=$3
	ip -n "$ns" link set "$if" address "$mac"
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$if.accept_dad=0" \
		"net.ipv6.conf.$if.router_solicitations=0" \
		"net.ipv6.conf.$if.accept_ra=0"
	ip netns exec "$ns" ethtool -K "$if" tx off sg off tso off gso off gro off >/dev/null
	ip -n "$ns" link set "$if" up
}

# ns_host NS IF ADDR4 ADDR6 PEER4 PEER6 PEERMAC: addresses + static neighbours.
ns_host() {
	local ns=$1 if=$2
	ip -n "$ns" addr add "$3/24" dev "$if"
	ip -n "$ns" -6 addr add "$4/64" dev "$if" nodad
	ip -n "$ns" neigh add "$5" lladdr "$7" dev "$if" nud permanent
	ip -n "$ns" -6 neigh add "$6" lladdr "$7" dev "$if" nud permanent
}

# ktmark TEXT: a line in the kernel record, when generate records one
# (KTRACE_MARKER: the trace_marker of lib/ktrace.py's tracefs instance).
ktmark() { if [ -n "${KTRACE_MARKER:-}" ]; then echo "$*" >"$KTRACE_MARKER"; fi; }

new_ns() {
	local ns
	# New namespaces: the sockets of earlier ones (a retried attempt) are gone.
	ktmark tp-reset
	for ns in "$@"; do
		ip netns del "$ns" 2>/dev/null || true
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_dad=0
	done
}

# setup_direct: client and server namespaces joined by one veth pair.
setup_direct() {
	new_ns "$NSC" "$NSS"
	ip -n "$NSC" link add c0 type veth peer name s0 netns "$NSS"
	ns_up "$NSC" c0 "$CMAC"
	ns_up "$NSS" s0 "$SMAC"
	ns_host "$NSC" c0 "$C4" "$C6" "$S4" "$S6" "$SMAC"
	ns_host "$NSS" s0 "$S4" "$S6" "$C4" "$C6" "$CMAC"
}

# setup_relay [DELAY_MS [CAPTURED [HOLD_MS]]]: like setup_direct, but
# frames pass through a user-space relay in namespace tpr that delays each
# one (no tc netem here).  CAPTURED (c, the default, or s) says on which
# side's interface the script captures, for the kernel record's tp-delay
# mark.  HOLD_MS: the relay holds the client's first data segment that much
# longer (lib/delay.py), to reorder it behind the segments that follow.
setup_relay() {
	new_ns "$NSC" "$NSS" "$NSR"
	ip netns exec "$NSR" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NSC" link add c0 type veth peer name r0 netns "$NSR"
	ip -n "$NSS" link add s0 type veth peer name r1 netns "$NSR"
	ns_up "$NSC" c0 "$CMAC"
	ns_up "$NSS" s0 "$SMAC"
	ns_up "$NSR" r0 02:00:00:00:01:00
	ns_up "$NSR" r1 02:00:00:00:01:01
	ns_host "$NSC" c0 "$C4" "$C6" "$S4" "$S6" "$SMAC"
	ns_host "$NSS" s0 "$S4" "$S6" "$C4" "$C6" "$CMAC"
	bg ip netns exec "$NSR" python3 "$LIB/delay.py" r0 r1 "${1:-50}" "$SYNC/relay-ready" ${3:+"$3"}
	wait_mark relay-ready
	# The hosts on the far side of the relay from the capture see each frame
	# this much later (or sent it this much earlier).
	local far="$S4 $S6"
	if [ "${2:-c}" = s ]; then far="$C4 $C6"; fi
	ktmark "tp-delay $far $(awk -v ms="${1:-50}" 'BEGIN { printf "%.3f", ms / 1000 }')"
}

# setup_router: like setup_direct, but a router namespace tpr forwards
# between the two (IPv4 only): tpc [c0] <-> [r0] tpr [r1] <-> [s0] tps.  The
# hosts keep their /24 and reach each other "on link" through a static
# neighbour entry holding the router's MAC; the router has no address, a
# host route to each side and forwards with the kernel's IP forwarding, so
# a frame leaves r1 with the TTL one lower than it entered r0.
setup_router() {
	new_ns "$NSC" "$NSS" "$NSR"
	sysctl_ns "$NSR" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	ip -n "$NSC" link add c0 type veth peer name r0 netns "$NSR"
	ip -n "$NSS" link add s0 type veth peer name r1 netns "$NSR"
	ns_up "$NSC" c0 "$CMAC"
	ns_up "$NSS" s0 "$SMAC"
	ns_up "$NSR" r0 02:00:00:00:01:00
	ns_up "$NSR" r1 02:00:00:00:01:01
	ns_host "$NSC" c0 "$C4" "$C6" "$S4" "$S6" 02:00:00:00:01:00
	ns_host "$NSS" s0 "$S4" "$S6" "$C4" "$C6" 02:00:00:00:01:01
	ip -n "$NSR" route add "$C4/32" dev r0
	ip -n "$NSR" route add "$S4/32" dev r1
	ip -n "$NSR" neigh add "$C4" lladdr "$CMAC" dev r0 nud permanent
	ip -n "$NSR" neigh add "$S4" lladdr "$SMAC" dev r1 nud permanent
}

# sysctl_ns NS KEY=VALUE...
sysctl_ns() { local ns=$1; shift; ip netns exec "$ns" sysctl -qw "$@"; }

# wait_mark NAME: wait (max 20 s) until a helper created $SYNC/NAME.
wait_mark() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ -e "$SYNC/$1" ] && return 0
		sleep 0.05
	done
	die "timeout waiting for $1"
}
mark() { touch "$SYNC/$1"; }

# wait_listen NS PORT: wait until something listens on PORT in NS.
wait_listen() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2")" ] && return 0
		sleep 0.05
	done
	die "nothing listens on $2 in $1"
}

# at_in SECONDS: an absolute time (epoch seconds) SECONDS from now, for
# actions that both sides must do at the same instant.
at_in() { python3 -c "import time,sys; print(f'{time.time()+float(sys.argv[1]):.3f}')" "$1"; }

# capture_start NS IF FILE [TCPDUMP-ARGS...]: capture TCP on IF in NS.
# Returns once tcpdump is really listening.
CAP_PID='' CAP_FILE=''
capture_start() {
	local ns=$1 if=$2; CAP_FILE=$3; shift 3
	ip netns exec "$ns" tcpdump -Z root -i "$if" -U --immediate-mode -w "$CAP_FILE" "$@" tcp \
		2>"$SYNC/tcpdump.log" &
	CAP_PID=$!
	BG_PIDS+=("$CAP_PID")
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q "listening on" "$SYNC/tcpdump.log" && return 0
		sleep 0.05
	done
	die "tcpdump did not start: $(cat "$SYNC/tcpdump.log")"
}

# capture_stop: let the last frames arrive, then stop tcpdump.
capture_stop() {
	sleep 0.3
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	chmod 644 "$CAP_FILE"
}

# out_path "$0" "${1:-}": set OUT, the capture to write: the first argument
# of generate.sh, else <dir>/<dir>.pcap.
# shellcheck disable=SC2034
out_path() {
	local dir name
	dir=$(cd "$(dirname "$1")" && pwd)
	name=$(basename "$dir")
	OUT=${2:-$dir/$name.pcap}
}

# nft_drop NS input|output MATCH...: drop packets matching MATCH in NS.
# When generate records the kernel (KTRACE_DROPS: a folder), each dropped
# packet is also logged to NFLOG group 7 and captured there, so that the
# comparison knows which captured segments never reached their host.
nft_drop() {
	local ns=$1 hook=$2; shift 2
	ip netns exec "$ns" nft add table inet tp
	ip netns exec "$ns" nft add chain inet tp "$hook" "{ type filter hook $hook priority 0; }"
	if [ -n "${KTRACE_DROPS:-}" ]; then
		drop_log_start "$ns"
		ip netns exec "$ns" nft add rule inet tp "$hook" "$@" log prefix "\"$ns:$hook\"" group 7 queue-threshold 1 drop
	else
		ip netns exec "$ns" nft add rule inet tp "$hook" "$@" drop
	fi
}
nft_clear() { ip netns exec "$1" nft delete table inet tp; }

# drop_log_start NS: capture NFLOG group 7 of NS into $KTRACE_DROPS (once).
drop_log_start() {
	local ns=$1 i log
	[ -z "${DROP_LOG[$ns]:-}" ] || return 0
	log=$KTRACE_DROPS/$ns-$RANDOM.log
	ip netns exec "$ns" tcpdump -Z root -i nflog:7 -U -w "${log%.log}.pcap" 2>"$log" &
	BG_PIDS+=($!)
	DROP_LOG[$ns]=$!
	for ((i = 0; i < 200; i++)); do
		grep -q "listening on" "$log" && return 0
		sleep 0.05
	done
	die "tcpdump on nflog did not start: $(cat "$log")"
}
