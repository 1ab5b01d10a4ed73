/*
 * tcpphase engine: incarnations of a 4-tuple. Which connection a segment belongs to: the
 * 4-tuple's latest, a new one it opens, or the previous one whose holder still answers for it.
 *
 * A SYN with a new ISN on a 4-tuple opens a new incarnation. The peer may still hold the old
 * one: in TIME-WAIT (RFC 9293 3.6.1, RFC 6191) or, if the SYN's sender lost its state, in a
 * synchronized state (RFC 9293 3.5.2). Until the peer answers the new SYN, its segments that do
 * not acknowledge that SYN (a TIME-WAIT or challenge ACK with the old numbers), and the RST the
 * SYN's sender returns from those old numbers, belong to the old connection; they end it.
 */
#include "incarnation.h"

#include "probe.h"
#include "side.h"
#include "zeek_conn.h"

#include <string.h>

#define NS_PER_S 1000000000.0

/* A connection request: SYN without ACK. With RST or FIN as well it is no request but a
 * probe (probe.c). */
static bool is_syn(const tp_segment *seg)
{
    return (seg->flags & (TP_SYN | TP_ACK | TP_RST | TP_FIN)) == TP_SYN;
}

static bool is_syn_ack(const tp_segment *seg)
{
    return (seg->flags & (TP_SYN | TP_ACK | TP_RST | TP_FIN)) == (TP_SYN | TP_ACK);
}

/* Who is the client of a connection this segment opens. RFC 9293 3.5: the sender of the
 * first SYN. Picked up mid-stream, services listen on the lower port and clients use
 * ephemeral ones, so the lower port is the server's (equal ports: the first sender is the
 * client). */
static tp_dir opener_side(const tp_segment *seg)
{
    if (is_syn(seg) || is_syn_ack(seg))
        return is_syn(seg) ? TP_CLIENT : TP_SERVER;
    if (tp_probe_flags(seg->flags)) /* a probe's sender tries the port, as a SYN's does */
        return TP_CLIENT;
    return seg->sport < seg->dport ? TP_SERVER : TP_CLIENT;
}

/* Seconds from one capture time to another, in floating point: a hostile capture's times may
 * be anywhere in int64_t, where a difference would overflow. */
static double seconds(int64_t from, int64_t to)
{
    return ((double)to - (double)from) / NS_PER_S;
}

/* Is endpoint d of c in a TIME-WAIT that has not run out by now? */
static bool time_wait_live(const tp_conntable *t, const tp_config *cfg, const tp_conn *c, tp_dir d,
                           int64_t now)
{
    return c->ep[d].state == TP_TIME_WAIT &&
           seconds(tp_conn_time_wait_ns(t, c, d), now) < cfg->time_wait_s;
}

/* Still holding the old connection: in TIME-WAIT, or synchronized and not closed. */
static bool holds(const tp_conntable *t, const tp_config *cfg, const tp_conn *c, tp_dir d,
                  int64_t now)
{
    tp_state s = (tp_state)c->ep[d].state;
    return time_wait_live(t, cfg, c, d, now) || (tp_state_synchronized(s) && s != TP_TIME_WAIT);
}

/* Does this segment start a new incarnation of its 4-tuple's latest connection c? */
static bool starts_incarnation(const tp_config *cfg, const tp_conn *c, const tp_segment *seg)
{
    if (cfg->zeek_sessions)
        return tp_zeek_new_session(&c->zeek, c, seg); /* Zeek's boundaries instead (zeek.h) */
    tp_dir d = tp_conn_dir(c, seg);
    const tp_endpoint *sender = &c->ep[d], *peer = &c->ep[TP_PEER(d)];
    /* A SYN-ACK with a new ISN answers a new SYN the capture does not show (one direction
     * only, or the SYN missed): no stack answers a SYN with a SYN-ACK while it holds the old
     * connection (RFC 9293 3.10.7.4 answers it with an ACK), so the new incarnation starts
     * there, and whatever state the capture left the old one in, its sender had left it. Only
     * once the old one had got past its handshake: before that, a SYN-ACK with another ISN
     * answers the same SYN after an unacceptable one (3.5 fig. 9). */
    if (is_syn_ack(seg) && sender->syn_seen && seg->seq != sender->isn &&
        (tp_state_synchronized((tp_state)sender->state) || sender->state == TP_CLOSED))
        return true;
    if (!is_syn(seg)) {
        /* After the 4-tuple has been free for a TIME-WAIT period, traffic without a SYN is a
         * new connection picked up mid-stream, not a straggler of the old one. */
        return tp_conn_ended(c) && seconds(c->last_ns, seg->time_ns) > cfg->time_wait_s;
    }
    if (sender->syn_seen && seg->seq == sender->isn)
        return false; /* a retransmitted SYN */
    if (!sender->syn_seen && peer->state == TP_SYN_SENT && !tp_conn_ended(c))
        return false; /* simultaneous open: the answer's own SYN */
    return true;
}

/* The direction, in the old incarnation, of the endpoint at new side d's address and port. */
static tp_dir old_dir(const tp_conn *old, const tp_conn *c, tp_dir d)
{
    return tp_conn_same_endpoint(old, d, c, d) ? d : TP_PEER(d);
}

static tp_tw_facts time_wait_facts(const tp_conntable *t, const tp_config *cfg, const tp_conn *old,
                                   const tp_conn *c, const tp_segment *syn)
{
    tp_tw_facts tw = {.old_conn = old->id};
    const tp_endpoint *sender_old = &old->ep[old_dir(old, c, TP_CLIENT)];
    int64_t since = INT64_MAX;

    for (int d = TP_CLIENT; d <= TP_SERVER; d++) {
        tp_dir od = old_dir(old, c, (tp_dir)d);
        if (time_wait_live(t, cfg, old, od, syn->time_ns)) {
            int64_t entered = tp_conn_time_wait_ns(t, old, od);
            tw.holders |= (uint8_t)(1u << d);
            since = entered < since ? entered : since;
        }
    }
    tw.elapsed_s = tw.holders ? seconds(since, syn->time_ns) : 0;
    tw.isn_above = sender_old->seq_seen && tp_seq_lt(sender_old->snd_nxt, syn->seq);
    tw.ts_cut = syn->options_cut || (!sender_old->has_ts && sender_old->options_cut);
    tw.ts_known = !tw.ts_cut && sender_old->has_ts && syn->has_ts;
    tw.ts_newer = tw.ts_known && tp_seq_lt(sender_old->last_tsval, syn->tsval);
    return tw;
}

/*
 * The new incarnation starts from what the old one left: a SYN's sender reusing its own
 * TIME-WAIT starts from TIME-WAIT (RFC 6191); a peer still holding the old connection keeps
 * that state until its answer says otherwise, and answers for the old connection meanwhile.
 */
static void inherit(tp_conntable *t, const tp_config *cfg, tp_conn *c, tp_conn *old,
                    const tp_segment *seg)
{
    tp_dir self = old_dir(old, c, TP_CLIENT), holder = old_dir(old, c, TP_SERVER);

    if (time_wait_live(t, cfg, old, self, seg->time_ns)) {
        c->ep[TP_CLIENT].state = TP_TIME_WAIT;
        old->ep[self].state = TP_CLOSED; /* its TIME-WAIT is the new connection's now */
    } else if (tp_state_synchronized((tp_state)old->ep[self].state)) {
        /* One connection per socket pair (RFC 9293 3.1): a SYN with a new ISN proves its
         * sender has left the old one, lost (3.5.2) or given up (an orphaned FIN-WAIT-2). */
        old->ep[self].state = TP_CLOSED;
    }
    if (!holds(t, cfg, old, holder, seg->time_ns))
        return;
    c->ep[TP_SERVER].state = old->ep[holder].state;
    tp_conn_set_prev_id(t, c, old->id);
    c->prev_holder = (uint8_t)holder;
    /* RFC 5961 4: a SYN in a synchronized state is answered by a challenge ACK. */
    if (old->ep[holder].state != TP_TIME_WAIT) {
        old->challenge_pending = true;
        old->challenge_dir = (uint8_t)holder;
    }
}

static tp_conn *open_conn(tp_conntable *t, tp_findings *f, const tp_config *cfg, tp_conn *old,
                          const tp_segment *seg, tp_result *r)
{
    tp_conn *c = tp_conntable_open(t, seg, opener_side(seg), old);
    tp_conn_set_incarnation(t, c, old ? tp_conn_incarnation(t, old) + 1 : 1);

    if (is_syn(seg) || is_syn_ack(seg))
        c->ep[TP_CLIENT].state = is_syn(seg) ? TP_CLOSED : TP_UNKNOWN;
    else
        c->mid_stream = true;
    if (old && is_syn(seg)) {
        tp_tw_facts tw = time_wait_facts(t, cfg, old, c, seg);
        inherit(t, cfg, c, old, seg);
        if (tw.holders) {
            tp_findings_time_wait_reuse(f, seg->frame, &tw);
            r->findings |= 1u << TP_FIND_TIME_WAIT_REUSE;
        }
    }
    return c;
}

/* Does a segment of new incarnation c answer for the previous one (see the top)? */
static bool answers_previous(const tp_conn *c, const tp_conn *old, const tp_segment *seg)
{
    const tp_endpoint *holder = &old->ep[c->prev_holder];

    if (tp_conn_dir(c, seg) == TP_SERVER)
        return !(seg->flags & TP_SYN) && !tp_endpoint_acks_syn(&c->ep[TP_CLIENT], seg);
    return (seg->flags & (TP_RST | TP_SYN)) == TP_RST && holder->ack_seen &&
           seg->seq == holder->max_ack;
}

/* tp_incarnation_of when the segment may not be the latest incarnation's own (see below). */
G_GNUC_NO_INLINE static tp_placement place(tp_conntable *t, tp_findings *f, const tp_config *cfg,
                                           const tp_segment *seg, tp_conn *c, tp_result *r)
{
    if (c && c->has_prev) {
        tp_conn *old = tp_conntable_get(t, tp_conn_prev_id(t, c));
        if (old && answers_previous(c, old, seg))
            return (tp_placement){.conn = old, .latest = c};
    }
    if (!c || starts_incarnation(cfg, c, seg))
        c = open_conn(t, f, cfg, c, seg, r);
    return (tp_placement){.conn = c, .latest = c};
}

/*
 * c is the segment's 4-tuple's latest incarnation (tp_conntable_find), or NULL: one table look-up
 * per segment serves the choice here and the settling after the segment (tp_incarnation_settle),
 * since only opening a connection changes the table.
 *
 * Most segments are neither SYNs (nor SYN-ACKs) nor after the end of their connection, and their
 * connection has no previous incarnation still answering: they are the latest incarnation's. That
 * case is decided first, with nothing called (starts_incarnation's rule for a segment without SYN,
 * with its time test unneeded), so that it needs no stack frame; place() does the rest.
 */
tp_placement tp_incarnation_of(tp_conntable *t, tp_findings *f, const tp_config *cfg,
                               const tp_segment *seg, tp_conn *c, tp_result *r)
{
    if (c && !c->has_prev && !cfg->zeek_sessions && !(seg->flags & TP_SYN) && !tp_conn_ended(c))
        return (tp_placement){.conn = c, .latest = c};
    return place(t, f, cfg, seg, c, r);
}

/*
 * After a segment: once the holder has let the old connection go (a RST ended it there), the
 * new incarnation's peer starts from that; once the peer answered the new SYN (or anything
 * else moved it in the new incarnation), the old connection's holder is gone.
 */
void tp_incarnation_settle(tp_conntable *t, const tp_placement *p)
{
    tp_conn *c = p->latest;
    tp_conn *old = c->has_prev ? tp_conntable_get(t, tp_conn_prev_id(t, c)) : NULL;

    if (!old)
        return;
    tp_endpoint *holder = &old->ep[c->prev_holder];
    if (p->conn == old && holder->state != c->ep[TP_SERVER].state) {
        c->ep[TP_SERVER].state = holder->state;
        tp_conn_set_prev_id(t, c, 0);
    } else if (p->conn == c && holder->state != c->ep[TP_SERVER].state) {
        holder->state = TP_CLOSED;
        tp_conn_set_prev_id(t, c, 0);
    }
}
