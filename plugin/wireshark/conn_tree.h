/*
 * conn_tree.h: the connection summary subtree (tcpphase.conn.*) drawn under each segment.
 */
#ifndef TCPPHASE_CONN_TREE_H
#define TCPPHASE_CONN_TREE_H

#include <epan/packet.h>

#include "tcpphase.h"

/* Registers the tcpphase.conn.* fields and the subtree with the protocol. */
void conn_tree_register(int proto);

/*
 * Adds "Connection N: open, close, zeek_state history" with the summary's fields to tree.
 * Only for a revisited frame: the summary is final only once the whole capture has been read,
 * and a value that a later frame would change must never be shown.
 */
void conn_tree_add(proto_tree *tree, tvbuff_t *tvb, const tp_conn_summary *s);

/* Does the tree keep any of the subtree's fields (a visible tree keeps all)? Building the
 * summary is not free, and a tree kept for filters and -e fields drops what it was not asked. */
bool conn_tree_wanted(proto_tree *tree);

#endif
