/*
 * tcpphase engine: an endpoint's new state, with the bookkeeping of TIME-WAIT entry; and a
 * segment's states and the connection facts it shows (the handshake answered or completed, a
 * FIN acknowledged on its own), for captured and implied segments alike (state.c). The one
 * place a connection's states are written.
 */
#ifndef TCPPHASE_STATE_H
#define TCPPHASE_STATE_H

#include "conntable.h"

void tp_conn_set_state(tp_conntable *t, tp_conn *c, tp_dir d, tp_state s, int64_t now);
void tp_conn_apply(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg,
                   const uint8_t before[2], const uint8_t after[2]);

#endif
