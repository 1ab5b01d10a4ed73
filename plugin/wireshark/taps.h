/*
 * taps.h: the "tcpphase" tap and the statistics that listen to it.
 *
 * The post-dissector queues one record per classified segment (both passes); the listeners
 * -z tcpphase,conns (conns_tap.c), -z tcpphase,ladder (ladder_tap.c) and the stats tree
 * -z tcpphase,tree (stats_tree.c) use it to learn which connections a filter selects and read
 * everything else from the engine once the whole capture has been read.
 */
#ifndef TCPPHASE_TAPS_H
#define TCPPHASE_TAPS_H

#include <glib.h>
#include <epan/tap.h>

#include "tcpphase.h"

/* The tap's name, as register_tap_listener and the stats tree know it. */
#define TCPPHASE_TAP_NAME "tcpphase"

/* What the post-dissector queues for a segment the engine classified. */
typedef struct tcpphase_tap_rec {
    uint32_t frame;
    tp_result result; /* a copy: the engine's array may move while the file is read */
    bool complete;    /* the frame is being revisited: the whole capture has been read */
} tcpphase_tap_rec;

/*
 * Registers the listeners below as a tap plugin, from proto_register_tcpphase: Wireshark
 * calls them back when it registers every tap listener, plugins' first, so the stats tree is
 * known before tshark's -z tree arguments are built from the list of stats trees.
 */
void tcpphase_taps_register(void);

/* The tap plugin's parts: the -z arguments and the stats tree. */
void conns_tap_register(void);
void ladder_tap_register(void);
void tcpphase_stats_tree_register(void);

/*
 * Keeps a segment's raw header values for the ladder, only while a ladder listener is
 * registered (otherwise it returns at once). Called on the first pass, when the post-dissector
 * reads the segment: later passes have no TCP fields to read.
 */
void ladder_tap_record(const tp_segment *seg, const tp_result *r);

/* Growable set of connection numbers: which connections a tap's filter selected. */
typedef struct conn_set {
    GByteArray *bits;
} conn_set;

void conn_set_init(conn_set *s);
void conn_set_clear(conn_set *s);
void conn_set_free(conn_set *s);
void conn_set_add(conn_set *s, uint32_t conn);
bool conn_set_has(const conn_set *s, uint32_t conn);

/*
 * The filter part of a -z argument: "tcpphase,conns" -> NULL, "tcpphase,conns,FILTER" ->
 * "FILTER". False (and an error printed) for anything else that begins with the prefix.
 */
bool tap_arg_filter(const char *arg, const char *prefix, const char **filter);

/* Registers a listener on the tcpphase tap; on error (a bad filter) prints it and exits 1,
 * as tshark's own -z statistics do. */
void tap_listen_or_exit(const char *what, void *tapdata, const char *filter, tap_reset_cb reset,
                        tap_packet_cb packet, tap_draw_cb draw, tap_finish_cb finish);

#endif
