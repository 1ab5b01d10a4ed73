/*
 * frame_tree.h: a segment's tcpphase subtree (tcpphase.role, the states, the reason, ...).
 */
#ifndef TCPPHASE_FRAME_TREE_H
#define TCPPHASE_FRAME_TREE_H

#include <epan/packet.h>

#include "tcpphase.h"

/* Registers the segment's fields and the subtree with the protocol. */
void frame_tree_register(int proto);

/* The subtree for a segment the engine classified (r), under tree; corrected_by is the later
 * frame that corrected it (the second look), or 0. Returns the subtree's item, on which the
 * expert items hang. */
proto_item *frame_tree_draw(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const tp_result *r,
                            guint32 corrected_by);

/* A TCP frame whose header was cut short or lacked a field: says so rather than guess. */
void frame_tree_draw_unknown(proto_tree *tree, tvbuff_t *tvb);

#endif
