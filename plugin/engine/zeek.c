/*
 * tcpphase engine: Zeek's view of each segment (issue 4): the endpoint states and history
 * letters of Zeek's TCP analyzer, written anew from its documented and implemented rules:
 *  - per endpoint, Zeek's states INACTIVE .. RESET and the transitions its TCP analyzer makes
 *    on SYN, FIN, RST and plain segments (TCPSessionAdapter: Update*State);
 *  - the history letters of Conn::Info$history (scripts/base/protocols/conn/main.zeek): a, d,
 *    i, q once per direction; s, h, f, r again only when the sequence number differs from the
 *    last of their kind; t, w and g on the 1st, 10th and 100th instance; '^' when Zeek flips
 *    the originator;
 *  - content gaps (g) as Zeek's reassembler finds them, with one hole tracked per direction.
 * Not modelled: c (checksums: Zeek's baselines ignore them) and x (analyzer limits). The whole
 * connection's rules (originator, session timers, conn_state) are in zeek_conn.c;
 * docs/zeek-differences.md lists what remains different from Zeek.
 */
#include "zeek.h"

#include "zeek_ports.h"

#include <string.h>

#define NS_PER_MS          1000000LL
#define ZK_TOO_LARGE_DELTA 1048576 /* TCPSessionAdapter: SYN/RST sequence jumps ignored */

/* History kinds, one bit per role in tp_zeek.seen (Zeek's HIST_* masks, responder << 8). */
enum { H_SYN, H_FIN, H_RST, H_FIN_RST, H_DATA, H_ACK, H_MULTI };

/* ---- roles and letters -------------------------------------------------------------------- */

static bool is_orig(const tp_zeek *z, tp_dir d)
{
    return d == tp_zeek_orig(z);
}

/* Every letter a history can hold; a letter is stored as its place here plus one (5 bits). */
static const char alphabet[] = "SHFRIQDATWG^shfriqdatwg";

_Static_assert(sizeof alphabet - 1 < 32, "history letters take 5 bits");
_Static_assert(TP_ZEEK_HISTORY - 1 < 16, "tp_zeek.history_len takes 4 bits");

/* The inverse of alphabet, by character. */
static const uint8_t code_of[128] = {
    ['S'] = 1,  ['H'] = 2,  ['F'] = 3,  ['R'] = 4,  ['I'] = 5,  ['Q'] = 6,  ['D'] = 7,  ['A'] = 8,
    ['T'] = 9,  ['W'] = 10, ['G'] = 11, ['^'] = 12, ['s'] = 13, ['h'] = 14, ['f'] = 15, ['r'] = 16,
    ['i'] = 17, ['q'] = 18, ['d'] = 19, ['a'] = 20, ['t'] = 21, ['w'] = 22, ['g'] = 23,
};

static unsigned letter_at(const tp_zeek *z, unsigned i)
{
    unsigned bit = 5 * i, v = z->history[bit / 8];
    if (bit / 8 + 1 < sizeof z->history)
        v |= (unsigned)z->history[bit / 8 + 1] << 8;
    return (v >> (bit % 8)) & 31;
}

void tp_zeek_history(const tp_zeek *z, char out[TP_ZEEK_HISTORY])
{
    unsigned n = z->history_len;
    for (unsigned i = 0; i < n; i++)
        out[i] = alphabet[letter_at(z, i) - 1];
    out[n] = '\0';
}

/* Letters past the capacity (TP_ZEEK_HISTORY, zeek.h) are dropped, as they always were. */
static inline void add_letter(tp_zeek *z, char code)
{
    unsigned n = z->history_len;
    if (n + 1 >= TP_ZEEK_HISTORY)
        return;
    unsigned v = code_of[code & 0x7f], bit = 5 * n;
    z->history[bit / 8] |= (uint8_t)(v << (bit % 8));
    if ((bit % 8) > 3)
        z->history[bit / 8 + 1] |= (uint8_t)(v >> (8 - bit % 8));
    z->history_len = n + 1;
}

/* Upper case for the originator, lower case for the responder (main.zeek). The codes passed
 * here are all capital letters. */
static void add_role_letter(tp_zeek *z, tp_dir d, char code)
{
    add_letter(z, is_orig(z, d) ? code : (char)(code - 'A' + 'a'));
}

static void flip(tp_zeek *z)
{
    z->bits ^= ZK_ORIG_SERVER;
    add_letter(z, '^');
}

/*
 * Records a letter of a kind at most once per role; true if the role had it already. The seen
 * bits belong to the roles, not the endpoints, and Zeek does not swap them on a flip.
 *
 * A connection whose only history is a SYN-ACK ("H") looks like a stealth-scan answer until a
 * pure ACK or data shows a real conversation: then Zeek flips it and rewrites the history as
 * "^h" (TCP_Endpoint::CheckHistory).
 */
static void stealth_answer_flip(tp_zeek *z)
{
    z->bits ^= ZK_ORIG_SERVER;
    memset(z->history, 0, sizeof z->history);
    z->history_len = 0;
    add_letter(z, '^');
    add_letter(z, 'h');
}

/* Every segment comes here, and nearly always to find its kind recorded already: inline, with
 * the rare work out of line. */
static inline bool check_history(tp_zeek *z, tp_dir d, unsigned kind, char code)
{
    if (z->history_len == 1 && (code == 'A' || code == 'D') && alphabet[letter_at(z, 0) - 1] == 'H')
        stealth_answer_flip(z);
    uint16_t bit = (uint16_t)(1u << (kind + (is_orig(z, d) ? 0 : 8)));
    if (z->seen & bit)
        return true;
    z->seen |= bit;
    add_role_letter(z, d, code);
    return false;
}

/* t, w and g are logarithmic: the 1st, 10th and 100th instance each add a letter. */
static void scaled_letter(tp_zeek *z, tp_dir d, uint8_t *count, char code)
{
    if (*count < UINT8_MAX)
        (*count)++;
    if (*count == 1 || *count == 10 || *count == 100)
        add_role_letter(z, d, code);
}

/* ---- endpoint states ---------------------------------------------------------------------- */

static bool handshake_state(enum zk_state s)
{
    return s == ZK_INACTIVE || s == ZK_SYN_SENT || s == ZK_SYN_ACK_SENT;
}

/* TCP_Endpoint::SetState: the first step out of the handshake switches the inactivity timeout
 * from the handshake's to TCP's. */
static void set_state(tp_zeek *z, tp_dir d, enum zk_state s)
{
    enum zk_state old = zk_state_of(z, d);
    if (s == old)
        return;
    if (!handshake_state(s) && handshake_state(old) &&
        handshake_state(zk_state_of(z, TP_PEER(d))) && z->timeout < ZK_TIMEOUT_TCP)
        z->timeout = ZK_TIMEOUT_TCP;
    z->ep[d].state = (uint8_t)((old << 4) | s);
}

static uint16_t port_of(const tp_conn *c, tp_dir d)
{
    return c->port[d];
}

/* The connection_established event: base/protocols/conn/inactivity.zeek gives the responder's
 * interactive port (or, for a half-seen connection, the originator's well-known one) an hour. */
static void established(tp_zeek *z, const tp_conn *c)
{
    tp_dir o = tp_zeek_orig(z);
    uint16_t service = port_of(c, TP_PEER(o));
    if (zk_state_of(z, o) == ZK_INACTIVE && !tp_zeek_likely_server_port(service) &&
        tp_zeek_likely_server_port(port_of(c, o)))
        service = port_of(c, o);
    if (tp_zeek_interactive_port(service))
        z->timeout = ZK_TIMEOUT_INTERACTIVE;
}

/* ---- the segment's history letters -------------------------------------------------------- */

/* Is seq where Zeek starts the endpoint's sequence space? That is its SYN (the engine keeps the
 * first one's), or before it has sent anything, one before the peer's acknowledgment
 * (init_peer). A partial endpoint's start, one before its first segment, is not kept. */
bool tp_zeek_same_start(const tp_conn *c, tp_dir d, uint32_t seq)
{
    const tp_endpoint *ep = &c->ep[d], *peer = &c->ep[TP_PEER(d)];

    if (ep->syn_seen)
        return ep->isn == seq;
    return !ep->seq_seen && peer->ack_seen && peer->max_ack - 1 == seq;
}

/*
 * Does a repeated SYN add its letter again? Zeek compares its relative sequence number with the
 * last SYN's. A SYN while the endpoint is still opening or open restarts the endpoint's sequence
 * space at itself (init_endpoint), so its relative number is 0, like the first SYN's: only a SYN
 * after the endpoint closed or reset can differ.
 */
static bool syn_repeats(const tp_zeek *z, const tp_conn *c, tp_dir d, const tp_segment *seg)
{
    enum zk_state s = zk_state_of(z, d);
    bool reopened = s == ZK_CLOSED || (s == ZK_RESET && zk_prev_of(z, d) != ZK_INACTIVE);
    return reopened && !tp_zeek_same_start(c, d, seg->seq);
}

/* A FIN's position is the sequence number after its data; the engine keeps its first FIN's. */
static bool fin_repeats(const tp_conn *c, tp_dir d, const tp_segment *seg)
{
    return !c->ep[d].fin_seen || c->ep[d].fin_seq != seg->seq + seg->len;
}

static void control_letter(tp_zeek *z, const tp_conn *c, tp_dir d, const tp_segment *seg)
{
    tp_zeek_ep *ep = &z->ep[d];

    if (seg->flags & TP_SYN) {
        char code = (seg->flags & TP_ACK) ? 'H' : 'S';
        if (check_history(z, d, H_SYN, code) && syn_repeats(z, c, d, seg))
            add_role_letter(z, d, code);
    } else if (seg->flags & TP_FIN) {
        if (check_history(z, d, H_FIN, 'F') && fin_repeats(c, d, seg))
            add_role_letter(z, d, 'F');
    } else {
        /* Only the low half of the last RST's sequence number is kept (memory): RSTs whose
         * numbers differ by a multiple of 65536 count as the same. */
        bool again = !(ep->bits & ZK_EP_RST_SEEN) || z->last_rst[d] != (uint16_t)seg->seq;
        if (check_history(z, d, H_RST, 'R') && again)
            add_role_letter(z, d, 'R');
        z->last_rst[d] = (uint16_t)seg->seq;
        ep->bits |= ZK_EP_RST_SEEN;
    }
}

/* update_history: one letter for the segment's kind. */
static void history_letter(tp_zeek *z, const tp_conn *c, tp_dir d, const tp_segment *seg)
{
    uint8_t f = seg->flags;
    int control = !!(f & TP_SYN) + !!(f & TP_FIN) + !!(f & TP_RST);

    if (control > 1) {
        if ((f & TP_FIN) && (f & TP_RST))
            check_history(z, d, H_FIN_RST, 'I');
        else
            check_history(z, d, H_MULTI, 'Q');
    } else if (control == 1) {
        control_letter(z, c, d, seg);
    } else if (seg->len > 0) {
        check_history(z, d, H_DATA, 'D');
    } else if (f & TP_ACK) {
        check_history(z, d, H_ACK, 'A');
    }
}

/* update_window: a zero window is worth a letter unless it comes with or after a RST of the
 * sender's, or after the peer's FIN (Zeek: there is no relevant window then). */
static inline void window_letter(tp_zeek *z, tp_dir d, const tp_segment *seg)
{
    if (seg->window == 0 && !(seg->flags & TP_RST) && zk_state_of(z, TP_PEER(d)) != ZK_CLOSED &&
        zk_state_of(z, d) != ZK_RESET)
        scaled_letter(z, d, &z->ep[d].win0, 'W');
}

/* Sequence space the segment occupies: SYN and FIN count, a RST's payload does not. */
static uint32_t segment_end(const tp_segment *seg)
{
    uint32_t len = (seg->flags & TP_RST) ? 0 : seg->len;
    return seg->seq + len + !!(seg->flags & TP_SYN) + !!(seg->flags & TP_FIN);
}

/* init_endpoint: the endpoint's first segment, or a SYN that restarts its sequence space,
 * sets where its highest sequence number starts. */
static void init_last_seq(tp_zeek *z, const tp_conn *c, tp_dir d, const tp_segment *seg)
{
    tp_zeek_ep *ep = &z->ep[d];
    bool syn = (seg->flags & TP_SYN) != 0;

    switch (zk_state_of(z, d)) {
    case ZK_INACTIVE:
        ep->last_seq = syn ? segment_end(seg) : seg->seq;
        ep->delivered = syn ? seg->seq + 1 : seg->seq; /* the reassembler starts after a SYN */
        break;
    case ZK_SYN_SENT:
    case ZK_SYN_ACK_SENT:
    case ZK_ESTABLISHED:
    case ZK_PARTIAL:
        if (syn && !tp_zeek_same_start(c, d, seg->seq))
            ep->last_seq = segment_end(seg);
        break;
    case ZK_RESET:
        if (syn && zk_prev_of(z, d) == ZK_INACTIVE)
            ep->last_seq = segment_end(seg);
        break;
    default:
        break;
    }
}

/* update_last_seq: payload that does not reach past the highest sequence number seen is a
 * retransmission (t). Sequence numbers after the sender's RST are not trusted, nor SYN or RST
 * jumps of more than a megabyte. */
static void retransmission_letter(tp_zeek *z, tp_dir d, const tp_segment *seg)
{
    tp_zeek_ep *ep = &z->ep[d];
    int32_t delta = (int32_t)(segment_end(seg) - ep->last_seq);

    if ((seg->flags & (TP_SYN | TP_RST)) &&
        (delta > ZK_TOO_LARGE_DELTA || delta < -ZK_TOO_LARGE_DELTA))
        return;
    if (zk_state_of(z, d) == ZK_RESET)
        return;
    if (delta > 0)
        ep->last_seq = segment_end(seg);
    else if (seg->len > 0)
        scaled_letter(z, d, &ep->rxmt, 'T');
}

/* ---- content gaps (TCP_Reassembler) ------------------------------------------------------- */

/* Where the data held beyond endpoint d's hole starts; only with ZK_EP_HELD. */
static uint32_t held(const tp_conntable *t, const tp_conn *c, tp_dir d)
{
    return tp_conntable_more(t, c)->zeek_held[d];
}

/* Only gaps while both sides are established or closing from there are worth a letter; in other
 * states they arise falsely from RST sequence numbers or unseen earlier packets (Zeek). */
static bool clean(const tp_zeek *z, tp_dir d)
{
    enum zk_state s = zk_state_of(z, d);
    return s == ZK_ESTABLISHED || (s == ZK_CLOSED && zk_prev_of(z, d) == ZK_ESTABLISHED);
}

/*
 * DataSent: payload at the delivery point extends it; payload beyond it waits for the hole
 * to fill. One hole is tracked: data held beyond it is taken as contiguous up to the highest
 * sequence number seen, and delivered with the segment that fills the hole.
 */
static inline void data_sent(tp_conntable *t, tp_conn *c, tp_dir d, const tp_segment *seg)
{
    tp_zeek_ep *ep = &c->zeek.ep[d];
    uint32_t start = seg->seq + !!(seg->flags & TP_SYN), end = start + seg->len;

    if (tp_seq_lt(ep->delivered, start)) {
        if (!(ep->bits & ZK_EP_HELD) || tp_seq_lt(start, held(t, c, d)))
            tp_conntable_more_new(t, c)->zeek_held[d] = start;
        ep->bits |= ZK_EP_HELD;
        return;
    }
    ep->delivered = tp_seq_max(ep->delivered, end);
    if ((ep->bits & ZK_EP_HELD) && tp_seq_le(held(t, c, d), ep->delivered)) {
        ep->delivered = tp_seq_max(ep->delivered, ep->last_seq);
        ep->bits &= (uint8_t)~ZK_EP_HELD;
    }
}

/*
 * AckReceived and Undelivered: an acknowledgment beyond the delivery point gives up on the
 * bytes never seen, a content gap (g) for each hole. Acknowledgments of the FIN stop at the
 * FIN, and an endpoint not heard from yet has nothing to miss.
 */
static inline void ack_received(const tp_conntable *t, tp_zeek *z, const tp_conn *c, tp_dir d,
                                uint32_t ack)
{
    tp_zeek_ep *ep = &z->ep[d];
    const tp_endpoint *sender = &c->ep[d];
    uint32_t upto = ack;
    int holes = 1;

    if (zk_state_of(z, d) == ZK_INACTIVE)
        return;
    if (sender->fin_seen && tp_seq_le(sender->fin_seq, upto))
        upto = sender->fin_seq;
    if (!tp_seq_lt(ep->delivered, upto))
        return;
    if ((ep->bits & ZK_EP_HELD) && tp_seq_lt(held(t, c, d), upto)) {
        ep->bits &= (uint8_t)~ZK_EP_HELD;
        holes += tp_seq_lt(ep->last_seq, upto);
        upto = tp_seq_max(upto, ep->last_seq);
    }
    ep->delivered = upto;
    for (; holes > 0 && clean(z, d) && clean(z, TP_PEER(d)); holes--)
        scaled_letter(z, d, &z->gaps[d], 'G');
}

/* ---- the state machine (TCPSessionAdapter::Update*State) ---------------------------------- */

/* A SYN from an endpoint not heard from yet. was_orig: the sender's role when the segment
 * arrived; Zeek decides by it even when the segment's letter has just flipped the roles. */
static void syn_from_inactive(tp_zeek *z, const tp_conn *c, tp_dir d, const tp_segment *seg,
                              bool was_orig, bool first)
{
    tp_dir p = TP_PEER(d);

    if (was_orig) {
        set_state(z, d, (seg->flags & TP_ACK) ? ZK_SYN_ACK_SENT : ZK_SYN_SENT);
        if (first)
            z->bits |= ZK_ATTEMPT;
        return;
    }
    /* A SYN after the SYN-ACK that answers it: the two arrived in reverse order, and Zeek
     * flips the roles and takes the connection as established. */
    if (!(seg->flags & TP_ACK) && zk_state_of(z, p) == ZK_SYN_ACK_SENT) {
        flip(z);
        set_state(z, p, ZK_ESTABLISHED);
    }
    if (zk_state_of(z, p) == ZK_SYN_SENT)
        set_state(z, p, ZK_ESTABLISHED);
    set_state(z, d, ZK_ESTABLISHED);
    if (zk_state_of(z, p) != ZK_PARTIAL)
        established(z, c);
}

static bool from_inactive(tp_zeek *z, const tp_conn *c, tp_dir d, const tp_segment *seg,
                          bool was_orig, bool first)
{
    tp_dir p = TP_PEER(d);
    bool close = false;

    if (seg->flags & TP_SYN)
        syn_from_inactive(z, c, d, seg, was_orig, first);
    if (seg->flags & TP_FIN) {
        set_state(z, d, ZK_CLOSED);
        close = true;
    }
    if (seg->flags & TP_RST) {
        set_state(z, d, ZK_RESET);
        close = true;
    }
    if (zk_state_of(z, d) != ZK_INACTIVE)
        return close;
    /* No control flag. Some stacks acknowledge a SYN before answering it: not yet a partial
     * connection. An ACK after a SYN-ACK whose SYN was missed completes the handshake. */
    if (!was_orig && seg->len == 0 && zk_state_of(z, tp_zeek_orig(z)) == ZK_SYN_SENT)
        return close;
    bool completes = (seg->flags & TP_ACK) && zk_state_of(z, p) == ZK_ESTABLISHED;
    set_state(z, d, completes ? ZK_ESTABLISHED : ZK_PARTIAL);
    return close;
}

static bool from_syn_sent(tp_zeek *z, tp_dir d, const tp_segment *seg)
{
    bool close = false;

    if (seg->flags & TP_FIN) {
        set_state(z, d, ZK_CLOSED);
        close = true;
    }
    if (seg->flags & TP_RST) {
        set_state(z, d, ZK_RESET);
        close = true;
    }
    return close;
}

/* ESTABLISHED or PARTIAL. */
static bool from_open(tp_zeek *z, tp_dir d, const tp_segment *seg)
{
    tp_dir p = TP_PEER(d);
    bool close = false;

    if ((seg->flags & (TP_SYN | TP_ACK)) == TP_SYN && zk_state_of(z, d) == ZK_PARTIAL &&
        zk_state_of(z, p) == ZK_INACTIVE)
        set_state(z, d, ZK_SYN_SENT);
    if ((seg->flags & TP_FIN) && !(seg->flags & TP_RST)) {
        set_state(z, d, ZK_CLOSED);
        /* The peer's FIN followed by its RST was a normal close after all. */
        if (zk_state_of(z, p) == ZK_RESET && zk_prev_of(z, p) == ZK_CLOSED)
            set_state(z, p, ZK_CLOSED);
        close = true;
    }
    if (seg->flags & TP_RST) {
        set_state(z, d, ZK_RESET);
        close = true;
    }
    return close;
}

/* After its FIN: a RST resets the endpoint unless the peer has closed too (then the FIN
 * exchange already ended the connection). */
static bool from_closed(tp_zeek *z, tp_dir d, const tp_segment *seg)
{
    if (!(seg->flags & TP_RST) || zk_state_of(z, TP_PEER(d)) == ZK_CLOSED)
        return false;
    set_state(z, d, ZK_RESET);
    return !(z->ep[d].bits & ZK_EP_DID_CLOSE);
}

/* Moves the sender (and maybe its peer) on; true if Zeek then reports the sender closed. */
static bool update_state(tp_zeek *z, const tp_conn *c, tp_dir d, const tp_segment *seg,
                         bool was_orig, bool first)
{
    switch (zk_state_of(z, d)) {
    case ZK_INACTIVE:
        return from_inactive(z, c, d, seg, was_orig, first);
    case ZK_SYN_SENT:
    case ZK_SYN_ACK_SENT:
        return from_syn_sent(z, d, seg);
    case ZK_ESTABLISHED:
    case ZK_PARTIAL:
        return from_open(z, d, seg);
    case ZK_CLOSED:
        return from_closed(z, d, seg);
    default:
        return false; /* RESET: nothing moves it */
    }
}

/* ConnectionClosed: the close is complete when the side reset, or its peer has closed as well
 * or never spoke. Zeek forgets the connection tcp_close_delay after that. */
static void report_closed(tp_zeek *z, const tp_conn *c, tp_dir d, int64_t now)
{
    tp_dir p = TP_PEER(d);

    if (z->ep[d].bits & ZK_EP_DID_CLOSE)
        return;
    z->ep[d].bits |= ZK_EP_DID_CLOSE;
    bool complete = zk_state_of(z, d) == ZK_RESET || (z->ep[p].bits & ZK_EP_DID_CLOSE) ||
                    zk_state_of(z, p) == ZK_INACTIVE;
    if (complete && !z->closed_ms) {
        int64_t ms = (now - c->first_ns) / NS_PER_MS + 1;
        z->closed_ms = ms < 1 ? 1 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
    }
}

/* The connection's first segment makes its sender Zeek's originator, unless Zeek flips the
 * roles at once (zeek_conn.c). True for that first segment. */
static bool begin(tp_zeek *z, tp_dir dir, const tp_segment *seg)
{
    if (z->bits & ZK_STARTED)
        return false;
    z->bits = ZK_STARTED | (dir == TP_SERVER ? ZK_ORIG_SERVER : 0);
    if (tp_zeek_flip_at_start(seg))
        flip(z);
    return true;
}

/*
 * Most segments carry no SYN, FIN or RST: data or a bare ACK. For them the steps of
 * control_segment below come down to this, in the same order and by the same rules: no control
 * letter, no SYN or RST sequence jump to distrust, no close; and of the state machine only an
 * endpoint not heard from yet moves (from_inactive), as the other states change only on SYN,
 * FIN or RST. Kept apart because it runs for nearly every segment.
 */
G_GNUC_NO_INLINE static void plain_segment(tp_conntable *t, tp_conn *c, tp_dir d,
                                           const tp_segment *seg)
{
    tp_zeek *z = &c->zeek;
    bool first = begin(z, d, seg);
    tp_zeek_ep *ep = &z->ep[d];
    uint32_t len = seg->len, end = seg->seq + len;
    bool was_orig = is_orig(z, d);
    enum zk_state s = zk_state_of(z, d); /* no letter below changes a state */

    if (s == ZK_INACTIVE) /* init_last_seq */
        ep->last_seq = ep->delivered = seg->seq;
    if (len > 0) /* history_letter */
        check_history(z, d, H_DATA, 'D');
    else if (seg->flags & TP_ACK)
        check_history(z, d, H_ACK, 'A');
    window_letter(z, d, seg);
    if (s != ZK_RESET) { /* retransmission_letter */
        if ((int32_t)(end - ep->last_seq) > 0)
            ep->last_seq = end;
        else if (len > 0)
            scaled_letter(z, d, &ep->rxmt, 'T');
    }
    if (s == ZK_INACTIVE)
        from_inactive(z, c, d, seg, was_orig, first);
    if (seg->flags & TP_ACK)
        ack_received(t, z, c, TP_PEER(d), seg->ack);
    if (len > 0) {
        ep->bits |= ZK_EP_DATA;
        data_sent(t, c, d, seg);
    }
}

/* A segment with SYN, FIN or RST: every step of Zeek's analyzer. */
G_GNUC_NO_INLINE static void control_segment(tp_conntable *t, tp_conn *c, tp_dir dir,
                                             const tp_segment *seg)
{
    tp_zeek *z = &c->zeek;
    bool first = begin(z, dir, seg);
    bool was_orig = is_orig(z, dir);

    init_last_seq(z, c, dir, seg);
    history_letter(z, c, dir, seg);
    window_letter(z, dir, seg);
    retransmission_letter(z, dir, seg);
    if (seg->len > 0 && !(seg->flags & TP_RST))
        z->ep[dir].bits |= ZK_EP_DATA;
    bool close = update_state(z, c, dir, seg, was_orig, first);
    if (seg->flags & TP_ACK)
        ack_received(t, z, c, TP_PEER(dir), seg->ack);
    if (seg->len > 0 && !(seg->flags & TP_RST))
        data_sent(t, c, dir, seg);
    if (close)
        report_closed(z, c, dir, seg->time_ns);
}

/* Two paths, each its own function, so that the plain one, which most segments take, is
 * compiled on its own and not inside the larger control path (4 instructions a segment fewer
 * on the bench). */
void tp_zeek_segment(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    if (seg->flags & (TP_SYN | TP_FIN | TP_RST))
        control_segment(t, c, dir, seg);
    else
        plain_segment(t, c, dir, seg);
}
