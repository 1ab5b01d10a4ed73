/*
 * tcpphase engine: the common segment's short route (fastpath.c). Data or an ACK inside an
 * established connection, in order, with nothing awaited: every stage of engine.c's step would
 * find nothing to do, so it goes straight to the record.
 */
#ifndef TCPPHASE_FASTPATH_H
#define TCPPHASE_FASTPATH_H

#include "conntable.h"
#include "coverage.h"
#include "results.h"

/*
 * Is seg the common segment of c, the 4-tuple's latest incarnation (tp_conntable_find)? Each
 * condition is what one stage needs to be a no-op; fastpath.c says which and why. Inline, as
 * every segment asks; the tests read only the record's flag bytes and a few sequence numbers.
 */
static inline bool tp_fast_path(const tp_config *cfg, const tp_conn *c, const tp_segment *seg)
{
    tp_dir dir = tp_conn_dir(c, seg);
    const tp_endpoint *me = &c->ep[dir], *peer = &c->ep[TP_PEER(dir)];

    /* Data or a bare ACK, no control flag (URG and PSH move nothing). */
    if ((seg->flags & (TP_SYN | TP_FIN | TP_RST | TP_ACK)) != TP_ACK)
        return false;
    /* The connection: the latest incarnation's own, established both ways, nothing pending. */
    if (cfg->full_path || c->has_prev || cfg->zeek_sessions || c->challenge_pending ||
        c->odd_kind != TP_ODD_NONE || me->state != TP_ESTABLISHED || peer->state != TP_ESTABLISHED)
        return false;
    /* No FIN seen, implied or held either way. */
    if (me->fin_seen || peer->fin_seen || me->fin_held || peer->fin_held || me->fin_implied ||
        peer->fin_implied)
        return false;
    /* The handshake's last fact: a client acknowledging the server's SYN completes it. */
    if (!c->synack_acked && dir == TP_CLIENT && peer->syn_seen && tp_seq_lt(peer->isn, seg->ack))
        return false;
    /* In order: nothing of its own skipped, nothing of the peer's acknowledged unseen; a peer
     * never seen (one direction) is read from this side's acknowledgments (evidence.c). */
    if ((me->seq_seen && tp_seq_lt(me->snd_nxt, seg->seq)) || !peer->seq_seen ||
        tp_seq_lt(peer->snd_nxt, seg->ack))
        return false;
    /* Not a keep-alive: one below what the peer acknowledged (keepalive.h). */
    return !(seg->len <= 1 && peer->ack_seen && seg->seq + 1 == peer->max_ack);
}

/* The short route for such a segment: fills r and updates c (its endpoints, counts, Zeek's
 * view) and the coverage exactly as the full step would. */
void tp_fast_step(const tp_results *rs, tp_conntable *t, tp_coverage *v, tp_conn *c,
                  const tp_segment *seg, tp_result *r);

#endif
