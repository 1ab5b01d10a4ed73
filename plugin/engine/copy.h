/*
 * tcpphase engine: copies of a segment, as against retransmissions (copy.c).
 */
#ifndef TCPPHASE_COPY_H
#define TCPPHASE_COPY_H

#include "conn.h"
#include "results.h"

/* The minimum retransmission timeout: Linux's TCP_RTO_MIN (RFC 6298 2.4 asks for 1 s). */
#define TP_MIN_RTO_NS (200 * 1000 * 1000LL)

/* Is seg from dir its SYN or FIN again, within the minimum retransmission timeout of the same
 * segment, with nothing on the 4-tuple in between? rs: the results stored so far. */
bool tp_copy_of_latest(const tp_results *rs, const tp_conn *c, tp_dir dir, const tp_segment *seg);

#endif
