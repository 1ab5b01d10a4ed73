# shellcheck shell=bash
# Shared set-up of the nmap scan captures (sourced after netns.sh).
#
# The server namespace has listeners on OPEN_PORTS and drops every TCP
# segment to FILTERED_PORTS in its input hook (nftables), so a scan sees
# the three answers a port can give: SYN/ACK (open), RST (closed: nothing
# listens, RFC 9293 3.10.7.1) and nothing (filtered).  The capture is taken
# on the client's interface; nmap runs in the client namespace.
#
# nmap is made as repeatable as it allows: -n -Pn (no DNS, no host
# discovery), --send-ip (raw IP socket: the kernel's static neighbour entry
# is used, no ARP), -r (ports in numerical order), --max-retries 0 (one
# probe per port: a filtered port is not probed again), -T4; raw scans add
# -g 40100 (a fixed source port for the probes).  A connect scan (-sT) uses
# the kernel's connect(), whose source port -g cannot set: the client
# namespace's ephemeral range is pinned to the one port 40200 instead (Linux
# shares a local port between connections to different 4-tuples).

# shellcheck disable=SC2034
OPEN_PORTS=(22 80 8080) FILTERED_PORTS=(23 25)
NMAP_BASE=(nmap -n -Pn --send-ip -r --max-retries 0 -T4)
RAW=(-g 40100)

# scan_setup: namespaces, listeners, the drop rule.
scan_setup() {
	local p
	setup_direct
	for p in "${OPEN_PORTS[@]}"; do
		srv listen "$S4" "$p" sleep 600
		wait_listen "$NSS" "$p"
	done
	nft_drop "$NSS" input tcp dport "{ $(IFS=,; echo "${FILTERED_PORTS[*]}") }"
	sysctl_ns "$NSC" net.ipv4.ip_local_port_range="40200 40200"
}

# nmap_run ARGS...: nmap in the client namespace against the server, inside
# a capture on the client's interface; nmap's report goes to generate.sh's
# output (the log).
nmap_run() {
	capture_start "$NSC" c0 "$OUT"
	inc "${NMAP_BASE[@]}" "$@" "$S4"
	capture_stop
}
