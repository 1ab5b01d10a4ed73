/*
 * tcpphase engine: which directions between two hosts the capture has seen segments in
 * (coverage.c). A capture point may see one direction only (a tap, an asymmetric route): the
 * absence of an answer is evidence only where the capture is known to see the direction it
 * would come in.
 */
#ifndef TCPPHASE_COVERAGE_H
#define TCPPHASE_COVERAGE_H

#include "conntable.h"

typedef struct tp_coverage tp_coverage;
tp_coverage *tp_coverage_new(void);
void tp_coverage_free(tp_coverage *v);
void tp_coverage_note(tp_coverage *v, const tp_segment *seg);
bool tp_coverage_seen(const tp_coverage *v, const tp_conn *c, tp_dir from);

/* Is the absence of an answer evidence? A SYN never answered or a SYN-ACK never acknowledged
 * (sender: the side that waited) only where its own retransmission or the capture's view of
 * the other direction says the answer would have been seen (engine.c, summary.c). */
bool tp_conn_unanswered_provable(const tp_conntable *t, const tp_coverage *v, const tp_conn *c,
                                 tp_dir waiting);

#endif
