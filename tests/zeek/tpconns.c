/*
 * tpconns: runs the tcpphase engine over segments given as tshark fields and prints one line per
 * connection with Zeek's view of it, for the comparison with Zeek's own baselines (compare).
 *
 * Input on stdin, one segment a line, tab-separated, as printed by
 *
 *   tshark -r TRACE -T fields -E separator=/t -e frame.number -e frame.time_epoch -e ip.src
 *     -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport -e tcp.seq_raw
 *     -e tcp.ack_raw -e tcp.flags -e tcp.len -e tcp.window_size_value
 *     -e tcp.options.wscale.shift -e tcp.options.timestamp.tsval
 *     -e tcp.options.timestamp.tsecr [-e frame.protocols] -Y "tcp and not icmp and not icmpv6"
 *
 * A tunnelled frame has several values in a field, comma-separated: the last is the innermost.
 * When a frame carries both IPv4 and IPv6 headers (Teredo, 6in4, GTP over IPv6), the optional
 * frame.protocols column says which of them is the inner one; without it IPv6 is taken.
 *
 * Output, tab-separated, one line per connection in order of appearance:
 *   orig_h orig_p resp_h resp_p conn_state history occurrence conn first_frame last_frame open
 * close where orig is Zeek's originator and occurrence the n-th connection on the same (unordered)
 * 4-tuple.
 *
 * Options: --time-wait S (the engine's TIME-WAIT period), --zeek-sessions (start connections
 * where Zeek's session timers would; see tp_config).
 */
#include "tcpphase.h"

#include <arpa/inet.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    F_FRAME,
    F_TIME,
    F_IP_SRC,
    F_IP_DST,
    F_IP6_SRC,
    F_IP6_DST,
    F_SPORT,
    F_DPORT,
    F_SEQ,
    F_ACK,
    F_FLAGS,
    F_LEN,
    F_WIN,
    F_WSCALE,
    F_TSVAL,
    F_TSECR,
    F_PROTOCOLS,
    F_COUNT
};

/* The last comma-separated value of a field: the innermost header's. */
static const char *last_value(const char *field)
{
    const char *comma = strrchr(field, ',');
    return comma ? comma + 1 : field;
}

static unsigned long long number(const char *field, int base)
{
    return strtoull(last_value(field), NULL, base);
}

static bool parse_addr(const char *field, int family, tp_addr *out)
{
    char buf[INET6_ADDRSTRLEN + 1];
    g_strlcpy(buf, last_value(field), sizeof buf);
    out->len = family == AF_INET ? 4 : 16;
    return buf[0] && inet_pton(family, buf, out->bytes) == 1;
}

/* Is IPv6 the innermost network layer? frame.protocols lists the layers outside in. */
static bool inner_is_ipv6(const char *protocols)
{
    const char *v4 = NULL, *v6 = NULL;
    for (const char *p = protocols; (p = strstr(p, "ip")) != NULL; p++) {
        bool start = p == protocols || p[-1] == ':';
        if (start && strncmp(p, "ipv6:", 5) == 0)
            v6 = p;
        else if (start && strncmp(p, "ip:", 3) == 0)
            v4 = p;
    }
    return v6 && (!v4 || v6 > v4);
}

static bool parse_addrs(char **f, int n, tp_segment *seg)
{
    bool have4 = f[F_IP_SRC][0] != '\0', have6 = f[F_IP6_SRC][0] != '\0';
    bool use6 = have6 && (!have4 || n <= F_PROTOCOLS || inner_is_ipv6(f[F_PROTOCOLS]));
    int family = use6 ? AF_INET6 : AF_INET;
    return parse_addr(f[use6 ? F_IP6_SRC : F_IP_SRC], family, &seg->src) &&
           parse_addr(f[use6 ? F_IP6_DST : F_IP_DST], family, &seg->dst);
}

/* "1300475169.780331000" to nanoseconds. */
static int64_t parse_time(const char *s)
{
    char *end;
    int64_t ns = (int64_t)strtoll(s, &end, 10) * 1000000000;
    if (*end == '.') {
        int64_t scale = 100000000;
        for (const char *p = end + 1; *p >= '0' && *p <= '9' && scale > 0; p++, scale /= 10)
            ns += (*p - '0') * scale;
    }
    return ns;
}

static bool parse_segment(char *line, tp_segment *seg)
{
    char *f[F_COUNT];
    int n = 0;
    for (char *p = line; n < F_COUNT;) {
        f[n++] = p;
        p = strchr(p, '\t');
        if (!p)
            break;
        *p++ = '\0';
    }
    if (n < F_TSECR + 1)
        return false;
    memset(seg, 0, sizeof *seg);
    seg->frame = (uint32_t)number(f[F_FRAME], 10);
    seg->time_ns = parse_time(f[F_TIME]);
    seg->sport = (uint16_t)number(f[F_SPORT], 10);
    seg->dport = (uint16_t)number(f[F_DPORT], 10);
    seg->seq = (uint32_t)number(f[F_SEQ], 10);
    seg->ack = (uint32_t)number(f[F_ACK], 10);
    seg->flags = (uint8_t)(number(f[F_FLAGS], 16) & 0x3f);
    seg->len = (uint32_t)number(f[F_LEN], 10);
    seg->window = (uint32_t)number(f[F_WIN], 10);
    seg->wscale = f[F_WSCALE][0] ? (int8_t)number(f[F_WSCALE], 10) : -1;
    seg->has_ts = f[F_TSVAL][0] != '\0';
    seg->tsval = (uint32_t)number(f[F_TSVAL], 10);
    seg->tsecr = (uint32_t)number(f[F_TSECR], 10);
    return f[F_SPORT][0] && parse_addrs(f, n, seg);
}

static void format_addr(const tp_addr *a, char *buf, size_t size)
{
    inet_ntop(a->len == 4 ? AF_INET : AF_INET6, a->bytes, buf, (socklen_t)size);
}

/* The occurrence of a connection: how many connections on its unordered 4-tuple so far. */
static unsigned occurrence(GHashTable *seen, const char *a, uint16_t pa, const char *b, uint16_t pb)
{
    char *key = strcmp(a, b) < 0 || (strcmp(a, b) == 0 && pa < pb)
                    ? g_strdup_printf("%s|%u|%s|%u", a, pa, b, pb)
                    : g_strdup_printf("%s|%u|%s|%u", b, pb, a, pa);
    unsigned n = GPOINTER_TO_UINT(g_hash_table_lookup(seen, key)) + 1;
    g_hash_table_replace(seen, key, GUINT_TO_POINTER(n));
    return n;
}

static void print_conns(const tp_engine *e)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (uint32_t id = 1; id <= tp_engine_conn_count(e); id++) {
        tp_conn_summary s;
        char o[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
        if (!tp_engine_conn(e, id, &s))
            continue;
        tp_dir od = s.zeek_orig, rd = TP_PEER(s.zeek_orig);
        format_addr(&s.addr[od], o, sizeof o);
        format_addr(&s.addr[rd], r, sizeof r);
        unsigned occ = occurrence(seen, o, s.port[od], r, s.port[rd]);
        printf("%s\t%u\t%s\t%u\t%s\t%s\t%u\t%u\t%u\t%u\t%s\t%s\n", o, s.port[od], r, s.port[rd],
               s.zeek_state, s.history[0] ? s.history : "-", occ, s.conn, s.first_frame,
               s.last_frame, tp_open_name(s.open), tp_close_name(s.close));
    }
    g_hash_table_destroy(seen);
}

static int usage(void)
{
    fprintf(stderr, "usage: tpconns [--time-wait SECONDS] [--zeek-sessions] < segments.tsv\n");
    return 2;
}

int main(int argc, char **argv)
{
    tp_config cfg = {.time_wait_s = 60.0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--time-wait") == 0 && i + 1 < argc)
            cfg.time_wait_s = atof(argv[++i]);
        else if (strcmp(argv[i], "--zeek-sessions") == 0)
            cfg.zeek_sessions = true;
        else
            return usage();
    }
    tp_engine *e = tp_engine_new(&cfg);
    char *line = NULL;
    size_t cap = 0;
    unsigned long skipped = 0;
    while (getline(&line, &cap, stdin) > 0) {
        tp_segment seg;
        line[strcspn(line, "\r\n")] = '\0';
        if (!parse_segment(line, &seg) || !tp_engine_feed(e, &seg))
            skipped++;
    }
    free(line);
    print_conns(e);
    if (skipped)
        fprintf(stderr, "tpconns: %lu lines skipped\n", skipped);
    tp_engine_free(e);
    return 0;
}
