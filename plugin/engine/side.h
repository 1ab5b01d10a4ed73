/*
 * tcpphase engine: the facts split between a connection's record and its side records, read
 * and written whole (side.c).
 */
#ifndef TCPPHASE_SIDE_H
#define TCPPHASE_SIDE_H

#include "conntable.h"

uint32_t tp_conn_incarnation(const tp_conntable *t, const tp_conn *c);
void tp_conn_set_incarnation(tp_conntable *t, tp_conn *c, uint32_t n);
uint32_t tp_conn_prev_id(const tp_conntable *t, const tp_conn *c);
void tp_conn_set_prev_id(tp_conntable *t, tp_conn *c, uint32_t id);
uint32_t tp_conn_frames(const tp_conntable *t, const tp_conn *c, tp_dir d);
uint64_t tp_conn_bytes(const tp_conntable *t, const tp_conn *c, tp_dir d);
uint64_t tp_conn_bytes_after_peer_fin(const tp_conntable *t, const tp_conn *c, tp_dir d);
void tp_conn_add_bytes_after_peer_fin(tp_conntable *t, tp_conn *c, tp_dir d, uint32_t len);
int64_t tp_conn_time_wait_ns(const tp_conntable *t, const tp_conn *c, tp_dir d);
void tp_conn_set_time_wait_ns(tp_conntable *t, tp_conn *c, tp_dir d, int64_t ns);
uint32_t tp_conn_syn_count(const tp_conntable *t, const tp_conn *c);
void tp_conn_count_syn(tp_conntable *t, tp_conn *c, uint32_t frame);
uint32_t tp_conn_first_syn_frame(const tp_conntable *t, const tp_conn *c);

/* The slow halves of the three below, which run for every segment and so are inline. */
void tp_conn_carry_frames(tp_conntable *t, tp_conn *c, tp_dir d);
void tp_conn_carry_bytes(tp_conntable *t, tp_conn *c, tp_dir d);
void tp_conn_move_last_ns(tp_conntable *t, tp_conn *c, int64_t ns);

/* One more segment from d: 16 bits in the record, as few connections send 65536 segments in
 * a direction; the carries in the side record. Below 2^32 in all, as frame numbers are. */
static inline void tp_conn_count_frame(tp_conntable *t, tp_conn *c, tp_dir d)
{
    if (++c->frames[d] == 0)
        tp_conn_carry_frames(t, c, d);
}

/* A 64-bit count (2^32 frames of up to 2^32 bytes), its carries in the side record. */
static inline void tp_conn_add_bytes(tp_conntable *t, tp_conn *c, tp_dir d, uint32_t len)
{
    uint32_t sum = c->bytes[d] + len;
    c->bytes[d] = sum;
    if (sum < len)
        tp_conn_carry_bytes(t, c, d);
}

/* The time of the connection's last segment. A TIME-WAIT entry kept relative to it moves
 * along (side.c); only connections in TIME-WAIT have that to do. */
static inline void tp_conn_set_last_ns(tp_conntable *t, tp_conn *c, int64_t ns)
{
    if (c->tw_used && !c->tw_spilled)
        tp_conn_move_last_ns(t, c, ns);
    else
        c->last_ns = ns;
}

#endif
