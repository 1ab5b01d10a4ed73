/*
 * tcpphase engine: findings (the expert items). Immediate findings are stored per frame when
 * the frame is first fed, as the facts their message reports, because the message reports the
 * connection as it was at that moment; the text is written when the finding is read. Frames
 * are fed in increasing order, so the store is an array sorted by frame.
 */
#include "findings.h"

#include "probe.h"

#include <stdio.h>
#include <string.h>

/* What a RST-instead-of-FIN message reports (unread_bytes, unacked_bytes below). */
typedef struct rst_facts {
    uint32_t unread, since, unacked;
    bool unread_known : 1; /* the sender had acknowledged something when it last sent data */
    bool total_known : 1;  /* and the peer's SYN is known, so the whole can be counted */
    bool unacked_known : 1;
} rst_facts;

/* 24 bytes: what the message needs and no more. */
typedef struct stored_finding {
    uint32_t frame;
    uint8_t kind;   /* tp_finding_kind */
    uint8_t sender; /* tp_dir */
    uint8_t sub;    /* tp_half_open_kind (half-open); the TP_GAP_BIT index (capture gap); the
                       lost segment's tp_role (not delivered) */
    union {
        rst_facts rst; /* TP_FIND_RST_INSTEAD_OF_FIN */
        uint64_t lost; /* TP_FIND_RST_AFTER_FIN: the peer's bytes after the FIN */
        struct {       /* TP_FIND_TIME_WAIT_REUSE: tp_tw_facts, packed */
            double elapsed_s;
            uint32_t old_conn;
            uint8_t holders;
            bool isn_above : 1, ts_known : 1, ts_newer : 1, ts_cut : 1;
        } tw;
        struct { /* TP_FIND_NOT_DELIVERED: the segment lost, its role in sub */
            uint32_t frame;
            uint8_t restored; /* tp_state: its receiver's state from the proof on */
            uint8_t resent;   /* tp_resent: what the proving segment sent again */
        } lost_segment;
    } u;
} stored_finding;

struct tp_findings {
    GArray *list;    /* stored_finding, sorted by frame */
    double period_s; /* the TIME-WAIT period, which the reuse message reports */
};

tp_findings *tp_findings_new(const tp_config *cfg)
{
    tp_findings *f = g_new0(tp_findings, 1);
    f->list = g_array_new(FALSE, FALSE, sizeof(stored_finding));
    f->period_s = cfg->time_wait_s;
    return f;
}

void tp_findings_free(tp_findings *f)
{
    if (!f)
        return;
    g_array_free(f->list, TRUE);
    g_free(f);
}

static stored_finding *add(tp_findings *f, uint32_t frame, tp_finding_kind kind, tp_dir sender)
{
    stored_finding s;
    memset(&s, 0, sizeof s);
    s.frame = frame;
    s.kind = (uint8_t)kind;
    s.sender = (uint8_t)sender;
    g_array_append_val(f->list, s);
    return &g_array_index(f->list, stored_finding, f->list->len - 1);
}

void tp_findings_half_open(tp_findings *f, uint32_t frame, tp_half_open_kind kind, tp_dir sender)
{
    add(f, frame, TP_FIND_HALF_OPEN, sender)->sub = (uint8_t)kind;
}

void tp_findings_probe(tp_findings *f, uint32_t frame, uint8_t flags, tp_dir sender)
{
    add(f, frame, TP_FIND_PROBE, sender)->sub = flags;
}

void tp_findings_half_closed(tp_findings *f, uint32_t frame, tp_dir sender)
{
    add(f, frame, TP_FIND_HALF_CLOSED, sender);
}

void tp_findings_time_wait_reuse(tp_findings *f, uint32_t frame, const tp_tw_facts *tw)
{
    stored_finding *s = add(f, frame, TP_FIND_TIME_WAIT_REUSE, TP_CLIENT);
    s->u.tw.elapsed_s = tw->elapsed_s;
    s->u.tw.old_conn = tw->old_conn;
    s->u.tw.holders = tw->holders;
    s->u.tw.isn_above = tw->isn_above;
    s->u.tw.ts_known = tw->ts_known;
    s->u.tw.ts_cut = tw->ts_cut;
    s->u.tw.ts_newer = tw->ts_newer;
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

void tp_findings_not_delivered(tp_findings *f, uint32_t frame, tp_dir from, uint32_t lost,
                               tp_role role, tp_resent resent, tp_state restored)
{
    stored_finding *s = add(f, frame, TP_FIND_NOT_DELIVERED, from);
    s->sub = (uint8_t)role;
    s->u.lost_segment.resent = (uint8_t)resent;
    s->u.lost_segment.frame = lost;
    s->u.lost_segment.restored = (uint8_t)restored;
}

char *tp_findings_not_delivered_text(const tp_findings *f, uint32_t frame, char *out, size_t size)
{
    size_t len = 0;

    if (size == 0)
        return out;
    out[0] = '\0';
    for (guint i = first_at_or_after(f->list, frame); i < f->list->len; i++) {
        const stored_finding *s = &g_array_index(f->list, stored_finding, i);
        if (s->frame != frame)
            break;
        /* A SYN-ACK repeated long after the ACK proves the ACK ignored, not lost. */
        if (s->kind != TP_FIND_NOT_DELIVERED || s->u.lost_segment.resent == TP_RESENT_SYN_ACK_LATE)
            continue;
        int n = snprintf(out + len, size - len, "%s%s %s, frame %u", len ? "; " : "",
                         tp_dir_name((tp_dir)s->sender), tp_role_name((tp_role)s->sub),
                         s->u.lost_segment.frame);
        if (n < 0 || (size_t)n >= size - len)
            break; /* cut: snprintf terminated it */
        len += (size_t)n;
    }
    return out;
}

/* The lost segment, and the retransmission that proves it: its receiver's, of the SYN,ACK
 * (restored to SYN-RECEIVED) or of the FIN it acknowledged (delivery.c). */
static char *msg_not_delivered(const stored_finding *s)
{
    tp_dir from = (tp_dir)s->sender, to = TP_PEER(from);
    tp_state restored = (tp_state)s->u.lost_segment.restored;
    static const char *const resent[] = {
        [TP_RESENT_SYN_ACK] = "its SYN-ACK",
        [TP_RESENT_FIN] = "its FIN",
        [TP_RESENT_DATA] = "data from before its FIN",
        [TP_RESENT_SYN_ACK_LATE] = "its SYN-ACK",
    };
    unsigned what =
        s->u.lost_segment.resent <= TP_RESENT_SYN_ACK_LATE ? s->u.lost_segment.resent : 0;

    if (what == TP_RESENT_SYN_ACK_LATE)
        return g_strdup_printf(
            "Not accepted: the %s's %s (frame %u) left the %s %s: its SYN-ACK repeats long "
            "after a retransmission timeout (a deferred accept, not a loss)",
            tp_dir_name(from), tp_role_name((tp_role)s->sub), s->u.lost_segment.frame,
            tp_dir_name(to), tp_state_name(restored));

    return g_strdup_printf("Not delivered: the %s's %s (frame %u) never reached the %s: it "
                           "retransmits %s, still %s (RFC 9293 3.8.1, 3.10.7.4)",
                           tp_dir_name(from), tp_role_name((tp_role)s->sub),
                           s->u.lost_segment.frame, tp_dir_name(to), resent[what],
                           tp_state_name(restored));
}

static char *message(const tp_findings *f, const stored_finding *s);

size_t tp_findings_of(const tp_findings *f, uint32_t frame, tp_finding *out, size_t max)
{
    size_t n = 0;
    for (guint i = first_at_or_after(f->list, frame); i < f->list->len && n < max; i++) {
        const stored_finding *s = &g_array_index(f->list, stored_finding, i);
        if (s->frame != frame)
            break;
        char *m = message(f, s);
        out[n].kind = (tp_finding_kind)s->kind;
        out[n].frame = frame;
        g_strlcpy(out[n].message, m, sizeof out[n].message);
        g_free(m);
        n++;
    }
    return n;
}

/* syn_count is read only for the hindsight SYN kind (engine.c); the immediate ones pass 0. */
char *tp_msg_syn_unanswered(uint32_t syn_count)
{
    return g_strdup_printf("SYN never answered (%u SYN%s sent, no SYN-ACK or RST from the "
                           "server in the capture): no connection on either host, so nothing "
                           "half-open (RFC 9293 3.5.2); filtered, or the server is down",
                           syn_count, syn_count == 1 ? "" : "s");
}

/* The second look at a FIN captured past data (order.c): the data was there, later. */
char *tp_msg_out_of_order(tp_dir owner, uint32_t filled_by)
{
    return g_strdup_printf("Out of order: the %s's data before this FIN is in the capture later, "
                           "from frame %u; its receiver takes the FIN once that data arrives (RFC "
                           "9293 3.10.7.4)",
                           tp_dir_name(owner), filled_by);
}

char *tp_msg_scan(const tp_scan_summary *s)
{
    char from[64], to[64];
    return g_strdup_printf("Port scan (%s) of %s by %s: %u port%s tried, %u open (SYN-ACK), %u "
                           "%s (RST), %u no answer; %u probe%s no state accepts",
                           tp_scan_type_name(s->type), tp_addr_text(&s->target, to, sizeof to),
                           tp_addr_text(&s->scanner, from, sizeof from), s->ports,
                           s->ports == 1 ? "" : "s", s->open, s->closed,
                           s->type == TP_SCAN_ACK ? "unfiltered" : "closed", s->silent, s->probes,
                           s->probes == 1 ? "" : "s");
}

char *tp_msg_probe(uint8_t flags, tp_dir sender)
{
    char text[64];
    return g_strdup_printf("Probe: %s from the %s, flags no TCP state accepts: dropped, or "
                           "answered by RST where no connection exists (RFC 9293 3.10.7); it "
                           "moves no state",
                           tp_probe_flags_text(flags, text, sizeof text), tp_dir_name(sender));
}

char *tp_msg_half_open(uint32_t syn_count, tp_half_open_kind kind, tp_dir sender)
{
    (void)syn_count;
    switch (kind) {
    case TP_HALF_OPEN_SYNACK_RESET:
        return g_strdup_printf("Half-open: the %s answered the SYN-ACK with a RST: it kept no "
                               "connection for its SYN (a SYN scan, or a connect() that gave "
                               "up), while the %s held a half-made one (RFC 9293 3.5.2)",
                               tp_dir_name(sender), tp_dir_name(TP_PEER(sender)));
    case TP_HALF_OPEN_SYNACK_UNACKED:
        return g_strdup("Half-open: SYN-ACK never acknowledged (the client sent no ACK for it "
                        "in the capture; the server holds a half-made connection)");
    case TP_HALF_OPEN_PEER_LOST_STATE:
        return g_strdup_printf("Half-open: the %s answered in-window traffic of an established "
                               "connection with a RST without ACK: it had lost the connection's "
                               "state (RFC 9293 3.5.2), or aborted it (3.10.4)",
                               tp_dir_name(sender));
    case TP_HALF_OPEN_CHALLENGE_ACK:
        return g_strdup_printf("Half-open: a SYN on a synchronized 4-tuple answered by a "
                               "challenge ACK: the %s still holds the old connection, the %s had "
                               "lost it (RFC 9293 3.5.2, RFC 5961 4)",
                               tp_dir_name(sender), tp_dir_name(TP_PEER(sender)));
    }
    return g_strdup("Half-open");
}

static char *msg_half_closed(tp_dir sender)
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
 * application may never have read, which RFC 1122 4.2.2.13 makes the reason for the RST; and
 * how much of its own was unacknowledged. */
void tp_findings_rst_instead_of_fin(tp_findings *f, uint32_t frame, const tp_conn *c, tp_dir sender,
                                    const tp_segment *seg)
{
    const tp_endpoint *ep = &c->ep[sender], *peer = &c->ep[TP_PEER(sender)];
    rst_facts *r = &add(f, frame, TP_FIND_RST_INSTEAD_OF_FIN, sender)->u.rst;

    if (ep->data_ack_seen) {
        uint32_t acked = ep->max_ack;
        if (seg->flags & TP_ACK)
            acked = tp_seq_max(acked, seg->ack);
        r->unread_known = true;
        r->since = payload_between(peer, ep->ack_at_last_data, acked);
        if (peer->syn_seen) {
            r->total_known = true;
            r->unread = payload_between(peer, peer->isn + 1, acked);
        }
    }
    if (ep->seq_seen && peer->ack_seen) {
        r->unacked_known = true;
        r->unacked = tp_seq_lt(peer->max_ack, ep->snd_nxt) ? ep->snd_nxt - peer->max_ack : 0;
    }
}

static char *unread_bytes(const rst_facts *r)
{
    if (!r->unread_known)
        return g_strdup("an unknown number of bytes");
    if (!r->total_known)
        return g_strdup_printf("%u bytes after its own last data", r->since);
    return g_strdup_printf("%u bytes (%u after its own last data)", r->unread, r->since);
}

static char *unacked_bytes(const rst_facts *r)
{
    if (!r->unacked_known)
        return g_strdup("an unknown number of");
    return g_strdup_printf("%u", r->unacked);
}

static char *msg_rst_instead_of_fin(const rst_facts *r, tp_dir sender)
{
    char *unread = unread_bytes(r), *unacked = unacked_bytes(r);
    char *m = g_strdup_printf("RST instead of FIN from the %s: it had received %s; a close with "
                              "unread data (RFC 1122 4.2.2.13) or SO_LINGER 0 does this; %s "
                              "bytes of its own unacknowledged",
                              tp_dir_name(sender), unread, unacked);
    g_free(unread);
    g_free(unacked);
    return m;
}

/* lost: the peer's bytes after the sender's FIN. */
void tp_findings_rst_after_fin(tp_findings *f, uint32_t frame, uint64_t lost, tp_dir sender)
{
    add(f, frame, TP_FIND_RST_AFTER_FIN, sender)->u.lost = lost;
}

static char *msg_rst_after_fin(uint64_t lost, tp_dir sender)
{
    tp_dir peer = TP_PEER(sender);
    return g_strdup_printf("RST after FIN from the %s: it had closed, and the %" G_GUINT64_FORMAT
                           " bytes the %s sent after that FIN are lost (data-loss RST of the "
                           "half-duplex close, RFC 1122 4.2.2.13)",
                           tp_dir_name(sender), (guint64)lost, tp_dir_name(peer));
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
static const char *verdict(unsigned holders, bool isn_above, bool ts_newer, bool ts_cut)
{
    if (!(holders & (1u << TP_SERVER)))
        return "the client's own stack reused it";
    if (isn_above || ts_newer)
        return "a conforming server accepts it";
    /* Without the timestamps a newer one cannot be ruled out: no guess (headers-only). */
    return ts_cut ? "acceptance cannot be told" : "a conforming server refuses it";
}

static char *msg_time_wait_reuse(const stored_finding *s, double period_s)
{
    double elapsed_s = s->u.tw.elapsed_s;
    unsigned holders = s->u.tw.holders;

    if (elapsed_s < 0) /* the capture's clock went backwards: no interval to give */
        return g_strdup_printf("TIME-WAIT reuse: SYN on the 4-tuple of connection %u, held by "
                               "%s, at a capture time before its close (times out of order)",
                               s->u.tw.old_conn, holders_name(holders));
    return g_strdup_printf("TIME-WAIT reuse: SYN %.3f s after connection %u closed (TIME-WAIT "
                           "%.0f s), held by %s; ISN %s the old final seq, timestamp %s: %s "
                           "(RFC 6191)",
                           elapsed_s, s->u.tw.old_conn, period_s, holders_name(holders),
                           s->u.tw.isn_above ? "above" : "not above",
                           s->u.tw.ts_cut      ? "not captured"
                           : !s->u.tw.ts_known ? "absent"
                           : s->u.tw.ts_newer  ? "newer"
                                               : "not newer",
                           verdict(holders, s->u.tw.isn_above, s->u.tw.ts_newer, s->u.tw.ts_cut));
}

void tp_findings_capture_gaps(tp_findings *f, uint32_t frame, uint32_t gaps, tp_dir sender)
{
    for (unsigned bit = 0; bit < 2 * TP_GAP_COUNT; bit++)
        if (gaps & (1u << bit))
            add(f, frame, TP_FIND_CAPTURE_GAP, sender)->sub = (uint8_t)bit;
}

uint32_t tp_findings_gaps(const tp_findings *f, uint32_t frame)
{
    uint32_t gaps = 0;
    for (guint i = first_at_or_after(f->list, frame); i < f->list->len; i++) {
        const stored_finding *s = &g_array_index(f->list, stored_finding, i);
        if (s->frame != frame)
            break;
        if (s->kind == TP_FIND_CAPTURE_GAP)
            gaps |= 1u << s->sub;
    }
    return gaps;
}

/* What the capture missed and the proof, as the evidence rules (evidence.c) read it. */
static char *msg_capture_gap(unsigned bit, tp_dir sender)
{
    tp_dir owner = bit >= TP_GAP_COUNT ? TP_SERVER : TP_CLIENT;
    const char *who = tp_dir_name(owner), *proof;

    switch ((tp_gap_kind)(bit % TP_GAP_COUNT)) {
    case TP_GAP_SYN_ACK:
        proof = "SYN-ACK: this segment acknowledges it and leaves SYN-SENT (RFC 9293 3.10.7.3)";
        break;
    case TP_GAP_HANDSHAKE_ACK:
        proof = "ACK of the SYN-ACK: data is sent or acknowledged here, only after it (RFC "
                "9293 3.10.2)";
        break;
    case TP_GAP_DATA:
        proof = owner == sender ? "data: this segment's sequence number skips it"
                                : "data: this segment acknowledges it";
        break;
    default:
        proof = "FIN: this segment acknowledges the one sequence number after its data "
                "(RFC 9293 3.10.7.4)";
        break;
    }
    return g_strdup_printf("Capture gap: not captured before this segment (missed, or out of "
                           "order): the %s's %s",
                           who, proof);
}

static char *message(const tp_findings *f, const stored_finding *s)
{
    tp_dir sender = (tp_dir)s->sender;

    switch ((tp_finding_kind)s->kind) {
    case TP_FIND_HALF_OPEN:
        return tp_msg_half_open(0, (tp_half_open_kind)s->sub, sender);
    case TP_FIND_HALF_CLOSED:
        return msg_half_closed(sender);
    case TP_FIND_TIME_WAIT_REUSE:
        return msg_time_wait_reuse(s, f->period_s);
    case TP_FIND_RST_INSTEAD_OF_FIN:
        return msg_rst_instead_of_fin(&s->u.rst, sender);
    case TP_FIND_RST_AFTER_FIN:
        return msg_rst_after_fin(s->u.lost, sender);
    case TP_FIND_CAPTURE_GAP:
        return msg_capture_gap(s->sub, sender);
    case TP_FIND_NOT_DELIVERED:
        return msg_not_delivered(s);
    case TP_FIND_PROBE:
        return tp_msg_probe(s->sub, sender);
    default:
        return g_strdup("");
    }
}
