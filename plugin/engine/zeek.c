/*
 * tcpphase engine: Zeek's conn_state and history letters (issue 4).
 *
 * This follows the rules Zeek documents and implements in its TCP analyzer, written anew:
 *  - per endpoint, Zeek's states INACTIVE .. RESET and the transitions its TCP analyzer makes
 *    on SYN, FIN, RST and plain segments (TCPSessionAdapter: Update*State);
 *  - the history letters of Conn::Info$history (scripts/base/protocols/conn/main.zeek): a, d,
 *    i, q once per direction; s, h, f, r again only when the sequence number differs from the
 *    last of their kind; t and w on the 1st, 10th and 100th instance; '^' when Zeek flips the
 *    originator;
 *  - conn_state from both endpoints' final states and the history (main.zeek, conn_state());
 *  - Zeek's session timers, which decide where Zeek starts a new connection on a 4-tuple
 *    (tp_zeek_new_session).
 * Not modelled: c (checksums: Zeek's baselines ignore them), g (content gaps need Zeek's
 * reassembler), x (analyzer limits). docs/zeek-differences.md lists what remains different.
 */
#include "internal.h"

#include <ctype.h>
#include <string.h>

/* Zeek's endpoint states (TCP_Endpoint.h, EndpointState). */
enum zk_state {
    ZK_INACTIVE = 0,
    ZK_SYN_SENT,
    ZK_SYN_ACK_SENT,
    ZK_PARTIAL,
    ZK_ESTABLISHED,
    ZK_CLOSED,
    ZK_RESET,
};

/* tp_zeek_ep.bits */
enum {
    ZK_EP_DID_CLOSE = 1, /* Zeek has reported this side closed (did_close) */
    ZK_EP_RST_SEEN = 2,  /* last_rst is valid */
    ZK_EP_DATA = 4,      /* it sent payload: Zeek's size is not 0 */
    ZK_EP_HELD = 8,      /* data beyond a hole is held (tp_zeek_ep.held valid) */
};

/* tp_zeek.bits */
enum {
    ZK_STARTED = 1,     /* the first segment has been seen */
    ZK_ORIG_SERVER = 2, /* Zeek's originator is our TP_SERVER */
    ZK_ATTEMPT = 4,     /* the first segment was the originator's SYN: attempt timer armed */
};

/* History kinds, one bit per role in tp_zeek.seen (Zeek's HIST_* masks, responder << 8). */
enum { H_SYN, H_FIN, H_RST, H_FIN_RST, H_DATA, H_ACK, H_MULTI };

/* Inactivity timeouts (tp_zeek.timeout). Zeek's TCP analyzer starts every connection with
 * udp_inactivity_timeout and switches to tcp_inactivity_timeout once an endpoint leaves the
 * handshake; base/protocols/conn/inactivity.zeek gives interactive ports an hour. */
enum { ZK_TIMEOUT_HANDSHAKE, ZK_TIMEOUT_TCP, ZK_TIMEOUT_INTERACTIVE };

#define NS_PER_S  1000000000LL
#define NS_PER_MS 1000000LL

/* Zeek's defaults, scripts/base/init-bare.zeek. */
#define ZK_ATTEMPT_DELAY   (5 * NS_PER_S) /* tcp_attempt_delay */
#define ZK_CLOSE_DELAY     (5 * NS_PER_S) /* tcp_close_delay */
#define ZK_LINGER          (5 * NS_PER_S) /* tcp_connection_linger */
#define ZK_SYN_TIMEOUT     (5 * NS_PER_S) /* tcp_SYN_timeout: first expire check */
#define ZK_SESSION_TIMER   (6 * NS_PER_S) /* tcp_session_timer: later expire checks */
#define ZK_TOO_LARGE_DELTA 1048576        /* TCPSessionAdapter: SYN/RST sequence jumps ignored */

static const int64_t inactivity_ns[] = {60 * NS_PER_S, 300 * NS_PER_S, 3600 * NS_PER_S};

/* ---- roles and letters -------------------------------------------------------------------- */

tp_dir tp_zeek_orig(const tp_zeek *z)
{
    return (z->bits & ZK_ORIG_SERVER) ? TP_SERVER : TP_CLIENT;
}

static bool is_orig(const tp_zeek *z, tp_dir d)
{
    return d == tp_zeek_orig(z);
}

static void add_letter(tp_zeek *z, char code)
{
    size_t n = strlen(z->history);
    if (n + 1 < sizeof z->history) {
        z->history[n] = code;
        z->history[n + 1] = '\0';
    }
}

/* Upper case for the originator, lower case for the responder (main.zeek). */
static void add_role_letter(tp_zeek *z, tp_dir d, char code)
{
    add_letter(z, is_orig(z, d) ? code : (char)tolower((unsigned char)code));
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
static bool check_history(tp_zeek *z, tp_dir d, unsigned kind, char code)
{
    if ((code == 'A' || code == 'D') && strcmp(z->history, "H") == 0) {
        z->bits ^= ZK_ORIG_SERVER;
        g_strlcpy(z->history, "^h", sizeof z->history);
    }
    uint16_t bit = (uint16_t)(1u << (kind + (is_orig(z, d) ? 0 : 8)));
    if (z->seen & bit)
        return true;
    z->seen |= bit;
    add_role_letter(z, d, code);
    return false;
}

/* t and w are logarithmic: the 1st, 10th and 100th instance each add a letter. */
static void scaled_letter(tp_zeek *z, tp_dir d, uint8_t *count, char code)
{
    if (*count < UINT8_MAX)
        (*count)++;
    if (*count == 1 || *count == 10 || *count == 100)
        add_role_letter(z, d, code);
}

/* ---- endpoint states ---------------------------------------------------------------------- */

static enum zk_state state_of(const tp_zeek *z, tp_dir d)
{
    return (enum zk_state)(z->ep[d].state & 0x0f);
}

static enum zk_state prev_of(const tp_zeek *z, tp_dir d)
{
    return (enum zk_state)(z->ep[d].state >> 4);
}

static bool handshake_state(enum zk_state s)
{
    return s == ZK_INACTIVE || s == ZK_SYN_SENT || s == ZK_SYN_ACK_SENT;
}

/* TCP_Endpoint::SetState: the first step out of the handshake switches the inactivity timeout
 * from the handshake's to TCP's. */
static void set_state(tp_zeek *z, tp_dir d, enum zk_state s)
{
    enum zk_state old = state_of(z, d);
    if (s == old)
        return;
    if (!handshake_state(s) && handshake_state(old) && handshake_state(state_of(z, TP_PEER(d))) &&
        z->timeout < ZK_TIMEOUT_TCP)
        z->timeout = ZK_TIMEOUT_TCP;
    z->ep[d].state = (uint8_t)((old << 4) | s);
}

/* ---- ports -------------------------------------------------------------------------------- */

/* Zeek's likely_server_ports for TCP: every port its base protocol scripts register with
 * Analyzer::register_for_ports (scripts/base/protocols/ * /main.zeek). Sorted. */
static const uint16_t likely_server_ports[] = {
    21,   22,   25,   53,   79,   80,   81,   88,   135,  139,   143,  389,  443,
    445,  465,  502,  514,  563,  585,  587,  614,  631,  636,   989,  990,  992,
    993,  995,  1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389,  5222, 5223, 5269,
    5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

static bool likely_server_port(uint16_t port)
{
    size_t lo = 0, hi = G_N_ELEMENTS(likely_server_ports);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (likely_server_ports[mid] == port)
            return true;
        if (likely_server_ports[mid] < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* base/protocols/conn/inactivity.zeek, port_inactivity_timeouts. */
static bool interactive_port(uint16_t port)
{
    return port == 21 || port == 22 || port == 23 || port == 513;
}

/*
 * Zeek's originator is the sender of the connection's first packet, except that a connection
 * starting without a bare SYN is flipped when its source port is a likely server port and its
 * destination port is not; when both are, only a non-SYN from the lower port is flipped
 * (TCPAnalyzer::WantConnection).
 */
static bool flip_at_start(const tp_segment *seg)
{
    bool syn = (seg->flags & TP_SYN) != 0;
    if (syn && !(seg->flags & TP_ACK))
        return false;
    if (!likely_server_port(seg->sport))
        return false;
    if (likely_server_port(seg->dport))
        return !syn && seg->sport < seg->dport;
    return true;
}

static uint16_t port_of(const tp_conn *c, tp_dir d)
{
    return c->tuple.port[d];
}

/* The connection_established event: base/protocols/conn/inactivity.zeek gives the responder's
 * interactive port (or, for a half-seen connection, the originator's well-known one) an hour. */
static void established(tp_zeek *z, const tp_conn *c)
{
    tp_dir o = tp_zeek_orig(z);
    uint16_t service = port_of(c, TP_PEER(o));
    if (state_of(z, o) == ZK_INACTIVE && !likely_server_port(service) &&
        likely_server_port(port_of(c, o)))
        service = port_of(c, o);
    if (interactive_port(service))
        z->timeout = ZK_TIMEOUT_INTERACTIVE;
}

/* ---- the segment's history letters -------------------------------------------------------- */

/* Where Zeek starts the endpoint's sequence space (init_endpoint): its SYN, or for a
 * partial connection the segment before its first one. Approximated by the engine's ISN. */
static bool same_start(const tp_conn *c, tp_dir d, uint32_t seq)
{
    return c->ep[d].syn_seen && c->ep[d].isn == seq;
}

/*
 * Does a repeated SYN add its letter again? Zeek compares its relative sequence number with the
 * last SYN's. A SYN while the endpoint is still opening or open restarts the endpoint's sequence
 * space at itself (init_endpoint), so its relative number is 0, like the first SYN's: only a SYN
 * after the endpoint closed or reset can differ.
 */
static bool syn_repeats(const tp_zeek *z, const tp_conn *c, tp_dir d, const tp_segment *seg)
{
    enum zk_state s = state_of(z, d);
    bool reopened = s == ZK_CLOSED || (s == ZK_RESET && prev_of(z, d) != ZK_INACTIVE);
    return reopened && !same_start(c, d, seg->seq);
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
        bool again = !(ep->bits & ZK_EP_RST_SEEN) || ep->last_rst != (uint16_t)seg->seq;
        if (check_history(z, d, H_RST, 'R') && again)
            add_role_letter(z, d, 'R');
        ep->last_rst = (uint16_t)seg->seq;
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
static void window_letter(tp_zeek *z, tp_dir d, const tp_segment *seg)
{
    if (seg->window == 0 && !(seg->flags & TP_RST) && state_of(z, TP_PEER(d)) != ZK_CLOSED &&
        state_of(z, d) != ZK_RESET)
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

    switch (state_of(z, d)) {
    case ZK_INACTIVE:
        ep->last_seq = syn ? segment_end(seg) : seg->seq;
        ep->delivered = syn ? seg->seq + 1 : seg->seq; /* the reassembler starts after a SYN */
        break;
    case ZK_SYN_SENT:
    case ZK_SYN_ACK_SENT:
    case ZK_ESTABLISHED:
    case ZK_PARTIAL:
        if (syn && !same_start(c, d, seg->seq))
            ep->last_seq = segment_end(seg);
        break;
    case ZK_RESET:
        if (syn && prev_of(z, d) == ZK_INACTIVE)
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
    if (state_of(z, d) == ZK_RESET)
        return;
    if (delta > 0)
        ep->last_seq = segment_end(seg);
    else if (seg->len > 0)
        scaled_letter(z, d, &ep->rxmt, 'T');
}

/* ---- content gaps (TCP_Reassembler) ------------------------------------------------------- */

/* Only gaps while both sides are established or closing from there are worth a letter; in other
 * states they arise falsely from RST sequence numbers or unseen earlier packets (Zeek). */
static bool clean(const tp_zeek *z, tp_dir d)
{
    enum zk_state s = state_of(z, d);
    return s == ZK_ESTABLISHED || (s == ZK_CLOSED && prev_of(z, d) == ZK_ESTABLISHED);
}

/*
 * DataSent: payload at the delivery point extends it; payload beyond it waits for the hole
 * to fill. One hole is tracked: data held beyond it is taken as contiguous up to the highest
 * sequence number seen, and delivered with the segment that fills the hole.
 */
static void data_sent(tp_zeek *z, tp_dir d, const tp_segment *seg)
{
    tp_zeek_ep *ep = &z->ep[d];
    uint32_t start = seg->seq + !!(seg->flags & TP_SYN), end = start + seg->len;

    if (tp_seq_lt(ep->delivered, start)) {
        if (!(ep->bits & ZK_EP_HELD) || tp_seq_lt(start, ep->held))
            ep->held = start;
        ep->bits |= ZK_EP_HELD;
        return;
    }
    ep->delivered = tp_seq_max(ep->delivered, end);
    if ((ep->bits & ZK_EP_HELD) && tp_seq_le(ep->held, ep->delivered)) {
        ep->delivered = tp_seq_max(ep->delivered, ep->last_seq);
        ep->bits &= (uint8_t)~ZK_EP_HELD;
    }
}

/*
 * AckReceived and Undelivered: an acknowledgment beyond the delivery point gives up on the
 * bytes never seen, a content gap (g) for each hole. Acknowledgments of the FIN stop at the
 * FIN, and an endpoint not heard from yet has nothing to miss.
 */
static void ack_received(tp_zeek *z, const tp_conn *c, tp_dir d, uint32_t ack)
{
    tp_zeek_ep *ep = &z->ep[d];
    const tp_endpoint *sender = &c->ep[d];
    uint32_t upto = ack;
    int holes = 1;

    if (state_of(z, d) == ZK_INACTIVE)
        return;
    if (sender->fin_seen && tp_seq_le(sender->fin_seq, upto))
        upto = sender->fin_seq;
    if (!tp_seq_lt(ep->delivered, upto))
        return;
    if ((ep->bits & ZK_EP_HELD) && tp_seq_lt(ep->held, upto)) {
        ep->bits &= (uint8_t)~ZK_EP_HELD;
        holes += tp_seq_lt(ep->last_seq, upto);
        upto = tp_seq_max(upto, ep->last_seq);
    }
    ep->delivered = upto;
    for (; holes > 0 && clean(z, d) && clean(z, TP_PEER(d)); holes--)
        scaled_letter(z, d, &ep->gaps, 'G');
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
    if (!(seg->flags & TP_ACK) && state_of(z, p) == ZK_SYN_ACK_SENT) {
        flip(z);
        set_state(z, p, ZK_ESTABLISHED);
    }
    if (state_of(z, p) == ZK_SYN_SENT)
        set_state(z, p, ZK_ESTABLISHED);
    set_state(z, d, ZK_ESTABLISHED);
    if (state_of(z, p) != ZK_PARTIAL)
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
    if (state_of(z, d) != ZK_INACTIVE)
        return close;
    /* No control flag. Some stacks acknowledge a SYN before answering it: not yet a partial
     * connection. An ACK after a SYN-ACK whose SYN was missed completes the handshake. */
    if (!was_orig && seg->len == 0 && state_of(z, tp_zeek_orig(z)) == ZK_SYN_SENT)
        return close;
    bool completes = (seg->flags & TP_ACK) && state_of(z, p) == ZK_ESTABLISHED;
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

    if ((seg->flags & (TP_SYN | TP_ACK)) == TP_SYN && state_of(z, d) == ZK_PARTIAL &&
        state_of(z, p) == ZK_INACTIVE)
        set_state(z, d, ZK_SYN_SENT);
    if ((seg->flags & TP_FIN) && !(seg->flags & TP_RST)) {
        set_state(z, d, ZK_CLOSED);
        /* The peer's FIN followed by its RST was a normal close after all. */
        if (state_of(z, p) == ZK_RESET && prev_of(z, p) == ZK_CLOSED)
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
    if (!(seg->flags & TP_RST) || state_of(z, TP_PEER(d)) == ZK_CLOSED)
        return false;
    set_state(z, d, ZK_RESET);
    return !(z->ep[d].bits & ZK_EP_DID_CLOSE);
}

/* Moves the sender (and maybe its peer) on; true if Zeek then reports the sender closed. */
static bool update_state(tp_zeek *z, const tp_conn *c, tp_dir d, const tp_segment *seg,
                         bool was_orig, bool first)
{
    switch (state_of(z, d)) {
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
    bool complete = state_of(z, d) == ZK_RESET || (z->ep[p].bits & ZK_EP_DID_CLOSE) ||
                    state_of(z, p) == ZK_INACTIVE;
    if (complete && !z->closed_ms) {
        int64_t ms = (now - c->first_ns) / NS_PER_MS + 1;
        z->closed_ms = ms < 1 ? 1 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
    }
}

void tp_zeek_segment(tp_zeek *z, const struct tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    bool first = !(z->bits & ZK_STARTED);

    if (first) {
        z->bits = ZK_STARTED | (dir == TP_SERVER ? ZK_ORIG_SERVER : 0);
        if (flip_at_start(seg))
            flip(z);
    }
    bool was_orig = is_orig(z, dir);
    init_last_seq(z, c, dir, seg);
    history_letter(z, c, dir, seg);
    window_letter(z, dir, seg);
    retransmission_letter(z, dir, seg);
    if (seg->len > 0 && !(seg->flags & TP_RST))
        z->ep[dir].bits |= ZK_EP_DATA;
    bool close = update_state(z, c, dir, seg, was_orig, first);
    if (seg->flags & TP_ACK)
        ack_received(z, c, TP_PEER(dir), seg->ack);
    if (seg->len > 0 && !(seg->flags & TP_RST))
        data_sent(z, dir, seg);
    if (close)
        report_closed(z, c, dir, seg->time_ns);
}

/* ---- where Zeek starts a new connection --------------------------------------------------- */

static bool any_ep_bit(const tp_zeek *z, uint8_t bit)
{
    return ((z->ep[0].bits | z->ep[1].bits) & bit) != 0;
}

static bool any_state(const tp_zeek *z, enum zk_state s)
{
    return state_of(z, TP_CLIENT) == s || state_of(z, TP_SERVER) == s;
}

/* ExpireTimer runs tcp_SYN_timeout after the start and every tcp_session_timer after that; it
 * removes a connection idle for tcp_connection_linger with a side closed and the other closed,
 * reset or silent. */
static bool expire_timer_removed(const tp_zeek *z, const tp_conn *c, int64_t now)
{
    bool both_closed = (z->ep[0].bits & z->ep[1].bits & ZK_EP_DID_CLOSE) != 0;
    if (!any_ep_bit(z, ZK_EP_DID_CLOSE) ||
        !(both_closed || any_state(z, ZK_RESET) || any_state(z, ZK_INACTIVE)))
        return false;
    int64_t idle = c->last_ns + ZK_LINGER, check = c->first_ns + ZK_SYN_TIMEOUT;
    if (idle >= check)
        check += ((idle - check) / ZK_SESSION_TIMER + 1) * ZK_SESSION_TIMER;
    return now >= check;
}

/* AttemptTimer: a SYN still unanswered tcp_attempt_delay later ends the attempt. */
static bool attempt_removed(const tp_zeek *z, const tp_conn *c, int64_t now)
{
    enum zk_state o = state_of(z, tp_zeek_orig(z)), r = state_of(z, TP_PEER(tp_zeek_orig(z)));
    return (z->bits & ZK_ATTEMPT) && now >= c->first_ns + ZK_ATTEMPT_DELAY &&
           (o == ZK_SYN_SENT || o == ZK_SYN_ACK_SENT) && r == ZK_INACTIVE;
}

static bool timed_out(const tp_zeek *z, const tp_conn *c, int64_t now)
{
    if (z->closed_ms &&
        now >= c->first_ns + (int64_t)(z->closed_ms - 1) * NS_PER_MS + ZK_CLOSE_DELAY)
        return true;
    return attempt_removed(z, c, now) || expire_timer_removed(z, c, now) ||
           now >= c->last_ns + inactivity_ns[z->timeout];
}

/*
 * IsReuse: on a live 4-tuple only a SYN starts a new connection: any SYN once a side has
 * closed, otherwise one not from the originator's starting sequence number. A SYN-ACK counts
 * only while the originator has said nothing (then the responder's start is compared), and a
 * SYN that follows its own SYN-ACK is the reversed handshake, not reuse.
 */
static bool reuse(const tp_zeek *z, const tp_conn *c, const tp_segment *seg)
{
    tp_dir o = tp_zeek_orig(z), r = TP_PEER(o), who = o;

    if (!(seg->flags & TP_SYN))
        return false;
    if (seg->flags & TP_ACK) {
        if (state_of(z, o) != ZK_INACTIVE)
            return false;
        who = r;
    }
    if (any_ep_bit(z, ZK_EP_DID_CLOSE))
        return true;
    if (same_start(c, who, seg->seq))
        return false;
    return !(!(seg->flags & TP_ACK) && state_of(z, o) == ZK_SYN_ACK_SENT &&
             state_of(z, r) == ZK_INACTIVE && c->ep[o].ack_seen &&
             seg->seq == c->ep[o].max_ack - 1);
}

bool tp_zeek_new_session(const tp_zeek *z, const struct tp_conn *c, const tp_segment *seg)
{
    if (!(z->bits & ZK_STARTED))
        return false;
    return timed_out(z, c, seg->time_ns) || reuse(z, c, seg);
}

/* ---- conn_state --------------------------------------------------------------------------- */

/* main.zeek's /\^?S[^HAFGIQ]*R.* /: the originator's SYN, then its RST before anything that
 * would show the responder answered. */
static bool syn_then_rst(const char *h)
{
    if (*h == '^')
        h++;
    if (*h++ != 'S')
        return false;
    for (; *h; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h))
            return false;
    }
    return false;
}

static bool inactive(enum zk_state s)
{
    return s == ZK_INACTIVE || s == ZK_PARTIAL;
}

/* main.zeek, conn_state(): from the two endpoints' final states. */
static const char *conn_state(const tp_zeek *z)
{
    tp_dir o = tp_zeek_orig(z), r = TP_PEER(o);
    enum zk_state os = state_of(z, o), rs = state_of(z, r);

    if (rs == ZK_RESET) {
        if (os == ZK_SYN_SENT || os == ZK_SYN_ACK_SENT ||
            (os == ZK_RESET && !any_ep_bit(z, ZK_EP_DATA)))
            return "REJ";
        return inactive(os) ? "RSTRH" : "RSTR";
    }
    if (os == ZK_RESET) {
        if (inactive(rs))
            return syn_then_rst(z->history) ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (os == ZK_CLOSED && rs == ZK_CLOSED)
        return "SF";
    if (os == ZK_CLOSED)
        return inactive(rs) ? "SH" : "S2";
    if (rs == ZK_CLOSED)
        return inactive(os) ? "SHR" : "S3";
    if (os == ZK_SYN_SENT && rs == ZK_INACTIVE)
        return "S0";
    if (os == ZK_ESTABLISHED && rs == ZK_ESTABLISHED)
        return "S1";
    return "OTH";
}

void tp_zeek_summarize(const tp_zeek *z, const struct tp_conn *c, char *state, size_t state_size,
                       char *history, size_t history_size)
{
    (void)c;
    g_strlcpy(state, conn_state(z), state_size);
    g_strlcpy(history, z->history, history_size);
}
