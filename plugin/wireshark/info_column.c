/*
 * info_column.c: tcpphase's verdict in the Info column.
 *
 * Why the Info column: Wireshark's packet list, Statistics > Flow Graph (whose arrows and
 * Comment column are the Info text) and tshark's one-line output all read it, and Wireshark's
 * own analysers already speak there in brackets ("[TCP Retransmission] "). Prepended, not
 * appended: a Flow Graph arrow is only as wide as the gap between two hosts and cuts its label
 * at the right, where TCP's own "Seq=... Win=..." can go first.
 *
 * Cost: nothing is formatted unless an Info column is being built (col_get_writable is false
 * when there is no column_info, as for tshark -T fields without column fields, or no Info
 * column among the columns). No tree is needed: the text comes from the stored result.
 */
#include "info_column.h"

#include <epan/column-utils.h>

#include "line.h"

enum { INFO_OFF = 0, INFO_ROLE = 1, INFO_STATES = 2 };

/* Default: role and states. A new user sees the textbook ladder in the Flow Graph at once, and
 * the states are what a student checks a capture against; "role" is for narrow screens. */
static gint pref_info = INFO_STATES;

void info_column_register_pref(module_t *module)
{
    static const enum_val_t values[] = {
        {"off", "Off", INFO_OFF},
        {"role", "Role", INFO_ROLE},
        {"role_and_states", "Role and states", INFO_STATES},
        {NULL, NULL, -1},
    };

    prefs_register_enum_preference(
        module, "info", "Info column",
        "What tcpphase writes at the front of the Info column (and so on the arrows of "
        "Statistics > Flow Graph): nothing; the segment's role, e.g. [fin-passive]; or its "
        "role and both endpoints' states after it, e.g. [fin-passive: client TIME-WAIT, server "
        "LAST-ACK].",
        &pref_info, values, FALSE);
}

/*
 * Immediate findings the role does not already say. Only the bits stored with the result:
 * hindsight findings appear on revisits only, and the column must read the same on every pass.
 * Kinds not named here (those the role implies, and any the engine adds later) add nothing.
 */
static void add_findings(line *l, const tp_result *r)
{
    for (unsigned k = 0; r->findings != 0 && k < TP_FIND_COUNT; k++) {
        if (!(r->findings & (1u << k)))
            continue;
        const char *word = NULL;
        switch ((tp_finding_kind)k) {
        case TP_FIND_TIME_WAIT_REUSE:
            word = "TIME-WAIT reuse";
            break;
        case TP_FIND_HALF_OPEN: /* a challenge ACK is a plain "ack" by role */
            word = r->role == TP_ROLE_RST_HALF_OPEN ? NULL : "half-open";
            break;
        case TP_FIND_NOT_DELIVERED: /* the retransmission's role does not say what it proves */
            word = "lost after capture";
            break;
        default:
            break;
        }
        if (word != NULL) {
            line_add(l, ", ");
            line_add(l, word);
        }
    }
}

void info_column_write(packet_info *pinfo, const tp_result *r)
{
    if (pref_info == INFO_OFF || r == NULL || !col_get_writable(pinfo->cinfo, COL_INFO))
        return;

    line l;
    line_clear(&l);
    line_add(&l, "[");
    line_add(&l, tp_role_name((tp_role)r->role));
    add_findings(&l, r); /* next to the role, so a Flow Graph arrow's cut label still shows it */
    if (pref_info == INFO_STATES) {
        line_add(&l, ": client ");
        line_add(&l, tp_state_name((tp_state)r->after[TP_CLIENT]));
        line_add(&l, ", server ");
        line_add(&l, tp_state_name((tp_state)r->after[TP_SERVER]));
    }
    line_add(&l, "] ");
    /* The fence keeps the text if a later dissector clears the column; "%s", as the text is
     * joined already (one conversion is the cheap case, see draw_result). */
    col_prepend_fence_fstr(pinfo->cinfo, COL_INFO, "%s", l.text);
}
