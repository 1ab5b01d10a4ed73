/*
 * tcpphase engine: findings (the expert items). Immediate findings are stored per frame when
 * the frame is first fed, with their message already written, because the message reports the
 * connection as it was at that moment. Frames are fed in increasing order, so the store is an
 * array sorted by frame.
 */
#include "internal.h"

typedef struct stored_finding {
    uint32_t frame;
    uint8_t kind;
    char *message;
} stored_finding;

struct tp_findings {
    GArray *list; /* stored_finding, sorted by frame */
};

static void clear_finding(gpointer p)
{
    g_free(((stored_finding *)p)->message);
}

tp_findings *tp_findings_new(void)
{
    tp_findings *f = g_new0(tp_findings, 1);
    f->list = g_array_new(FALSE, FALSE, sizeof(stored_finding));
    g_array_set_clear_func(f->list, clear_finding);
    return f;
}

void tp_findings_free(tp_findings *f)
{
    if (!f)
        return;
    g_array_free(f->list, TRUE);
    g_free(f);
}

/* Takes ownership of message. */
void tp_findings_add(tp_findings *f, uint32_t frame, tp_finding_kind kind, char *message)
{
    stored_finding s = {.frame = frame, .kind = (uint8_t)kind, .message = message};
    g_array_append_val(f->list, s);
}

static guint first_at_or_after(const GArray *list, uint32_t frame)
{
    guint lo = 0, hi = list->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(list, stored_finding, mid).frame < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t tp_findings_of(const tp_findings *f, uint32_t frame, tp_finding *out, size_t max)
{
    size_t n = 0;
    for (guint i = first_at_or_after(f->list, frame); i < f->list->len && n < max; i++) {
        const stored_finding *s = &g_array_index(f->list, stored_finding, i);
        if (s->frame != frame)
            break;
        out[n].kind = (tp_finding_kind)s->kind;
        out[n].frame = frame;
        g_strlcpy(out[n].message, s->message, sizeof out[n].message);
        n++;
    }
    return n;
}

char *tp_msg_half_open(const tp_conn *c, tp_half_open_kind kind, tp_dir sender)
{
    switch (kind) {
    case TP_HALF_OPEN_SYN_UNANSWERED:
        return g_strdup_printf("Half-open: SYN never answered (%u SYN%s sent, no SYN-ACK or RST "
                               "from the server in the capture)",
                               c->syn_count, c->syn_count == 1 ? "" : "s");
    case TP_HALF_OPEN_SYNACK_UNACKED:
        return g_strdup("Half-open: SYN-ACK never acknowledged (the client sent no ACK for it "
                        "in the capture; the server holds a half-made connection)");
    case TP_HALF_OPEN_PEER_LOST_STATE:
        return g_strdup_printf("Half-open: the %s answered in-window traffic of an established "
                               "connection with a RST without ACK: it had lost the connection's "
                               "state (RFC 9293 3.5.2)",
                               tp_dir_name(sender));
    case TP_HALF_OPEN_CHALLENGE_ACK:
        return g_strdup_printf("Half-open: a SYN on a synchronized 4-tuple answered by a "
                               "challenge ACK: the %s still holds the old connection, the %s had "
                               "lost it (RFC 9293 3.5.2, RFC 5961 4)",
                               tp_dir_name(sender), tp_dir_name(TP_PEER(sender)));
    }
    return g_strdup("Half-open");
}

char *tp_msg_half_closed(tp_dir sender)
{
    return g_strdup_printf("Half-closed: the %s sends data after the %s's FIN (it is in "
                           "CLOSE-WAIT; RFC 9293 3.6)",
                           tp_dir_name(sender), tp_dir_name(TP_PEER(sender)));
}

/* Payload bytes acknowledged between acknowledgment numbers from and to: a FIN of the peer's
 * in that range occupies a sequence number but carries no byte. */
static uint32_t payload_between(const tp_endpoint *peer, uint32_t from, uint32_t to)
{
    uint32_t n = tp_seq_lt(from, to) ? to - from : 0;
    if (n && peer->fin_seen && tp_seq_le(from, peer->fin_seq) && tp_seq_lt(peer->fin_seq, to))
        n--;
    return n;
}

/* What the RST's sender had received, in all and since it last sent payload itself: data its
 * application may never have read, which RFC 1122 4.2.2.13 makes the reason for the RST. */
static char *unread_bytes(const tp_endpoint *ep, const tp_endpoint *peer, const tp_segment *seg)
{
    if (!ep->data_ack_seen)
        return g_strdup("an unknown number of bytes");
    uint32_t acked = ep->max_ack;
    if (seg->flags & TP_ACK)
        acked = tp_seq_max(acked, seg->ack);
    uint32_t since = payload_between(peer, ep->ack_at_last_data, acked);
    if (!peer->syn_seen)
        return g_strdup_printf("%u bytes after its own last data", since);
    return g_strdup_printf("%u bytes (%u after its own last data)",
                           payload_between(peer, peer->isn + 1, acked), since);
}

static char *unacked_bytes(const tp_endpoint *ep, const tp_endpoint *peer)
{
    if (!ep->seq_seen || !peer->ack_seen)
        return g_strdup("an unknown number of");
    uint32_t n = tp_seq_lt(peer->max_ack, ep->snd_nxt) ? ep->snd_nxt - peer->max_ack : 0;
    return g_strdup_printf("%u", n);
}

char *tp_msg_rst_instead_of_fin(const tp_conn *c, tp_dir sender, const tp_segment *seg)
{
    const tp_endpoint *ep = &c->ep[sender], *peer = &c->ep[TP_PEER(sender)];
    char *unread = unread_bytes(ep, peer, seg), *unacked = unacked_bytes(ep, peer);
    char *m = g_strdup_printf("RST instead of FIN from the %s: it had received %s; a close with "
                              "unread data (RFC 1122 4.2.2.13) or SO_LINGER 0 does this; %s "
                              "bytes of its own unacknowledged",
                              tp_dir_name(sender), unread, unacked);
    g_free(unread);
    g_free(unacked);
    return m;
}

char *tp_msg_rst_after_fin(const tp_conn *c, tp_dir sender)
{
    tp_dir peer = TP_PEER(sender);
    return g_strdup_printf("RST after FIN from the %s: it had closed, and the %" G_GUINT64_FORMAT
                           " bytes the %s sent after that FIN are lost (data-loss RST of the "
                           "half-duplex close, RFC 1122 4.2.2.13)",
                           tp_dir_name(sender), c->ep[peer].bytes_after_peer_fin,
                           tp_dir_name(peer));
}

static const char *holders_name(unsigned holders)
{
    switch (holders) {
    case 1u << TP_CLIENT:
        return "the client";
    case 1u << TP_SERVER:
        return "the server";
    default:
        return "both sides";
    }
}

/* Linux (tcp_timewait_state_process) and RFC 6191 accept a SYN in TIME-WAIT when its ISN is
 * above the old connection's last sequence number or its timestamp is newer. */
static const char *verdict(const tp_tw_facts *tw)
{
    if (!(tw->holders & (1u << TP_SERVER)))
        return "the client's own stack reused it";
    if (tw->isn_above || tw->ts_newer)
        return "a conforming server accepts it";
    return "a conforming server refuses it";
}

char *tp_msg_time_wait_reuse(const tp_tw_facts *tw)
{
    if (tw->elapsed_s < 0) /* the capture's clock went backwards: no interval to give */
        return g_strdup_printf("TIME-WAIT reuse: SYN on the 4-tuple of connection %u, held by "
                               "%s, at a capture time before its close (times out of order)",
                               tw->old_conn, holders_name(tw->holders));
    return g_strdup_printf("TIME-WAIT reuse: SYN %.3f s after connection %u closed (TIME-WAIT "
                           "%.0f s), held by %s; ISN %s the old final seq, timestamp %s: %s "
                           "(RFC 6191)",
                           tw->elapsed_s, tw->old_conn, tw->period_s, holders_name(tw->holders),
                           tw->isn_above ? "above" : "not above",
                           !tw->ts_known  ? "absent"
                           : tw->ts_newer ? "newer"
                                          : "not newer",
                           verdict(tw));
}
