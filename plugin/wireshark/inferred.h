/*
 * inferred.h: which endpoint's state after a segment the capture has not shown yet.
 *
 * A state is shown by the capture when that endpoint has sent a segment of the connection up to
 * and including this one; before that, tcpphase infers it from the peer's segments alone (a
 * one-direction capture, or a side whose first segments the capture missed). The tree and the
 * reason text say so (INFERRED_TEXT), so a reader does not take an inference for evidence.
 *
 * Decided on the first pass, from the segments read so far, and stored per frame: the same in
 * single-pass tshark, tshark -2 and the GUI, as every per-segment field (README "Passes").
 */
#ifndef TCPPHASE_INFERRED_H
#define TCPPHASE_INFERRED_H

#include <glib.h>

#include "tcpphase.h"

#define INFERRED_TEXT "inferred: not in the capture"

/* First pass: notes the segment's sender and stores which sides' states after it are inferred.
 * From a 4-tuple's second incarnation on, a side's state before its first segment is the one the
 * earlier incarnation left, and is not marked (the engine is asked only then). */
void inferred_record(const tp_engine *engine, guint32 frame, const tp_result *r);

/* Bit (1 << tp_dir) per endpoint whose state after the frame is inferred; 0 for most frames. */
unsigned inferred_sides(guint32 frame);

/* Forgets everything: a new capture file. */
void inferred_forget(void);

#endif
