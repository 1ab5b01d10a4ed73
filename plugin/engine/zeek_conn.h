/*
 * tcpphase engine: Zeek's rules for a whole connection: where its session timers end it and
 * start a new one on the same 4-tuple, and its conn_state (zeek_conn.c).
 */
#ifndef TCPPHASE_ZEEK_CONN_H
#define TCPPHASE_ZEEK_CONN_H

#include "conn.h"

/*
 * Would Zeek start a new connection at this segment: has its session timers removed the old
 * one by the segment's time (a completed close after tcp_close_delay, an unanswered SYN after
 * tcp_attempt_delay, inactivity), or is the segment a SYN that Zeek takes as port reuse?
 */
bool tp_zeek_new_session(const tp_zeek *z, const tp_conn *c, const tp_segment *seg);

void tp_zeek_summarize(const tp_zeek *z, const tp_conn *c, char *state, size_t state_size,
                       char *history, size_t history_size);

#endif
