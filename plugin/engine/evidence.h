/*
 * tcpphase engine: what a segment proves about segments the capture did not show (evidence.c).
 */
#ifndef TCPPHASE_EVIDENCE_H
#define TCPPHASE_EVIDENCE_H

#include "conntable.h"

/* Applies, before seg from dir is classified, the segments its numbers prove were sent and
 * received though the capture missed them (or has them later); returns the gaps to report as
 * TP_GAP_BIT bits. When seg shows a FIN taken from one sequence number was a byte of data, and
 * both ends went back to ESTABLISHED, *retracted gets the frame that implied the FIN. */
uint32_t tp_evidence_apply(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg,
                           uint32_t *retracted);
/* Is seg one the evidence had already applied, captured after the segment that proved it? */
bool tp_evidence_late(const tp_conn *c, tp_dir dir, const tp_segment *seg);
/* The role of such a late segment: what it was when it was sent. */
tp_role tp_evidence_late_role(const tp_conn *c, tp_dir dir, const tp_segment *seg);

#endif
