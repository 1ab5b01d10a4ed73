/*
 * tcpphase engine: the facts of a connection split between its record (tp_conn) and its side
 * record (tp_side), read and written whole here so that the rest of the engine never sees the
 * split.
 *
 * Why split: the record is per connection and a capture holds millions, while these facts are
 * set for few connections (measured on the bench mix: a later incarnation for 6 %, data after
 * the peer's FIN for 12 %, both endpoints in TIME-WAIT, 4 GiB in one direction, 256 SYNs or a
 * first SYN after the first frame for almost none). The record keeps the common part (the low
 * bits of a count, one TIME-WAIT time, the first frame as the first SYN's) and the side records
 * (conn.h), allocated the first time a fact does not fit, hold the rest. Values are exact
 * either way.
 */
#include "side.h"

uint32_t tp_conn_incarnation(const tp_conntable *t, const tp_conn *c)
{
    const tp_side *s = tp_conntable_side(t, c);
    return s && s->incarnation ? s->incarnation : 1;
}

/* Only later incarnations (n > 1) need a side record; a new record reads as the first. */
void tp_conn_set_incarnation(tp_conntable *t, tp_conn *c, uint32_t n)
{
    if (n != 1 || tp_conntable_side(t, c))
        tp_conntable_side_new(t, c)->incarnation = n;
}

uint32_t tp_conn_prev_id(const tp_conntable *t, const tp_conn *c)
{
    return c->has_prev ? tp_conntable_more(t, c)->prev_id : 0;
}

void tp_conn_set_prev_id(tp_conntable *t, tp_conn *c, uint32_t id)
{
    if (!id && !c->has_prev)
        return;
    tp_conntable_more_new(t, c)->prev_id = id;
    c->has_prev = id != 0;
}

uint64_t tp_conn_bytes(const tp_conntable *t, const tp_conn *c, tp_dir d)
{
    const tp_side_more *m = tp_conntable_more(t, c);
    return ((uint64_t)(m ? m->bytes_hi[d] : 0) << 32) | c->bytes[d];
}

/* tp_conn_add_bytes (side.h) when the low 32 bits wrapped: a carry. */
void tp_conn_carry_bytes(tp_conntable *t, tp_conn *c, tp_dir d)
{
    tp_conntable_more_new(t, c)->bytes_hi[d]++;
}

uint32_t tp_conn_frames(const tp_conntable *t, const tp_conn *c, tp_dir d)
{
    const tp_side_more *m = tp_conntable_more(t, c);
    return ((m ? m->frames_hi[d] : 0) << 16) | c->frames[d];
}

/* tp_conn_count_frame (side.h) when the low 16 bits wrapped. */
void tp_conn_carry_frames(tp_conntable *t, tp_conn *c, tp_dir d)
{
    tp_conntable_more_new(t, c)->frames_hi[d]++;
}

uint64_t tp_conn_bytes_after_peer_fin(const tp_conntable *t, const tp_conn *c, tp_dir d)
{
    const tp_side *s = tp_conntable_side(t, c);
    const tp_side_more *m = tp_conntable_more(t, c);
    return ((uint64_t)(m ? m->bytes_after_peer_fin_hi[d] : 0) << 32) |
           (s ? s->bytes_after_peer_fin[d] : 0);
}

/* A 64-bit count like tp_conn_add_bytes. */
void tp_conn_add_bytes_after_peer_fin(tp_conntable *t, tp_conn *c, tp_dir d, uint32_t len)
{
    tp_side *s = tp_conntable_side_new(t, c);
    uint32_t sum = s->bytes_after_peer_fin[d] + len;
    s->bytes_after_peer_fin[d] = sum;
    if (sum < len)
        tp_conntable_more_new(t, c)->bytes_after_peer_fin_hi[d]++;
}

/*
 * TIME-WAIT entries. The record keeps one, the first endpoint's, as its distance before the
 * connection's last segment in 32 bits (4.29 s): TIME-WAIT begins at a segment of the
 * connection, and the few segments after it (the final ACK, a retransmitted FIN) follow within
 * round-trip times, so the distance fits; when it does not (a segment long after, or capture
 * times going backwards), the entry moves to the side record. The other endpoint's entry (a
 * simultaneous close, RFC 9293 3.6 case 3) is in the side record.
 */
static void keep_time_wait(tp_conntable *t, tp_conn *c, int64_t ns)
{
    /* Times are within +-2^62 (engine.c), so the difference does not overflow. */
    int64_t back = c->last_ns - ns;
    c->tw_spilled = back < 0 || back > (int64_t)UINT32_MAX;
    if (c->tw_spilled)
        tp_conntable_more_new(t, c)->time_wait_ns[c->tw_dir] = ns;
    else
        c->tw_back = (uint32_t)back;
}

/* 0 if the endpoint never entered TIME-WAIT in this incarnation (as a zeroed record read). */
int64_t tp_conn_time_wait_ns(const tp_conntable *t, const tp_conn *c, tp_dir d)
{
    if (c->tw_used && c->tw_dir == d && !c->tw_spilled)
        return c->last_ns - c->tw_back;
    const tp_side_more *m = tp_conntable_more(t, c);
    return m ? m->time_wait_ns[d] : 0;
}

void tp_conn_set_time_wait_ns(tp_conntable *t, tp_conn *c, tp_dir d, int64_t ns)
{
    if (!c->tw_used || c->tw_dir == d) {
        c->tw_used = true;
        c->tw_dir = (uint8_t)d;
        keep_time_wait(t, c, ns);
    } else {
        tp_conntable_more_new(t, c)->time_wait_ns[d] = ns;
    }
}

/* tp_conn_set_last_ns (side.h) with a TIME-WAIT entry relative to last_ns. */
void tp_conn_move_last_ns(tp_conntable *t, tp_conn *c, int64_t ns)
{
    int64_t entered = c->last_ns - c->tw_back;
    c->last_ns = ns;
    keep_time_wait(t, c, entered);
}

uint32_t tp_conn_syn_count(const tp_conntable *t, const tp_conn *c)
{
    const tp_side_more *m = tp_conntable_more(t, c);
    /* Below 2^32: one per frame, and frames are below UINT32_MAX. */
    return ((m ? m->syn_count_hi : 0) << 8) | c->syn_count;
}

/* One more client SYN, in frame; the first one's frame is kept. */
void tp_conn_count_syn(tp_conntable *t, tp_conn *c, uint32_t frame)
{
    if (tp_conn_first_syn_frame(t, c) == 0) {
        if (frame == c->first_frame)
            c->syn_first = true;
        else
            tp_conntable_more_new(t, c)->first_syn_frame = frame;
    }
    if (++c->syn_count == 0)
        tp_conntable_more_new(t, c)->syn_count_hi++;
}

/* 0: no client SYN (frames count from 1). */
uint32_t tp_conn_first_syn_frame(const tp_conntable *t, const tp_conn *c)
{
    if (c->syn_first)
        return c->first_frame;
    const tp_side_more *m = tp_conntable_more(t, c);
    return m ? m->first_syn_frame : 0;
}
