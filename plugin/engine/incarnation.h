/*
 * tcpphase engine: which incarnation of a 4-tuple a segment belongs to (incarnation.c).
 */
#ifndef TCPPHASE_INCARNATION_H
#define TCPPHASE_INCARNATION_H

#include "conntable.h"
#include "findings.h"

typedef struct tp_placement {
    tp_conn *conn;   /* the connection the segment belongs to */
    tp_conn *latest; /* its 4-tuple's latest incarnation (conn, or the one after it) */
} tp_placement;

/* The connection seg belongs to, given its 4-tuple's latest incarnation (NULL: none yet):
 * that one, a new one it opens (a TIME-WAIT reuse is stored as a finding of r's frame), or
 * the previous one whose holder still answers for it. */
tp_placement tp_incarnation_of(tp_conntable *t, tp_findings *f, const tp_config *cfg,
                               const tp_segment *seg, tp_conn *latest, tp_result *r);
/* After the segment: whether the previous incarnation still answers for its 4-tuple. */
void tp_incarnation_settle(tp_conntable *t, const tp_placement *p);

#endif
