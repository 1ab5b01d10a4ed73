/*
 * 4-tuples that the connection table's hash cannot tell apart stay separate connections.
 *
 * The table's hash (plugin/engine/conntable.c) is symmetric in the two endpoints, a sum of
 * their addresses and a sum of their ports, so that both directions of a connection find it.
 * Every pair of tuples with the same sums collides: A:p -> B:q and A:q -> B:p, or addresses
 * whose sums agree (10.0.0.1 with 10.0.0.4, 10.0.0.2 with 10.0.0.3). Only the table's
 * equality decides between them. This test opens such colliding connections side by side,
 * interleaves their segments in both directions, and checks that each segment lands on its own
 * connection and that each connection's summary shows only its own traffic. IPv4 and IPv6.
 */
#include "tcpphase.h"

#include "expect.h"

#include <stdio.h>
#include <string.h>

#define N_FLOWS 6

typedef struct flow {
    uint8_t host[2];  /* last byte of each side's address */
    uint16_t port[2]; /* each side's port */
    uint32_t conn;    /* its connection number, once opened */
    uint32_t frames[2];
} flow;

/* Every flow's hash sums equal another's: the ports swapped, or the address sums the same. */
static flow flows[N_FLOWS] = {
    {.host = {1, 4}, .port = {40000, 50000}}, {.host = {1, 4}, .port = {50000, 40000}},
    {.host = {2, 3}, .port = {40000, 50000}}, {.host = {2, 3}, .port = {50000, 40000}},
    {.host = {4, 1}, .port = {40001, 49999}}, {.host = {3, 2}, .port = {49999, 40001}},
};

static void addr_of(bool v6, uint8_t host, tp_addr *a)
{
    memset(a, 0, sizeof *a);
    a->len = v6 ? 16 : 4;
    a->bytes[0] = v6 ? 0x20 : 10;
    a->bytes[a->len - 1] = host;
}

static const tp_result *feed(tp_engine *e, bool v6, uint32_t frame, flow *f, tp_dir from,
                             uint8_t flags, uint32_t seq, uint32_t ack)
{
    tp_segment s = {.frame = frame,
                    .time_ns = (int64_t)frame * 1000000,
                    .flags = flags,
                    .seq = seq,
                    .ack = ack,
                    .window = 65535,
                    .wscale = -1};
    addr_of(v6, f->host[from], &s.src);
    addr_of(v6, f->host[TP_PEER(from)], &s.dst);
    s.sport = f->port[from];
    s.dport = f->port[TP_PEER(from)];
    f->frames[from]++;
    return tp_engine_feed(e, &s);
}

static void run(bool v6)
{
    tp_engine *e = tp_engine_new(NULL);
    uint32_t frame = 0;

    for (int i = 0; i < N_FLOWS; i++)
        memset(flows[i].frames, 0, sizeof flows[i].frames);
    /* Every flow's SYN first, so that all are in the table before any answer. */
    for (int i = 0; i < N_FLOWS; i++) {
        const tp_result *r = feed(e, v6, ++frame, &flows[i], TP_CLIENT, TP_SYN, 1000u * i, 0);
        EXPECT(r && r->conn == (uint32_t)i + 1, "v6=%d flow %d: SYN opens connection %d", v6, i,
               i + 1);
        flows[i].conn = r ? r->conn : 0;
    }
    /* Then the handshakes and ACKs, interleaved: the client completes its handshake in the
     * first round, and the sides take turns after that. */
    for (int i = 0; i < N_FLOWS; i++) {
        const tp_result *r =
            feed(e, v6, ++frame, &flows[i], TP_SERVER, TP_SYN | TP_ACK, 9000u * i, 1000u * i + 1);
        EXPECT(r && r->conn == flows[i].conn && r->sender == TP_SERVER &&
                   r->role == TP_ROLE_SYN_ACK,
               "v6=%d flow %d: SYN-ACK", v6, i);
    }
    for (int round = 0; round < 3; round++) {
        for (int i = N_FLOWS - 1; i >= 0; i--) {
            tp_dir from = round > 0 && (round + i) % 2 ? TP_SERVER : TP_CLIENT;
            const tp_result *r = feed(e, v6, ++frame, &flows[i], from, TP_ACK,
                                      from == TP_CLIENT ? 1000u * i + 1 : 9000u * i + 1,
                                      from == TP_CLIENT ? 9000u * i + 1 : 1000u * i + 1);
            EXPECT(r && r->conn == flows[i].conn && r->sender == from &&
                       r->after[TP_CLIENT] == TP_ESTABLISHED &&
                       r->after[TP_SERVER] == TP_ESTABLISHED,
                   "v6=%d flow %d round %d: ACK from %s", v6, i, round,
                   from == TP_CLIENT ? "client" : "server");
        }
    }
    EXPECT(tp_engine_conn_count(e) == N_FLOWS, "v6=%d: %u connections", v6,
           tp_engine_conn_count(e));
    for (int i = 0; i < N_FLOWS; i++) {
        tp_conn_summary o;
        EXPECT(tp_engine_conn(e, flows[i].conn, &o), "v6=%d flow %d: no summary", v6, i);
        for (int d = 0; d < 2; d++) {
            EXPECT(o.port[d] == flows[i].port[d], "v6=%d flow %d: port %d", v6, i, d);
            EXPECT(o.addr[d].bytes[o.addr[d].len - 1] == flows[i].host[d],
                   "v6=%d flow %d: address %d", v6, i, d);
            EXPECT(o.frames[d] == flows[i].frames[d], "v6=%d flow %d: %u frames from %d, fed %u",
                   v6, i, o.frames[d], d, flows[i].frames[d]);
        }
    }
    tp_engine_free(e);
}

int main(void)
{
    run(false);
    run(true);
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    return failures != 0;
}
