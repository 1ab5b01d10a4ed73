/*
 * inferred.c: which endpoint's state after a segment the capture has not shown yet (inferred.h).
 *
 * Two small stores: the sides each connection has sent from so far (a byte per connection
 * number, which the engine hands out from 1 in order), and the frames with an inferred side (a
 * hash table; in a capture of both directions only the frames before a side's first segment
 * whose state is known are in it, so it stays small).
 */
#include <string.h>

#include "inferred.h"

static GByteArray *sides_seen; /* index: connection number; bit (1 << tp_dir) per sender seen */
static GHashTable *frames;     /* frame number -> inferred bits, only where not 0 */

void inferred_record(const tp_engine *engine, guint32 frame, const tp_result *r)
{
    if (sides_seen == NULL)
        sides_seen = g_byte_array_new();
    if (r->conn >= sides_seen->len) {
        guint old = sides_seen->len;
        g_byte_array_set_size(sides_seen, r->conn + 64);
        memset(sides_seen->data + old, 0, sides_seen->len - old);
    }
    guint8 *seen = &sides_seen->data[r->conn];
    *seen |= (guint8)(1u << r->sender);

    unsigned bits = 0;
    for (int d = TP_CLIENT; d <= TP_SERVER; d++) {
        /* UNKNOWN claims nothing; a state the engine does claim needs the side's own segments. */
        if (!(*seen & (1u << d)) && r->after[d] != TP_UNKNOWN)
            bits |= 1u << d;
    }
    /* A later incarnation of a 4-tuple starts from the states the earlier one left (a server in
     * TIME-WAIT meeting a new SYN), which the capture did show: not inferred. */
    if (bits == 0 || tp_engine_incarnation(engine, r->conn) > 1)
        return;
    if (frames == NULL)
        frames = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(frames, GUINT_TO_POINTER(frame), GUINT_TO_POINTER(bits));
}

unsigned inferred_sides(guint32 frame)
{
    if (frames == NULL)
        return 0;
    return GPOINTER_TO_UINT(g_hash_table_lookup(frames, GUINT_TO_POINTER(frame)));
}

void inferred_forget(void)
{
    if (sides_seen != NULL)
        g_byte_array_free(sides_seen, TRUE);
    if (frames != NULL)
        g_hash_table_destroy(frames);
    sides_seen = NULL;
    frames = NULL;
}
