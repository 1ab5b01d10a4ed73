/*
 * tcpphase engine: Zeek's view of a connection, kept beside the RFC 9293 one so that tcpphase can
 * report Zeek's conn_state and history letters (issue 4).
 *
 * The rules are Zeek's published ones: the conn_state and history descriptions and the
 * conn_state function of scripts/base/protocols/conn/main.zeek, over the endpoint states of
 * Zeek's TCP analyzer (INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET).
 * Where tcpphase departs from Zeek, docs/zeek-differences.md says how and why.
 */
#ifndef TCPPHASE_ZEEK_H
#define TCPPHASE_ZEEK_H

#include "conntable.h"

/* The history letters as a string (NUL-terminated). */
void tp_zeek_history(const tp_zeek *z, char out[TP_ZEEK_HISTORY]);

/* Feeds one segment to c->zeek, given the connection as it was before it. t holds c's side
 * record. */
void tp_zeek_segment(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg);

/* Do d's segments start at seq, as Zeek's first one did? */
bool tp_zeek_same_start(const tp_conn *c, tp_dir d, uint32_t seq);

#endif
