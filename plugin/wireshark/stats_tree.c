/*
 * stats_tree.c: Statistics > TCP Connection Phase, and tshark -z tcpphase,tree[,filter].
 *
 * Counts segments by role and by phase, expert items by name, and connections by open and
 * close style. Every name the engine knows is a node from the start, so the tree always has
 * the same rows in the same order (zeros included): easy to compare between captures.
 *
 * A connection's style is final only once the whole capture has been read, so connections are
 * counted on revisited frames only: always in Wireshark (a statistics window retaps a file that
 * has been read) and with tshark -2. A single-pass tshark cannot know them yet; it counts such
 * connections under "not counted (single pass: use tshark -2)" rather than guess. Hindsight
 * expert items likewise appear only on revisits, as in the packet tree.
 */
#include <wireshark.h>

#include <epan/stats_tree.h>

#include "capture_file.h"
#include "taps.h"

#define NOT_COUNTED "not counted (single pass: use tshark -2)"

static int st_role = -1;
static int st_phase = -1;
static int st_expert = -1;
static int st_open = -1;
static int st_close = -1;

/* Which connections each open tree has counted already: stats_tree* -> conn_set*. */
static GHashTable *counted;

static void free_conn_set(gpointer p)
{
    conn_set_free((conn_set *)p);
    g_free(p);
}

/* A pivot with a zero child for each name, in the engine's order. */
static int create_pivot(stats_tree *st, const char *title, const char *(*name)(int), int count,
                        int first)
{
    int id = stats_tree_create_pivot(st, title, 0);

    for (int i = first; i < count; i++)
        stats_tree_create_node(st, name(i), id, STAT_DT_INT, FALSE);
    return id;
}

/* The engine's name functions take their own enums; these adapt them to create_pivot. */
static const char *role_name(int i)
{
    return tp_role_name((tp_role)i);
}
static const char *phase_name(int i)
{
    return tp_phase_name((tp_phase)i);
}
static const char *open_name(int i)
{
    return tp_open_name((tp_open_style)i);
}
static const char *close_name(int i)
{
    return tp_close_name((tp_close_style)i);
}

/* Expert items by their display filter name, as the expert info dialog lists them. */
static const char *expert_name(int i)
{
    static const char *const names[TP_FIND_COUNT] = {
        [TP_FIND_HALF_OPEN] = "tcpphase.half_open",
        [TP_FIND_HALF_CLOSED] = "tcpphase.half_closed",
        [TP_FIND_TIME_WAIT_REUSE] = "tcpphase.time_wait_reuse",
        [TP_FIND_RST_INSTEAD_OF_FIN] = "tcpphase.rst_instead_of_fin",
        [TP_FIND_RST_AFTER_FIN] = "tcpphase.rst_after_fin",
        [TP_FIND_CAPTURE_GAP] = "tcpphase.capture_gap",
        [TP_FIND_NOT_DELIVERED] = "tcpphase.lost_after_capture",
        [TP_FIND_PROBE] = "tcpphase.probe",
        [TP_FIND_SYN_UNANSWERED] = "tcpphase.syn_unanswered",
        [TP_FIND_SCAN] = "tcpphase.scan",
        [TP_FIND_OUT_OF_ORDER] = "tcpphase.out_of_order",
    };
    return (unsigned)i < TP_FIND_COUNT && names[i] ? names[i] : "tcpphase.unknown";
}

static void tree_init(stats_tree *st)
{
    /* Roles and phases include "unknown": a segment the engine could not place is news. */
    /* The roles of segments no state takes (keep-alives, probes, copies) are listed once one
     * occurs, as the expert items below, so textbook captures read as before they came. */
    st_role = create_pivot(st, "Segments by role", role_name, TP_ROLE_KEEPALIVE, 0);
    st_phase = create_pivot(st, "Segments by phase", phase_name, TP_PHASE_COUNT, 0);
    /* A segment not delivered is listed once one occurs (stats_tree_tick_pivot adds it), so
     * the statistics of loss-free captures read as before it was added. */
    st_expert = create_pivot(st, "Expert items", expert_name, TP_FIND_NOT_DELIVERED, 0);
    st_open = create_pivot(st, "Connections by open style", open_name, TP_OPEN_COUNT, 0);
    st_close = create_pivot(st, "Connections by close style", close_name, TP_CLOSE_COUNT, 0);

    if (counted == NULL)
        counted = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_conn_set);
    conn_set *set = g_new0(conn_set, 1);
    conn_set_init(set);
    g_hash_table_replace(counted, st, set);
}

static void tree_cleanup(stats_tree *st)
{
    if (counted != NULL)
        g_hash_table_remove(counted, st);
}

static void count_findings(stats_tree *st, const tp_engine *engine, const tcpphase_tap_rec *rec)
{
    tp_finding found[2 * TP_FIND_COUNT];
    size_t n = tp_engine_findings(engine, rec->frame, rec->complete, found, G_N_ELEMENTS(found));

    for (size_t i = 0; i < n && i < G_N_ELEMENTS(found); i++)
        stats_tree_tick_pivot(st, st_expert, expert_name((int)found[i].kind));
}

/* A connection is counted once per tree, on the first of its frames that reaches the tap. */
static void count_conn(stats_tree *st, const tp_engine *engine, const tcpphase_tap_rec *rec)
{
    conn_set *set = counted ? (conn_set *)g_hash_table_lookup(counted, st) : NULL;
    tp_conn_summary s;

    if (set == NULL || conn_set_has(set, rec->result.conn))
        return;
    conn_set_add(set, rec->result.conn);
    if (!rec->complete) {
        stats_tree_tick_pivot(st, st_open, NOT_COUNTED);
        stats_tree_tick_pivot(st, st_close, NOT_COUNTED);
    } else if (tp_engine_conn(engine, rec->result.conn, &s)) {
        stats_tree_tick_pivot(st, st_open, tp_open_name(s.open));
        stats_tree_tick_pivot(st, st_close, tp_close_name(s.close));
    }
}

static tap_packet_status tree_packet(stats_tree *st, packet_info *pinfo _U_,
                                     epan_dissect_t *edt _U_, const void *data,
                                     tap_flags_t flags _U_)
{
    const tcpphase_tap_rec *rec = (const tcpphase_tap_rec *)data;
    const tp_engine *engine = tcpphase_engine();

    if (rec == NULL || rec->result.conn == 0 || engine == NULL)
        return TAP_PACKET_DONT_REDRAW;
    stats_tree_tick_pivot(st, st_role, tp_role_name((tp_role)rec->result.role));
    stats_tree_tick_pivot(st, st_phase, tp_phase_name(tp_result_phase(&rec->result)));
    count_findings(st, engine, rec);
    count_conn(st, engine, rec);
    return TAP_PACKET_REDRAW;
}

/*
 * The one version-specific call. Written for 4.0: a plugin's stats tree is registered with
 * stats_tree_register_plugin, which puts it at the foot of the Statistics menu. (Later releases
 * return a stats_tree_cfg* and take "//" as the submenu separator; the name has no slash.)
 */
static void register_tree(void)
{
    stats_tree_register_plugin(TCPPHASE_TAP_NAME, "tcpphase", "TCP Connection Phase", 0,
                               tree_packet, tree_init, tree_cleanup);
}

void tcpphase_stats_tree_register(void)
{
    register_tree();
}
