/*
 * tcpphase engine: the RFC 9293 state machine as data (transitions.c).
 */
#ifndef TCPPHASE_TRANSITIONS_H
#define TCPPHASE_TRANSITIONS_H

#include "conn.h"

/* A transition table cell: the next state and why. No reason: the state is kept. */
typedef struct tp_cell {
    uint8_t next;
    const char *why;
} tp_cell;

const tp_cell *tp_send_cell(tp_event ev, tp_state sender);
const tp_cell *tp_recv_cell(tp_event ev, tp_state receiver);
const char *tp_event_name(tp_event ev);

/* transitions.c: the states after an event, both endpoints (after may be before). */
void tp_apply_event(tp_event ev, tp_dir dir, const uint8_t before[2], uint8_t after[2]);

#endif
