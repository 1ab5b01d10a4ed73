/*
 * tcpphase engine: scans. A port scan is one event, not a connection per port: an unanswered
 * SYN leaves no state on either host (RFC 9293 3.5.2: no connection, so nothing half-open), and
 * a probe no state accepts is no part of any connection (probe.c). So the attempts of one host
 * on another (the connections its SYNs and probes open) are counted per host pair: the ports
 * tried, and what each answered (SYN-ACK: open; RST: closed, or for a lone ACK, unfiltered;
 * nothing: filtered or, for a probe, open). A pair is a scan when its client tried at least
 * SCAN_PORTS ports and most of them did not become connections, or sent SCAN_PROBES probes no
 * state accepts (OS detection probes only a few ports). Zeek's scan policy counts distinct ports
 * the same way; tcpphase also names the scan from the probes' flags (nmap's -sS, -sT, -sA,
 * -sF, -sN, -sX and -O).
 *
 * Memory: a record per host pair with attempts, and a port set only once a pair has tried a
 * second port; an ordinary client (one service per server) never makes one.
 */
#include "scan.h"

#include <string.h>

#define SCAN_PORTS  5 /* distinct ports tried */
#define SCAN_PROBES 3 /* segments no state accepts */

typedef struct pair {
    uint8_t len;                         /* address length, 4 or 16 */
    uint8_t addr[2][16];                 /* scanner, target */
    uint32_t first_frame;                /* the first attempt */
    uint32_t ports;                      /* distinct ports tried */
    uint32_t open, closed;               /* ports with that answer */
    uint32_t completed;                  /* open ports whose handshake the scanner completed */
    uint32_t kinds[TP_PROBE_KIND_COUNT]; /* attempts by opening flags */
    uint16_t first_port;
    uint8_t first_status;       /* tp_scan_answer bits of first_port, while port_status is NULL */
    uint32_t *port_status;      /* the port set from the second port on: (port + 1) << 8 | answer
                                   bits, 0 empty; open addressing, at most half full */
    uint32_t port_mask;         /* its entries less one */
    uint32_t index;             /* its place among the scans, plus one; 0: not (yet) a scan */
    uint32_t early[SCAN_PORTS]; /* connections its lone ACKs opened before it was a scan */
    uint8_t n_early;
} pair;

/* A slot of the pair index: the pair's hash and its place in `all`, plus one (0: empty). */
typedef struct pair_slot {
    uint32_t hash;
    uint32_t index;
} pair_slot;

/*
 * Every connection's opening, and its SYN-ACK and handshake ACK, look their host pair up, so
 * the pairs are indexed the way conntable.c indexes 4-tuples: open addressing on the pair's
 * hash, read from the addresses where they are (the segment, or the connection record), with
 * no key built; and a pair's port set is an array of words. With glib hash tables (a key
 * copied out of the record, two callbacks a look-up, a table per port set) these cost about
 * 130 instructions a segment on the bench mix, which has no scan at all.
 */
struct tp_scans {
    pair_slot *slots; /* the pair index, at most half full */
    uint32_t mask;    /* slots less one */
    GPtrArray *all;   /* every pair with attempts, owned */
    GPtrArray *order; /* the pairs that are scans, by first attempt */
};

#define PAIR_SLOTS_MIN 64u
#define PORT_SLOTS_MIN 8u

/* The address pair as words, each multiplied by its own large odd constant: the high half of
 * the sum is the hash (multiplicative hashing, as conntable.c's). */
static uint32_t pair_hash(const uint8_t *scanner, const uint8_t *target, uint8_t len)
{
    uint64_t h;
    if (len == 4) {
        uint32_t a, b;
        memcpy(&a, scanner, 4);
        memcpy(&b, target, 4);
        h = a * 0x9e3779b97f4a7c15ull + b * 0xc2b2ae3d27d4eb4full;
    } else {
        uint64_t w[4];
        memcpy(w, scanner, 16);
        memcpy(w + 2, target, 16);
        h = w[0] * 0x9e3779b97f4a7c15ull + w[1] * 0xc2b2ae3d27d4eb4full +
            w[2] * 0x165667b19e3779f9ull + w[3] * 0x27d4eb2f165667c5ull + 16;
    }
    return (uint32_t)(h >> 32);
}

/* The first slot to probe for a hash: its top bits, as many as the table has slots. */
static inline uint32_t slot_of(uint32_t hash, uint32_t mask)
{
    return (uint32_t)(((uint64_t)hash * (mask + 1ull)) >> 32);
}

static void pair_free(gpointer p)
{
    pair *x = p;
    g_free(x->port_status);
    g_free(x);
}

tp_scans *tp_scans_new(void)
{
    tp_scans *s = g_new0(tp_scans, 1);
    s->slots = g_new0(pair_slot, PAIR_SLOTS_MIN);
    s->mask = PAIR_SLOTS_MIN - 1;
    s->all = g_ptr_array_new_with_free_func(pair_free);
    s->order = g_ptr_array_new();
    return s;
}

void tp_scans_free(tp_scans *s)
{
    if (!s)
        return;
    g_ptr_array_free(s->order, TRUE);
    g_ptr_array_free(s->all, TRUE);
    g_free(s->slots);
    g_free(s);
}

/* Addresses of one length, compared with a constant size the compiler does inline. */
static inline bool addr_equal(const uint8_t *a, const uint8_t *b, uint8_t len)
{
    return len == 4 ? memcmp(a, b, 4) == 0 : memcmp(a, b, 16) == 0;
}

/* The slot of the pair (scanner, target), or the empty slot where it would go. */
static inline pair_slot *probe(const tp_scans *s, const uint8_t *scanner, const uint8_t *target,
                               uint8_t len, uint32_t hash)
{
    for (uint32_t i = slot_of(hash, s->mask);; i = (i + 1) & s->mask) {
        pair_slot *slot = &s->slots[i];
        if (slot->index == 0)
            return slot;
        const pair *p = g_ptr_array_index(s->all, slot->index - 1);
        if (slot->hash == hash && p->len == len && addr_equal(p->addr[0], scanner, len) &&
            addr_equal(p->addr[1], target, len))
            return slot;
    }
}

static inline pair *lookup(const tp_scans *s, const uint8_t *scanner, const uint8_t *target,
                           uint8_t len)
{
    const pair_slot *slot = probe(s, scanner, target, len, pair_hash(scanner, target, len));
    return slot->index ? g_ptr_array_index(s->all, slot->index - 1) : NULL;
}

/* Twice the slots once half are used: probe sequences stay short and always end. */
static void grow(tp_scans *s)
{
    pair_slot *old = s->slots;
    uint32_t n = s->mask + 1;
    s->mask = 2 * n - 1;
    s->slots = g_new0(pair_slot, 2 * (size_t)n);
    for (uint32_t k = 0; k < n; k++) {
        if (old[k].index == 0)
            continue;
        uint32_t i = slot_of(old[k].hash, s->mask);
        while (s->slots[i].index != 0)
            i = (i + 1) & s->mask;
        s->slots[i] = old[k];
    }
    g_free(old);
}

/* The pair of seg's source and destination, made on its first attempt. */
static pair *pair_of_segment(tp_scans *s, const tp_segment *seg)
{
    uint32_t hash = pair_hash(seg->src.bytes, seg->dst.bytes, seg->src.len);
    pair_slot *slot = probe(s, seg->src.bytes, seg->dst.bytes, seg->src.len, hash);
    if (slot->index)
        return g_ptr_array_index(s->all, slot->index - 1);
    pair *p = g_new0(pair, 1);
    p->len = seg->src.len;
    memcpy(p->addr[0], seg->src.bytes, p->len);
    memcpy(p->addr[1], seg->dst.bytes, p->len);
    p->first_frame = seg->frame;
    g_ptr_array_add(s->all, p);
    slot->hash = hash;
    slot->index = s->all->len;
    if (2 * (uint64_t)s->all->len > s->mask + 1ull)
        grow(s);
    return p;
}

static inline pair *find_conn(const tp_scans *s, const tp_conn *c)
{
    return lookup(s, tp_conn_addr_bytes(c, TP_CLIENT), tp_conn_addr_bytes(c, TP_SERVER),
                  c->v6 ? 16 : 4);
}

static uint32_t total(const pair *p, tp_probe_kind from, tp_probe_kind to)
{
    uint32_t n = 0;
    for (unsigned k = from; k <= to; k++)
        n += p->kinds[k];
    return n;
}

/* Most of its ports did not become connections, or it sent probes no state accepts. */
static bool is_scan(const pair *p)
{
    return total(p, TP_PROBE_FIN, TP_PROBE_OTHER) >= SCAN_PROBES ||
           (p->ports >= SCAN_PORTS && 2 * p->completed < p->ports);
}

static inline bool promote(tp_scans *s, pair *p)
{
    if (!p->index && is_scan(p)) {
        g_ptr_array_add(s->order, p);
        p->index = s->order->len;
        return true;
    }
    return false;
}

/* The entry of port in p's port set, or the empty one where it would go. */
static uint32_t *port_entry(const pair *p, uint16_t port)
{
    uint32_t key = (uint32_t)port + 1u;
    for (uint32_t i = slot_of(port * 0x9e3779b1u, p->port_mask);; i = (i + 1) & p->port_mask) {
        uint32_t *e = &p->port_status[i];
        if (*e == 0 || *e >> 8 == key)
            return e;
    }
}

/* Twice the entries once half are used. */
static void grow_ports(pair *p)
{
    uint32_t *old = p->port_status, n = p->port_mask + 1;
    p->port_mask = 2 * n - 1;
    p->port_status = g_new0(uint32_t, 2 * (size_t)n);
    for (uint32_t k = 0; k < n; k++)
        if (old[k])
            *port_entry(p, (uint16_t)((old[k] >> 8) - 1)) = old[k];
    g_free(old);
}

/* Adds port to the ports tried, once. */
static void add_port(pair *p, uint16_t port)
{
    if (p->ports == 0) {
        p->first_port = port;
        p->ports = 1;
        return;
    }
    if (!p->port_status) {
        if (port == p->first_port)
            return;
        p->port_mask = PORT_SLOTS_MIN - 1;
        p->port_status = g_new0(uint32_t, PORT_SLOTS_MIN);
        *port_entry(p, p->first_port) = ((uint32_t)p->first_port + 1u) << 8 | p->first_status;
    }
    uint32_t *e = port_entry(p, port);
    if (*e == 0) {
        *e = ((uint32_t)port + 1u) << 8;
        if (2 * (uint64_t)++p->ports > p->port_mask + 1ull)
            grow_ports(p);
    }
}

/* Sets answer bits on a port tried; counts each answer once per port. */
static void mark(pair *p, uint16_t port, uint8_t bits)
{
    uint8_t old;
    if (!p->port_status) {
        if (p->ports == 0 || port != p->first_port)
            return;
        old = p->first_status;
        p->first_status |= bits;
    } else {
        uint32_t *e = port_entry(p, port);
        if (*e == 0)
            return;
        old = (uint8_t)*e;
        *e |= bits;
    }
    /* A port is open once it answered SYN-ACK, whatever else it answered (an OS-detection
     * run sends an open port probes it resets); closed when it only answered RST. */
    uint8_t now = (uint8_t)(old | bits);
    bool was_closed = (old & TP_ANSWER_CLOSED) && !(old & TP_ANSWER_OPEN);
    bool is_closed = (now & TP_ANSWER_CLOSED) && !(now & TP_ANSWER_OPEN);
    p->open += (now & TP_ANSWER_OPEN) && !(old & TP_ANSWER_OPEN);
    p->closed = p->closed + is_closed - was_closed;
    p->completed += (now & TP_ANSWER_COMPLETED) && !(old & TP_ANSWER_COMPLETED);
}

bool tp_scans_attempt(tp_scans *s, tp_conn *c, const tp_segment *seg)
{
    pair *p = pair_of_segment(s, seg);
    add_port(p, seg->dport);
    p->kinds[tp_probe_kind_of(seg->flags)]++;
    c->scan_attempt = true;
    bool ack = tp_probe_kind_of(seg->flags) == TP_PROBE_ACK;
    if (promote(s, p))
        return true; /* c itself is the engine's to name: it is being read */
    if (!p->index && ack && p->n_early < SCAN_PORTS)
        p->early[p->n_early++] = c->id;
    return false;
}

size_t tp_scans_early_acks(tp_scans *s, const tp_segment *seg, uint32_t *ids, size_t max)
{
    pair *p = lookup(s, seg->src.bytes, seg->dst.bytes, seg->src.len);
    size_t n = 0;
    if (!p)
        return 0;
    for (; n < p->n_early && n < max; n++)
        ids[n] = p->early[n];
    p->n_early = 0;
    return n;
}

void tp_scans_answer(tp_scans *s, const tp_conn *c, tp_scan_answer a)
{
    pair *p = c->scan_attempt ? find_conn(s, c) : NULL;
    if (!p)
        return;
    mark(p, c->port[TP_SERVER], (uint8_t)a);
    if (promote(s, p))
        p->n_early = 0; /* promoted by an answer: its lone ACKs' connections stay as read */
}

bool tp_scans_active(const tp_scans *s, const tp_segment *seg)
{
    const pair *p = lookup(s, seg->src.bytes, seg->dst.bytes, seg->src.len);
    return p && p->index;
}

bool tp_scans_member(const tp_scans *s, const tp_conn *c, bool *first)
{
    const pair *p = c->scan_attempt ? find_conn(s, c) : NULL;
    if (!p || !p->index)
        return false;
    if (first)
        *first = p->first_frame == c->first_frame;
    return true;
}

/* The type from the opening flags: several kinds of probes is OS detection; otherwise the most
 * common opening (SYNs: connect when the scanner completed the open ports' handshakes). */
static tp_scan_type type_of(const pair *p)
{
    static const tp_scan_type by_kind[TP_PROBE_KIND_COUNT] = {
        [TP_PROBE_SYN] = TP_SCAN_SYN,   [TP_PROBE_ACK] = TP_SCAN_ACK,
        [TP_PROBE_FIN] = TP_SCAN_FIN,   [TP_PROBE_NULL] = TP_SCAN_NULL,
        [TP_PROBE_XMAS] = TP_SCAN_XMAS, [TP_PROBE_OTHER] = TP_SCAN_OS,
    };
    int kinds = 0, best = TP_PROBE_SYN;
    for (int k = TP_PROBE_FIN; k < TP_PROBE_KIND_COUNT; k++)
        kinds += p->kinds[k] > 0;
    if (kinds >= 2 || p->kinds[TP_PROBE_OTHER] > 0)
        return TP_SCAN_OS;
    for (int k = 0; k < TP_PROBE_KIND_COUNT; k++)
        if (p->kinds[k] > p->kinds[best])
            best = k;
    if (best == TP_PROBE_SYN && p->completed > 0)
        return TP_SCAN_CONNECT;
    return by_kind[best];
}

static void summarize(const pair *p, tp_scan_summary *out)
{
    memset(out, 0, sizeof *out);
    out->scanner.len = out->target.len = p->len;
    memcpy(out->scanner.bytes, p->addr[0], p->len);
    memcpy(out->target.bytes, p->addr[1], p->len);
    out->first_frame = p->first_frame;
    out->ports = p->ports;
    out->open = p->open;
    out->closed = p->closed;
    out->silent = p->ports - (p->open + p->closed <= p->ports ? p->open + p->closed : p->ports);
    out->probes = total(p, TP_PROBE_FIN, TP_PROBE_OTHER);
    out->type = type_of(p);
}

uint32_t tp_scans_count(const tp_scans *s)
{
    return s ? s->order->len : 0;
}

bool tp_scans_get(const tp_scans *s, uint32_t i, tp_scan_summary *out)
{
    if (!s || i >= s->order->len)
        return false;
    summarize(g_ptr_array_index(s->order, i), out);
    return true;
}

bool tp_scans_of(const tp_scans *s, const tp_conn *c, tp_scan_summary *out)
{
    const pair *p = c->scan_attempt ? find_conn(s, c) : NULL;
    if (!p || !p->index)
        return false;
    summarize(p, out);
    return true;
}
