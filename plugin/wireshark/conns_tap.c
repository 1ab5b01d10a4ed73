/*
 * conns_tap.c: tshark -q -z tcpphase,conns[,filter] -- one tab-separated line per connection.
 *
 * The tap's packet callback only notes which connections have a frame that passes the filter;
 * the draw callback, which runs once the whole capture has been read, writes each noted
 * connection's summary as the engine holds it then. So the table is the same in a single pass
 * and with -2 (except where the filter itself names two-pass fields: tcpphase.conn.*, or
 * hindsight expert items, which only a -2 run can match).
 *
 * The output is a header line and rows, nothing else, so it loads as it is into a spreadsheet
 * or pandas (read_csv(sep="\t")).
 */
#include <wireshark.h>

#include <stdio.h>
#include <string.h>

#include <epan/stat_tap_ui.h>

#include "conn_text.h"
#include "capture_file.h"
#include "taps.h"
#include "ws_compat.h"

#define CONNS_ARG "tcpphase,conns"

typedef struct conns_tap {
    conn_set selected;
} conns_tap;

static const char *const columns[] = {
    "conn",         "incarnation",  "start_epoch",      "start_utc", "client_addr", "client_port",
    "server_addr",  "server_port",  "duration",         "open",      "close",       "zeek_state",
    "history",      "zeek_orig",    "bytes_c2s",        "bytes_s2c", "frames_c2s",  "frames_s2c",
    "client_final", "server_final", "time_wait_holder", "seen",
};

static void conns_reset(void *tapdata)
{
    conn_set_clear(&((conns_tap *)tapdata)->selected);
}

static tap_packet_status conns_packet(void *tapdata, packet_info *pinfo _U_,
                                      epan_dissect_t *edt _U_, const void *data,
                                      tap_flags_t flags _U_)
{
    const tcpphase_tap_rec *rec = (const tcpphase_tap_rec *)data;

    if (rec != NULL && rec->result.conn != 0)
        conn_set_add(&((conns_tap *)tapdata)->selected, rec->result.conn);
    return TAP_PACKET_DONT_REDRAW;
}

/* A fixed-size string of the summary, which may lack its terminator: print at most its size. */
#define FIXED(field) (int)conn_fixed_len((field), sizeof(field)), (field)

static void print_row(const tp_conn_summary *s)
{
    char start[32], iso[48], duration[32], caddr[CONN_ADDR_STRLEN], saddr[CONN_ADDR_STRLEN];

    conn_ns_text(s->first_ns, start, sizeof start);
    conn_iso_text(s->first_ns, iso, sizeof iso);
    conn_ns_text(conn_span_ns(s), duration, sizeof duration);
    conn_addr_text(&s->addr[TP_CLIENT], caddr, sizeof caddr);
    conn_addr_text(&s->addr[TP_SERVER], saddr, sizeof saddr);

    printf("%u\t%u\t%s\t%s\t%s\t%u\t%s\t%u\t%s\t%s\t%s\t%.*s\t%.*s\t%s\t%" G_GUINT64_FORMAT
           "\t%" G_GUINT64_FORMAT "\t%u\t%u\t%s\t%s\t%s\t%s\n",
           s->conn, s->incarnation, start, iso, caddr, s->port[TP_CLIENT], saddr,
           s->port[TP_SERVER], duration, tp_open_name(s->open), tp_close_name(s->close),
           FIXED(s->zeek_state), FIXED(s->history), tp_dir_name(s->zeek_orig), s->bytes[TP_CLIENT],
           s->bytes[TP_SERVER], s->frames[TP_CLIENT], s->frames[TP_SERVER],
           tp_state_name(s->state[TP_CLIENT]), tp_state_name(s->state[TP_SERVER]),
           conn_time_wait_holder(s), tp_seen_name(s->seen));
}

/* The scans, after the connections, as "# scan" lines of key=value words: no tab, so readers
 * of the connection rows pass over them; none at all where the capture holds no scan. */
static void print_scans(const tp_engine *engine)
{
    uint32_t n = engine != NULL ? tp_engine_scan_count(engine) : 0;
    char scanner[CONN_ADDR_STRLEN], target[CONN_ADDR_STRLEN];
    tp_scan_summary s;

    for (uint32_t i = 0; i < n; i++) {
        if (!tp_engine_scan(engine, i, &s))
            continue;
        conn_addr_text(&s.scanner, scanner, sizeof scanner);
        conn_addr_text(&s.target, target, sizeof target);
        printf("# scan type=%s scanner=%s target=%s first_frame=%u ports=%u open=%u closed=%u "
               "no_answer=%u probes=%u\n",
               tp_scan_type_name(s.type), scanner, target, s.first_frame, s.ports, s.open, s.closed,
               s.silent, s.probes);
    }
}

static void conns_draw(void *tapdata)
{
    const conns_tap *tap = (const conns_tap *)tapdata;
    const tp_engine *engine = tcpphase_engine();
    uint32_t count = engine != NULL ? tp_engine_conn_count(engine) : 0;

    for (size_t i = 0; i < G_N_ELEMENTS(columns); i++)
        printf("%s%s", i ? "\t" : "", columns[i]);
    printf("\n");
    for (uint32_t conn = 1; conn <= count; conn++) {
        tp_conn_summary s;
        if (conn_set_has(&tap->selected, conn) && tp_engine_conn(engine, conn, &s))
            print_row(&s);
    }
    print_scans(engine);
}

static void conns_finish(void *tapdata)
{
    conns_tap *tap = (conns_tap *)tapdata;

    conn_set_free(&tap->selected);
    g_free(tap);
}

static TP_WS_TAP_INIT_RESULT conns_init(const char *arg, void *userdata _U_)
{
    const char *filter;

    if (!tap_arg_filter(arg, CONNS_ARG, &filter))
        exit(1);
    conns_tap *tap = g_new0(conns_tap, 1);
    conn_set_init(&tap->selected);
    tap_listen_or_exit("tcpphase,conns", tap, filter, conns_reset, conns_packet, conns_draw,
                       conns_finish);
    TP_WS_TAP_INIT_ACCEPTED;
}

void conns_tap_register(void)
{
    static tap_param params[] = {{PARAM_FILTER, "filter", "Filter", NULL, TRUE}};
    static stat_tap_ui ui = {REGISTER_STAT_GROUP_GENERIC,
                             "TCP Connection Phase connections",
                             CONNS_ARG,
                             conns_init,
                             G_N_ELEMENTS(params),
                             params};

    register_stat_tap_ui(&ui, NULL);
}
