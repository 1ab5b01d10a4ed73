/*
 * conn_text.h: how the tcpphase statistics and the summary subtree write a connection's facts
 * (addresses, flags, times), so every output spells them the same way.
 */
#ifndef TCPPHASE_CONN_TEXT_H
#define TCPPHASE_CONN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "tcpphase.h"

/* Longest address text, IPv6 included, with its terminator. */
#define CONN_ADDR_STRLEN 48

/* Length of a fixed-size string field that may lack its terminator (strnlen, which is POSIX
 * rather than C11). */
size_t conn_fixed_len(const char *s, size_t size);

/* An address as usual ("10.0.0.1", "fd00::1"); "?" for a length that is neither family's. */
void conn_addr_text(const tp_addr *a, char *buf, size_t size);

/* Flags as Wireshark's Info column orders them, comma-joined: "SYN,ACK"; "none" for none. */
void conn_flags_text(uint8_t flags, char *buf, size_t size);

/* to - from, saturated to int64_t: capture times are whatever the file says. */
int64_t conn_diff_ns(int64_t from, int64_t to);

/* last_ns - first_ns, at least 0 (frames out of time order). */
int64_t conn_span_ns(const tp_conn_summary *s);

/* Nanoseconds as seconds with nine decimals ("-0.000000001", "12.000000000"). */
void conn_ns_text(int64_t ns, char *buf, size_t size);

/* Who entered TIME-WAIT in the connection: "client", "server", "both" or "none"
 * (tcpphase.conn.time_wait_holder). */
const char *conn_time_wait_holder(const tp_conn_summary *s);

/* Capture time as UTC ISO 8601 with microseconds: "2026-11-28T10:11:12.123456Z". */
void conn_iso_text(int64_t ns, char *buf, size_t size);

#endif
