/*
 * conn_text.c: the text of a connection's facts, shared by the tcpphase outputs.
 */
#include "conn_text.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <wsutil/inet_addr.h>

#define NS_PER_S INT64_C(1000000000)

size_t conn_fixed_len(const char *s, size_t size)
{
    const char *end = memchr(s, '\0', size);
    return end != NULL ? (size_t)(end - s) : size;
}

void conn_addr_text(const tp_addr *a, char *buf, size_t size)
{
    if (a->len == 4)
        ws_inet_ntop4(a->bytes, buf, size);
    else if (a->len == 16)
        ws_inet_ntop6(a->bytes, buf, size);
    else
        g_strlcpy(buf, "?", size);
}

void conn_flags_text(uint8_t flags, char *buf, size_t size)
{
    /* Low bit first, as Wireshark's Info column: [FIN, PSH, ACK], [SYN, ACK], [RST, ACK]. */
    static const struct {
        uint8_t bit;
        const char *name;
    } names[] = {{TP_FIN, "FIN"}, {TP_SYN, "SYN"}, {TP_RST, "RST"},
                 {TP_PSH, "PSH"}, {TP_ACK, "ACK"}, {TP_URG, "URG"}};
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (!(flags & names[i].bit))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", names[i].name);
        if (n < 0 || (size_t)n >= size - used)
            return; /* truncated; the buffer stays terminated */
        used += (size_t)n;
    }
    if (used == 0)
        g_strlcpy(buf, "none", size);
}

int64_t conn_diff_ns(int64_t from, int64_t to)
{
    /* In unsigned arithmetic, so that a distance wider than int64_t wraps instead of being
     * undefined, and is then saturated. */
    if (to >= from) {
        uint64_t d = (uint64_t)to - (uint64_t)from;
        return d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
    }
    uint64_t d = (uint64_t)from - (uint64_t)to;
    return d > (uint64_t)INT64_MAX ? -INT64_MAX : -(int64_t)d;
}

int64_t conn_span_ns(const tp_conn_summary *s)
{
    int64_t d = conn_diff_ns(s->first_ns, s->last_ns);
    return d > 0 ? d : 0;
}

void conn_ns_text(int64_t ns, char *buf, size_t size)
{
    /* Split with the sign apart so that -1 ns reads "-0.000000001", not "0.-00000001". */
    uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

    snprintf(buf, size, "%s%" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT, ns < 0 ? "-" : "",
             mag / (uint64_t)NS_PER_S, mag % (uint64_t)NS_PER_S);
}

void conn_iso_text(int64_t ns, char *buf, size_t size)
{
    /* Floor division: a time before 1970 still gets a fraction in [0, 1) s. */
    int64_t secs = ns / NS_PER_S, frac = ns % NS_PER_S;
    if (frac < 0) {
        frac += NS_PER_S;
        secs--;
    }
    GDateTime *dt = g_date_time_new_from_unix_utc(secs);
    if (dt == NULL) { /* outside the years 1-9999 */
        g_strlcpy(buf, "?", size);
        return;
    }
    gchar *day = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
    snprintf(buf, size, "%s.%06dZ", day ? day : "?", (int)(frac / 1000));
    g_free(day);
    g_date_time_unref(dt);
}

const char *conn_time_wait_holder(const tp_conn_summary *s)
{
    static const char *const names[4] = {"none", "client", "server", "both"};
    return names[(s->time_wait[TP_CLIENT] ? 1 : 0) | (s->time_wait[TP_SERVER] ? 2 : 0)];
}
