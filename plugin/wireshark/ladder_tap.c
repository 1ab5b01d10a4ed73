/*
 * ladder_tap.c: tshark -q -z tcpphase,ladder[,filter] -- a ladder diagram per connection
 * (shortened here: the arrows are 52 columns wide, the server state ends at column 100):
 *
 *   conn 1: client 10.0.0.1:40001 (left), server 10.0.0.2:8080 (right)
 *     incarnation 1, 11 segments in 0.201314000 s, open 3way, close fin-4way, zeek SF ShADadFf
 *    frame        time  client                                                  ..  server
 *                start  CLOSED                                                  ..  UNKNOWN
 *        1    0.000000  SYN-SENT      -- SYN seq=0 ------------------------------->
 *        2    0.000035  ESTABLISHED   <- SYN,ACK seq=0 ack=1 ----------------------  SYN-RECEIVED
 *
 * One arrow per segment in capture order, labelled with its flags, relative seq/ack
 * (ladder_seq.c) and length; beside it, on each side, the state that endpoint enters, only
 * when it changes; under it, the segment's expert items with their messages. The "start" and
 * "end" rows give both states before the first segment and at the end (the summary's final
 * states). A state that another incarnation of the 4-tuple moved between two of the
 * connection's segments gets a row of its own, "(set by another incarnation of the 4-tuple)";
 * so does one the next segment proves moved (a segment the capture missed, or one it holds
 * that never arrived), "(as the next segment proves: see its notes)".
 * Lines are at most 100 columns (headers with long IPv6 addresses or histories are wrapped).
 *
 * Raw sequence numbers exist only on the first pass (tcp_fields.c), so the post-dissector hands
 * each segment to ladder_tap_record then; it keeps them only while a ladder listener is
 * registered, so ordinary runs pay nothing. The tap itself only notes which connections have a
 * frame passing the filter; the draw callback, after the whole capture, prints those: all of
 * their segments, whichever passed the filter.
 */
#include <wireshark.h>

#include <stdio.h>
#include <string.h>

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>

#include "conn_text.h"
#include "ladder.h"
#include "capture_file.h"
#include "taps.h"
#include "ws_compat.h"

#define LADDER_ARG "tcpphase,ladder"

/* Column widths; the server state ends at column 100. */
enum {
    FRAME_W = 6,
    TIME_W = 10,
    STATE_W = 12,
    ARROW_W = 52,
    GAP = 2,
    LABEL_MAX = ARROW_W - 6, /* "-- " label " " "-" ">" */
    ARROW_COL = FRAME_W + GAP + TIME_W + GAP + STATE_W + GAP,
    SERVER_COL = ARROW_COL + ARROW_W + GAP,
    LINE_W = SERVER_COL + STATE_W,
    NOTE_COL = FRAME_W + GAP + TIME_W + GAP,
};

typedef struct ladder_tap {
    conn_set selected;
} ladder_tap;

/* The segments of the file being read, in frame order, while collectors > 0. */
static GArray *store;
static unsigned collectors;

void ladder_tap_record(const tp_segment *seg, const tp_result *r)
{
    if (collectors == 0 || store == NULL || seg == NULL || r == NULL || r->conn == 0)
        return;
    /* The first pass runs in frame order; going back means a new file or a reload, whose
     * engine starts afresh as well. */
    if (store->len > 0 && seg->frame <= g_array_index(store, ladder_seg, store->len - 1).frame)
        g_array_set_size(store, 0);
    ladder_seg s = {.frame = seg->frame,
                    .conn = r->conn,
                    .time_ns = seg->time_ns,
                    .seq = seg->seq,
                    .ack = seg->ack,
                    .len = seg->len,
                    .flags = seg->flags,
                    .sender = r->sender,
                    .before = {r->before[0], r->before[1]},
                    .after = {r->after[0], r->after[1]},
                    .proved = r->proved};
    g_array_append_val(store, s);
}

/* ---- layout ------------------------------------------------------------------------------ */

/* "-- LABEL ------>" or "<- LABEL -------", ARROW_W wide. */
static void append_arrow(GString *line, const char *label, bool to_server)
{
    int len = (int)strlen(label);
    if (len > LABEL_MAX)
        len = LABEL_MAX;

    g_string_append(line, to_server ? "-- " : "<- ");
    g_string_append_len(line, label, len);
    g_string_append_c(line, ' ');
    for (int i = 0; i < ARROW_W - 4 - len - (to_server ? 1 : 0); i++)
        g_string_append_c(line, '-');
    if (to_server)
        g_string_append_c(line, '>');
}

static void pad_to(GString *line, gsize col)
{
    while (line->len < col)
        g_string_append_c(line, ' ');
}

/* Prints the line without trailing blanks, and empties it. */
static void flush_line(GString *line)
{
    while (line->len > 0 && line->str[line->len - 1] == ' ')
        g_string_truncate(line, line->len - 1);
    printf("%s\n", line->str);
    g_string_truncate(line, 0);
}

/* Elapsed time in seconds, right-aligned in TIME_W: microseconds while they fit (under 1000 s),
 * then milliseconds, then whole seconds, so that a long connection keeps the columns. */
static void append_elapsed(GString *line, int64_t ns)
{
    static const struct {
        unsigned decimals;
        uint64_t unit_ns;
    } steps[] = {{6, 1000}, {3, 1000000}, {0, 1000000000}};
    uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    char text[48] = "";

    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        uint64_t units = mag / steps[i].unit_ns, per_s = 1000000000 / steps[i].unit_ns;
        if (steps[i].decimals > 0)
            snprintf(text, sizeof text, "%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT,
                     ns < 0 ? "-" : "", units / per_s, (int)steps[i].decimals, units % per_s);
        else
            snprintf(text, sizeof text, "%s%" G_GUINT64_FORMAT, ns < 0 ? "-" : "", units);
        if (strlen(text) <= TIME_W)
            break;
    }
    g_string_append_printf(line, "%*s", TIME_W, text);
}

/* The row of the start or end states, or of a segment's changed states. */
static void append_states(GString *line, const char *client, const char *server)
{
    pad_to(line, ARROW_COL - STATE_W - GAP);
    g_string_append(line, client ? client : "");
    if (server != NULL) {
        pad_to(line, SERVER_COL);
        g_string_append(line, server);
    }
}

/* Words of text from column col, wrapped within LINE_W; continuation lines start at cont. */
static void print_wrapped(GString *line, gsize col, gsize cont, const char *text)
{
    gchar **words = g_strsplit(text, " ", -1);
    gsize start = col;

    pad_to(line, col);
    for (gchar **w = words; *w != NULL; w++) {
        if (**w == '\0')
            continue;
        if (line->len > start && line->len + 1 + strlen(*w) > LINE_W) {
            flush_line(line);
            pad_to(line, cont);
            start = cont;
        } else if (line->len > start) {
            g_string_append_c(line, ' ');
        }
        g_string_append(line, *w);
    }
    flush_line(line);
    g_strfreev(words);
}

/* ---- one connection ---------------------------------------------------------------------- */

/* "conn 1: client A:P (left), server B:Q (right)", its facts, and the column titles; wrapped
 * where IPv6 addresses or long histories would pass LINE_W. */
/* "10.0.0.1:40001", "[fd00::1]:40001". */
static gchar *endpoint_text(const tp_addr *a, uint16_t port)
{
    char addr[CONN_ADDR_STRLEN];

    conn_addr_text(a, addr, sizeof addr);
    return a->len == 16 ? g_strdup_printf("[%s]:%u", addr, port)
                        : g_strdup_printf("%s:%u", addr, port);
}

static void print_header(GString *line, const tp_conn_summary *s, guint n)
{
    char span[32];
    gchar *client = endpoint_text(&s->addr[TP_CLIENT], s->port[TP_CLIENT]);
    gchar *server = endpoint_text(&s->addr[TP_SERVER], s->port[TP_SERVER]);

    conn_ns_text(conn_span_ns(s), span, sizeof span);

    /* Client and server on one line, or the server under the client when that is too long. */
    GString *text = g_string_new("");
    g_string_printf(text, "conn %u: ", s->conn);
    gsize indent = text->len;
    g_string_append_printf(text, "client %s (left),", client);
    if (text->len + strlen(" server ") + strlen(server) + strlen(" (right)") > LINE_W) {
        print_wrapped(line, 0, indent, text->str);
        g_string_printf(text, "server %s (right)", server);
        print_wrapped(line, indent, indent, text->str);
    } else {
        g_string_append_printf(text, " server %s (right)", server);
        print_wrapped(line, 0, indent, text->str);
    }
    g_free(client);
    g_free(server);

    g_string_printf(text, "incarnation %u, %u segment%s in %s s, open %s, close %s, zeek %.*s %.*s",
                    s->incarnation, n, n == 1 ? "" : "s", span, tp_open_name(s->open),
                    tp_close_name(s->close),
                    (int)conn_fixed_len(s->zeek_state, sizeof s->zeek_state), s->zeek_state,
                    (int)conn_fixed_len(s->history, sizeof s->history), s->history);
    print_wrapped(line, 2, 4, text->str);
    g_string_free(text, TRUE);

    g_string_append_printf(line, "%*s%*s  client", FRAME_W, "frame", GAP + TIME_W, "time");
    pad_to(line, SERVER_COL);
    g_string_append(line, "server");
    flush_line(line);
}

static void print_notes(GString *line, const tp_engine *engine, uint32_t frame)
{
    tp_finding found[2 * TP_FIND_COUNT];
    size_t n = tp_engine_findings(engine, frame, true, found, G_N_ELEMENTS(found));

    for (size_t i = 0; i < n && i < G_N_ELEMENTS(found); i++) {
        gchar *text = g_strdup_printf(
            "! %s: %.*s", tp_finding_name(found[i].kind),
            (int)conn_fixed_len(found[i].message, sizeof found[i].message), found[i].message);
        print_wrapped(line, NOTE_COL, NOTE_COL + 2, text);
        g_free(text);
    }
}

/* What printing one connection's ladder keeps from row to row. */
typedef struct ladder_ctx {
    GString *line;
    const tp_engine *engine;
    int64_t start_ns;       /* time of the connection's first segment */
    seq_spaces spaces;      /* its sequence spaces so far */
    const seq_spaces *prev; /* its previous incarnation's, or NULL */
    uint8_t shown[2];       /* the states the ladder shows now */
} ladder_ctx;

/* The states as the row puts them: a name where want differs from what is shown, else NULL. */
static void changes(const ladder_ctx *ctx, const uint8_t want[2], const char *names[2])
{
    for (int d = TP_CLIENT; d <= TP_SERVER; d++)
        names[d] = want[d] != ctx->shown[d] ? tp_state_name((tp_state)want[d]) : NULL;
}

/*
 * A state moved between two of the connection's segments: another incarnation of the 4-tuple
 * did it (the engine hands a holder's state from the old connection to the new one, and closes
 * the old one's holder once the new one has taken over). Shown on a row of its own.
 */
static void print_carried(ladder_ctx *ctx, const uint8_t want[2], bool proved)
{
    const char *names[2];

    changes(ctx, want, names);
    if (names[TP_CLIENT] == NULL && names[TP_SERVER] == NULL)
        return;
    append_states(ctx->line, names[TP_CLIENT], NULL);
    pad_to(ctx->line, ARROW_COL);
    /* Or the next segment proved it: a segment the capture missed, or one it holds that never
     * arrived (its notes say which). */
    g_string_append(ctx->line, proved ? "   (as the next segment proves: see its notes)"
                                      : "   (set by another incarnation of the 4-tuple)");
    if (names[TP_SERVER] != NULL) {
        pad_to(ctx->line, SERVER_COL);
        g_string_append(ctx->line, names[TP_SERVER]);
    }
    flush_line(ctx->line);
    memcpy(ctx->shown, want, sizeof ctx->shown);
}

/* The segment as the whole capture proves it: a later frame may have corrected its states. */
static uint32_t corrected(const tp_engine *engine, const ladder_seg *s, ladder_seg *out)
{
    tp_result buf;
    uint32_t by = 0;
    const tp_result *r = tp_engine_final(engine, s->frame, &buf, &by);

    *out = *s;
    if (r != NULL && by != 0) {
        memcpy(out->before, r->before, sizeof out->before);
        memcpy(out->after, r->after, sizeof out->after);
    }
    return by;
}

static void print_segment(ladder_ctx *ctx, const ladder_seg *first_read)
{
    char label[96];
    const char *names[2];
    ladder_seg fixed;
    uint32_t by = corrected(ctx->engine, first_read, &fixed);
    const ladder_seg *s = &fixed;

    print_carried(ctx, s->before, s->proved);
    changes(ctx, s->after, names);
    ladder_label(&ctx->spaces, ctx->prev, s, label, sizeof label);

    g_string_append_printf(ctx->line, "%*u%*s", FRAME_W, s->frame, GAP, "");
    append_elapsed(ctx->line, conn_diff_ns(ctx->start_ns, s->time_ns));
    append_states(ctx->line, names[TP_CLIENT], NULL);
    pad_to(ctx->line, ARROW_COL);
    append_arrow(ctx->line, label, s->sender == TP_CLIENT);
    if (names[TP_SERVER] != NULL) {
        pad_to(ctx->line, SERVER_COL);
        g_string_append(ctx->line, names[TP_SERVER]);
    }
    flush_line(ctx->line);
    memcpy(ctx->shown, s->after, sizeof ctx->shown);
    if (by != 0) { /* the second look: a single pass showed what was known then */
        g_string_append_printf(ctx->line, "%*s= corrected by frame %u", NOTE_COL, "", by);
        flush_line(ctx->line);
    }
    print_notes(ctx->line, ctx->engine, s->frame);
}

/* The "start" and "end" rows: both states. */
static void print_states(ladder_ctx *ctx, const char *what, const uint8_t states[2])
{
    g_string_append_printf(ctx->line, "%*s", FRAME_W + GAP + TIME_W, what);
    append_states(ctx->line, tp_state_name((tp_state)states[TP_CLIENT]),
                  tp_state_name((tp_state)states[TP_SERVER]));
    flush_line(ctx->line);
    memcpy(ctx->shown, states, sizeof ctx->shown);
}

/* Prints one connection's ladder; prev: its previous incarnation's spaces, or NULL. */
static void print_conn(const tp_conn_summary *s, const ladder_seg *const *segs, guint n,
                       const seq_spaces *prev, const tp_engine *engine)
{
    ladder_ctx ctx = {.line = g_string_new(""),
                      .engine = engine,
                      .start_ns = segs[0]->time_ns,
                      .spaces = {{{false, 0, 0}, {false, 0, 0}}},
                      .prev = prev};
    /* The end row shows the summary's final states, which another incarnation may have set. */
    const uint8_t final[2] = {(uint8_t)s->state[TP_CLIENT], (uint8_t)s->state[TP_SERVER]};

    print_header(ctx.line, s, n);
    print_states(&ctx, "start", segs[0]->before);
    for (guint i = 0; i < n; i++)
        print_segment(&ctx, segs[i]);
    print_carried(&ctx, final, false);
    print_states(&ctx, "end", final);
    printf("\n");
    g_string_free(ctx.line, TRUE);
}

/* ---- the tap ----------------------------------------------------------------------------- */

/* The stored segments grouped by connection: segs sorted by (conn, frame), and the segments of
 * connection c are segs[start[c]] .. segs[start[c + 1] - 1]. */
typedef struct ladder_index {
    GPtrArray *segs;
    guint *start;
    uint32_t count; /* highest connection number */
} ladder_index;

static gint by_conn_then_frame(gconstpointer a, gconstpointer b)
{
    const ladder_seg *x = *(const ladder_seg *const *)a, *y = *(const ladder_seg *const *)b;

    if (x->conn != y->conn)
        return x->conn < y->conn ? -1 : 1;
    return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static ladder_index index_store(uint32_t count)
{
    ladder_index ix = {g_ptr_array_new(), NULL, count};

    for (guint i = 0; store != NULL && i < store->len; i++) {
        ladder_seg *s = &g_array_index(store, ladder_seg, i);
        g_ptr_array_add(ix.segs, s);
        ix.count = MAX(ix.count, s->conn);
    }
    g_ptr_array_sort(ix.segs, by_conn_then_frame);
    ix.start = g_new0(guint, (gsize)ix.count + 2);
    guint at = 0;
    for (uint64_t c = 0; c <= (uint64_t)ix.count + 1; c++) {
        while (at < ix.segs->len && ((ladder_seg *)g_ptr_array_index(ix.segs, at))->conn < c)
            at++;
        ix.start[c] = at;
    }
    return ix;
}

/* The 4-tuple, the same whichever side is named first: the key of a connection's incarnations. */
static gchar *tuple_key(const tp_conn_summary *s)
{
    char a[CONN_ADDR_STRLEN], b[CONN_ADDR_STRLEN];

    conn_addr_text(&s->addr[TP_CLIENT], a, sizeof a);
    conn_addr_text(&s->addr[TP_SERVER], b, sizeof b);
    gchar *x = g_strdup_printf("%s/%u", a, s->port[TP_CLIENT]);
    gchar *y = g_strdup_printf("%s/%u", b, s->port[TP_SERVER]);
    gchar *key = strcmp(x, y) <= 0 ? g_strconcat(x, " ", y, NULL) : g_strconcat(y, " ", x, NULL);
    g_free(x);
    g_free(y);
    return key;
}

/* A connection's final spaces, with the sides named as in `as` (a later incarnation may have
 * its client where this one had its server). */
static seq_spaces final_spaces(const ladder_index *ix, const tp_conn_summary *c,
                               const tp_conn_summary *as)
{
    seq_spaces sp = {{{false, 0, 0}, {false, 0, 0}}};

    for (guint i = ix->start[c->conn]; i < ix->start[c->conn + 1]; i++)
        ladder_walk(&sp, (const ladder_seg *)g_ptr_array_index(ix->segs, i));
    bool same =
        c->port[TP_CLIENT] == as->port[TP_CLIENT] &&
        c->addr[TP_CLIENT].len == as->addr[TP_CLIENT].len &&
        memcmp(c->addr[TP_CLIENT].bytes, as->addr[TP_CLIENT].bytes, c->addr[TP_CLIENT].len) == 0;
    if (!same) {
        seq_space t = sp.side[0];
        sp.side[0] = sp.side[1];
        sp.side[1] = t;
    }
    return sp;
}

static void ladder_draw(void *tapdata)
{
    const ladder_tap *tap = (const ladder_tap *)tapdata;
    const tp_engine *engine = tcpphase_engine();
    if (engine == NULL)
        return;
    ladder_index ix = index_store(tp_engine_conn_count(engine));
    /* tuple -> the summary of its latest incarnation so far */
    GHashTable *latest = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    for (uint32_t c = 1; c <= ix.count; c++) {
        tp_conn_summary *s = g_new(tp_conn_summary, 1);
        guint n = ix.start[c + 1] - ix.start[c];
        if (!tp_engine_conn(engine, c, s) || n == 0) {
            g_free(s);
            continue;
        }
        gchar *key = tuple_key(s);
        const tp_conn_summary *before = (const tp_conn_summary *)g_hash_table_lookup(latest, key);
        if (conn_set_has(&tap->selected, c)) {
            seq_spaces prev;
            bool has_prev = before != NULL && s->incarnation > 1;
            if (has_prev)
                prev = final_spaces(&ix, before, s);
            print_conn(s, (const ladder_seg *const *)ix.segs->pdata + ix.start[c], n,
                       has_prev ? &prev : NULL, engine);
        }
        g_hash_table_replace(latest, key, s); /* takes key and s */
    }
    g_hash_table_destroy(latest);
    g_free(ix.start);
    g_ptr_array_free(ix.segs, TRUE);
}

static tap_packet_status ladder_packet(void *tapdata, packet_info *pinfo _U_,
                                       epan_dissect_t *edt _U_, const void *data,
                                       tap_flags_t flags _U_)
{
    const tcpphase_tap_rec *rec = (const tcpphase_tap_rec *)data;

    if (rec != NULL && rec->result.conn != 0)
        conn_set_add(&((ladder_tap *)tapdata)->selected, rec->result.conn);
    return TAP_PACKET_DONT_REDRAW;
}

/* Not the store: a reset comes before a retap, which does not run the first pass again. */
static void ladder_reset(void *tapdata)
{
    conn_set_clear(&((ladder_tap *)tapdata)->selected);
}

static void ladder_finish(void *tapdata)
{
    ladder_tap *tap = (ladder_tap *)tapdata;

    conn_set_free(&tap->selected);
    g_free(tap);
    if (collectors > 0 && --collectors == 0 && store != NULL) {
        g_array_free(store, TRUE);
        store = NULL;
    }
}

static TP_WS_TAP_INIT_RESULT ladder_init(const char *arg, void *userdata _U_)
{
    const char *filter;

    if (!tap_arg_filter(arg, LADDER_ARG, &filter))
        exit(1);
    ladder_tap *tap = g_new0(ladder_tap, 1);
    conn_set_init(&tap->selected);
    if (store == NULL)
        store = g_array_new(FALSE, FALSE, sizeof(ladder_seg));
    collectors++;
    tap_listen_or_exit("tcpphase,ladder", tap, filter, ladder_reset, ladder_packet, ladder_draw,
                       ladder_finish);
    TP_WS_TAP_INIT_ACCEPTED;
}

void ladder_tap_register(void)
{
    static tap_param params[] = {{PARAM_FILTER, "filter", "Filter", NULL, TRUE}};
    static stat_tap_ui ui = {REGISTER_STAT_GROUP_GENERIC,
                             "TCP Connection Phase ladder",
                             LADDER_ARG,
                             ladder_init,
                             G_N_ELEMENTS(params),
                             params};

    register_stat_tap_ui(&ui, NULL);
}
