/*
 * ladder_seq.c: relative sequence and acknowledgment numbers for the ladder diagram.
 *
 * Each side's numbers count from its ISN, the sequence number of its SYN: a SYN is seq 0 and
 * the first data byte seq 1, as in Wireshark. A side seen without a SYN (picked up mid-stream,
 * a refusing RST) counts from the first number seen of it, which is 1, again as Wireshark does.
 *
 * A new incarnation of a 4-tuple may still carry numbers of the old one: a challenge ACK from a
 * peer that kept the old connection, the RST answering it. Such a number lies outside what the
 * side has used so far in this connection, but inside the previous incarnation's space, and is
 * shown relative to that, marked "(prev)" (as sample-pcaps/lib/signature does). Anything else
 * outside is shown relative to this connection, negative when it lies before the ISN.
 */
#include "ladder.h"

#include <stdio.h>

#include "conn_text.h"
#include "tcpphase.h"

/* Distance from base in sequence space, modulo 2^32. */
static uint32_t rel(uint32_t v, uint32_t base)
{
    return v - base;
}

static bool within(const seq_space *sp, uint32_t v)
{
    return sp->known && rel(v, sp->base) <= rel(sp->end, sp->base);
}

/* Writes v relative to cur (or prev, see above); true if it was taken as prev's. */
static bool number_text(seq_space *cur, const seq_space *prev, uint32_t v, char *buf, size_t size)
{
    if (!cur->known && (prev == NULL || !within(prev, v))) {
        /* First number of a side without a SYN: it is 1. */
        cur->known = true;
        cur->base = v - 1;
        cur->end = v;
    }
    if (!within(cur, v) && prev != NULL && within(prev, v)) {
        snprintf(buf, size, "%u(prev)", (unsigned)rel(v, prev->base));
        return true;
    }
    uint32_t d = rel(v, cur->base);
    if (d & 0x80000000u)
        snprintf(buf, size, "-%u", (unsigned)(0u - d));
    else
        snprintf(buf, size, "%u", (unsigned)d);
    return false;
}

/* The sequence space a segment occupies ends after its payload, SYN and FIN. A segment before
 * the base (another incarnation's) extends nothing. */
static void extend(seq_space *sp, const ladder_seg *s)
{
    if (rel(s->seq, sp->base) & 0x80000000u)
        return;
    uint32_t end = s->seq + s->len + ((s->flags & TP_SYN) ? 1 : 0) + ((s->flags & TP_FIN) ? 1 : 0);

    if (rel(end, sp->base) > rel(sp->end, sp->base))
        sp->end = end;
}

/* A SYN (re)starts its side's space; a retransmitted SYN with the same ISN changes nothing. */
static void note_syn(seq_space *sp, const ladder_seg *s)
{
    if ((s->flags & TP_SYN) && (!sp->known || sp->base != s->seq)) {
        sp->known = true;
        sp->base = sp->end = s->seq;
    }
}

void ladder_label(seq_spaces *cur, const seq_spaces *prev, const ladder_seg *s, char *buf,
                  size_t size)
{
    char flags[32], seq[24], ack[24];
    int d = s->sender ? TP_SERVER : TP_CLIENT, peer = TP_PEER(d);
    seq_space *own = &cur->side[d];

    note_syn(own, s);
    if (!number_text(own, prev ? &prev->side[d] : NULL, s->seq, seq, sizeof seq))
        extend(own, s);
    if (s->flags & TP_ACK)
        number_text(&cur->side[peer], prev ? &prev->side[peer] : NULL, s->ack, ack, sizeof ack);

    conn_flags_text(s->flags, flags, sizeof flags);
    int n = snprintf(buf, size, "%s seq=%s", flags, seq);
    if (n >= 0 && (size_t)n < size && (s->flags & TP_ACK))
        n += snprintf(buf + n, size - (size_t)n, " ack=%s", ack);
    if (n >= 0 && (size_t)n < size && s->len > 0)
        snprintf(buf + n, size - (size_t)n, " len=%u", (unsigned)s->len);
}

void ladder_walk(seq_spaces *cur, const ladder_seg *s)
{
    char buf[128];

    ladder_label(cur, NULL, s, buf, sizeof buf);
}
