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
    GHashTable *port_status;    /* port -> tp_scan_answer bits, from the second port on */
    uint32_t index;             /* its place among the scans, plus one; 0: not (yet) a scan */
    uint32_t early[SCAN_PORTS]; /* connections its lone ACKs opened before it was a scan */
    uint8_t n_early;
} pair;

struct tp_scans {
    GHashTable *pairs; /* pair (its addresses) -> itself */
    GPtrArray *order;  /* the pairs that are scans, by first attempt */
};

/* The address pair as four words (an IPv4 pair's bytes past its addresses are zero, see key_of),
 * each multiplied by its own large odd constant: the high half of the sum is the hash
 * (multiplicative hashing, as conntable.c's). A byte loop with a division per byte cost about
 * 60 instructions a look-up, made for every SYN. */
static guint pair_hash(gconstpointer k)
{
    const pair *p = k;
    uint64_t w[4];
    memcpy(w, p->addr, sizeof w);
    uint64_t h = w[0] * 0x9e3779b97f4a7c15ull + w[1] * 0xc2b2ae3d27d4eb4full +
                 w[2] * 0x165667b19e3779f9ull + w[3] * 0x27d4eb2f165667c5ull + p->len;
    return (guint)(h >> 32);
}

static gboolean pair_equal(gconstpointer a, gconstpointer b)
{
    const pair *x = a, *y = b;
    return x->len == y->len && memcmp(x->addr, y->addr, sizeof x->addr) == 0;
}

static void pair_free(gpointer p)
{
    pair *x = p;
    if (x->port_status)
        g_hash_table_destroy(x->port_status);
    g_free(x);
}

tp_scans *tp_scans_new(void)
{
    tp_scans *s = g_new0(tp_scans, 1);
    s->pairs = g_hash_table_new_full(pair_hash, pair_equal, NULL, pair_free);
    s->order = g_ptr_array_new();
    return s;
}

void tp_scans_free(tp_scans *s)
{
    if (!s)
        return;
    g_ptr_array_free(s->order, TRUE);
    g_hash_table_destroy(s->pairs);
    g_free(s);
}

/* A look-up key: the addresses alone (pair_hash and pair_equal read nothing else), zero past
 * their length. */
static void key_of(pair *k, const tp_addr *scanner, const tp_addr *target)
{
    memset(k->addr, 0, sizeof k->addr);
    k->len = scanner->len;
    memcpy(k->addr[0], scanner->bytes, scanner->len);
    memcpy(k->addr[1], target->bytes, target->len);
}

static pair *find_conn(const tp_scans *s, const tp_conn *c)
{
    pair k;
    tp_addr a, b;
    tp_conn_addr(c, TP_CLIENT, &a);
    tp_conn_addr(c, TP_SERVER, &b);
    key_of(&k, &a, &b);
    return g_hash_table_lookup(s->pairs, &k);
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

static bool promote(tp_scans *s, pair *p)
{
    if (!p->index && is_scan(p)) {
        g_ptr_array_add(s->order, p);
        p->index = s->order->len;
        return true;
    }
    return false;
}

/* Port keys and answer values in the port set: never NULL, so a miss is told apart. */
#define PORT_KEY(port) GUINT_TO_POINTER((guint)(port) + 1u)
#define BITS_VAL(bits) GUINT_TO_POINTER((guint)(bits) | 0x100u)

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
        p->port_status = g_hash_table_new(g_direct_hash, g_direct_equal);
        g_hash_table_insert(p->port_status, PORT_KEY(p->first_port), BITS_VAL(p->first_status));
    }
    if (!g_hash_table_contains(p->port_status, PORT_KEY(port))) {
        g_hash_table_insert(p->port_status, PORT_KEY(port), BITS_VAL(0));
        p->ports++;
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
        gpointer v = g_hash_table_lookup(p->port_status, PORT_KEY(port));
        if (!v)
            return;
        old = (uint8_t)GPOINTER_TO_UINT(v);
        g_hash_table_insert(p->port_status, PORT_KEY(port), BITS_VAL(old | bits));
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
    pair k;
    key_of(&k, &seg->src, &seg->dst);
    pair *p = g_hash_table_lookup(s->pairs, &k);
    if (!p) {
        p = g_new0(pair, 1);
        p->len = k.len;
        memcpy(p->addr, k.addr, sizeof p->addr);
        p->first_frame = seg->frame;
        g_hash_table_insert(s->pairs, p, p);
    }
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
    pair k;
    key_of(&k, &seg->src, &seg->dst);
    pair *p = g_hash_table_lookup(s->pairs, &k);
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
    pair k;
    key_of(&k, &seg->src, &seg->dst);
    const pair *p = g_hash_table_lookup(s->pairs, &k);
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
