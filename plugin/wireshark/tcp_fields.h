/*
 * tcp_fields.h: turns the TCP dissector's fields in a frame's tree into a tp_segment.
 */
#ifndef TCPPHASE_TCP_FIELDS_H
#define TCPPHASE_TCP_FIELDS_H

#include <glib.h>
#include <epan/packet.h>

#include "tcpphase.h"

typedef enum tcp_read_status {
    TCP_READ_OK,        /* seg is filled in */
    TCP_READ_INCOMPLETE /* a TCP layer with a cut header or a missing field: seg is not usable */
} tcp_read_status;

/* Looks up the hf ids of the TCP fields by name. Call from the handoff, once TCP is registered. */
void tcp_fields_lookup(void);

/* A new array of the hf ids found, for set_postdissector_wanted_hfids (which takes it over). */
GArray *tcp_fields_wanted(void);

/*
 * Fills seg from the first TCP header of the frame. Only valid on the first pass: later passes
 * are not guaranteed to have the wanted fields in the tree.
 */
tcp_read_status tcp_fields_read(proto_tree *tree, const packet_info *pinfo, tp_segment *seg);

#endif
