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

#include <string.h>

#include <epan/column-info.h>
#include <epan/column-utils.h>

#include "line.h"
#include "capture_file.h"
#include "ws_compat.h"

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

/* The bracketed text for r, as info_column_write writes it; its length. */
static size_t info_text(line *l, const tp_result *r)
{
    line_clear(l);
    line_add(l, "[");
    line_add(l, tp_role_name((tp_role)r->role));
    add_findings(l, r); /* next to the role, so a Flow Graph arrow's cut label still shows it */
    if (pref_info == INFO_STATES && !tcpphase_student_mode()) {
        line_add(l, ": client ");
        line_add(l, tp_state_name((tp_state)r->after[TP_CLIENT]));
        line_add(l, ", server ");
        line_add(l, tp_state_name((tp_state)r->after[TP_SERVER]));
    }
    line_add(l, "] ");
    return l->len;
}

/*
 * The texts already made, by what they depend on: the preference, the role, the findings bits
 * and both states after the segment. A capture uses a few dozen of the combinations, so each
 * is joined once and then copied, not joined again for every segment (a third of the cost of
 * writing the column). Open addressing over a fixed table; when it is full, texts are joined
 * each time as before. Freed with the engine, at each capture file's cleanup.
 */
enum { TEXT_SLOTS = 1024, TEXT_MAX_USED = TEXT_SLOTS / 2 };

typedef struct info_text_entry {
    guint32 key; /* 0: empty; otherwise the key below with bit 31 set */
    guint8 len;
    char *text;
} info_text_entry;

static info_text_entry *texts;
static unsigned texts_used;

static const char *cached_text(const tp_result *r, line *scratch, size_t *len)
{
    guint32 key = 1u << 31 | (guint32)tcpphase_student_mode() << 30 | (guint32)pref_info << 26 |
                  (guint32)r->findings << 16 | (guint32)r->role << 8 |
                  (guint32)r->after[TP_CLIENT] << 4 | (guint32)r->after[TP_SERVER];

    /* Values that would not fit their bits (an engine with more states or roles than these
     * leave room for; the preference has bits 26-29, student mode bit 30) are joined each
     * time: correct, only slower. */
    if (r->after[TP_CLIENT] >= 16 || r->after[TP_SERVER] >= 16 || (unsigned)pref_info >= 16) {
        *len = info_text(scratch, r);
        return scratch->text;
    }
    if (texts == NULL)
        texts = g_new0(info_text_entry, TEXT_SLOTS);
    for (guint32 i = (key * 2654435761u) >> 22;; i = (i + 1) % TEXT_SLOTS) {
        info_text_entry *e = &texts[i];
        if (e->key == key) {
            *len = e->len;
            return e->text;
        }
        if (e->key == 0) {
            size_t n = info_text(scratch, r);
            if (texts_used >= TEXT_MAX_USED || n > G_MAXUINT8) {
                *len = n;
                return scratch->text;
            }
            e->key = key;
            e->len = (guint8)n;
            e->text = g_strndup(scratch->text, n);
            texts_used++;
            *len = n;
            return e->text;
        }
    }
}

void info_column_forget(void)
{
    if (texts != NULL) {
        for (unsigned i = 0; i < TEXT_SLOTS; i++)
            g_free(texts[i].text);
        g_free(texts);
    }
    texts = NULL;
    texts_used = 0;
}

/*
 * Prepends text (len bytes, no NUL among them) to the Info column, with a fence after it.
 *
 * On 4.0 this does what col_prepend_fence_fstr(cinfo, COL_INFO, "%s", text) does, with the
 * same result in every column of the Info format: the text, then the column's old text, cut
 * to COL_MAX_INFO_LEN - 1 bytes; the fence moved on by the text's length (set after the text if
 * there was none), capped likewise; the column's data in its own buffer. Wireshark's function
 * copies the old text out and back with glib's byte loops and formats ours with vsnprintf,
 * about 2,200 instructions a segment, 5 % of tshark's whole cost per frame in `tshark -r`; this
 * moves the old text once. Later releases changed both the column structure and the function
 * (4.2 cleans the text of control characters and cuts at a UTF-8 boundary), so there the
 * function itself is called.
 */
static void prepend_fenced(column_info *cinfo, const char *text, size_t len)
{
#if !TP_WS_AT_LEAST(4, 1)
    const size_t max = COL_MAX_INFO_LEN;

    if (cinfo->col_first[COL_INFO] < 0 || len >= max)
        return;
    for (int i = cinfo->col_first[COL_INFO]; i <= cinfo->col_last[COL_INFO]; i++) {
        col_item_t *c = &cinfo->columns[i];
        if (!c->fmt_matx[COL_INFO])
            continue;
        /* The old text: the buffer's own, or a constant one set with col_set_str. */
        size_t old = strlen(c->col_data), keep = MIN(old, max - 1 - len);
        memmove(c->col_buf + len, c->col_data, keep);
        memcpy(c->col_buf, text, len);
        c->col_buf[len + keep] = '\0';
        c->col_fence = (int)MIN((size_t)c->col_fence + len, max - 1);
        c->col_data = c->col_buf;
    }
#else
    (void)len;
    col_prepend_fence_fstr(cinfo, COL_INFO, "%s", text);
#endif
}

void info_column_write(packet_info *pinfo, const tp_result *r)
{
    if (pref_info == INFO_OFF || r == NULL || !col_get_writable(pinfo->cinfo, COL_INFO))
        return;

    line scratch;
    size_t len;
    const char *text = cached_text(r, &scratch, &len);
    /* The fence keeps the text if a later dissector clears the column. */
    prepend_fenced(pinfo->cinfo, text, len);
}
