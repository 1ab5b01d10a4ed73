/*
 * tap_util.c: what the tcpphase tap listeners share: the set of selected connections and the
 * parsing of their -z argument (taps_register.c registers them).
 */
#include <wireshark.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taps.h"

void conn_set_init(conn_set *s)
{
    s->bits = g_byte_array_new();
}

void conn_set_clear(conn_set *s)
{
    g_byte_array_set_size(s->bits, 0);
}

void conn_set_free(conn_set *s)
{
    if (s->bits != NULL)
        g_byte_array_free(s->bits, TRUE);
    s->bits = NULL;
}

void conn_set_add(conn_set *s, uint32_t conn)
{
    guint byte = conn / 8;

    if (byte >= s->bits->len) {
        guint old = s->bits->len;
        /* Grow geometrically: connections arrive in increasing order, one at a time. */
        guint want = MAX(byte + 1, old * 2);
        g_byte_array_set_size(s->bits, want);
        memset(s->bits->data + old, 0, want - old);
    }
    s->bits->data[byte] |= (guint8)(1u << (conn % 8));
}

bool conn_set_has(const conn_set *s, uint32_t conn)
{
    guint byte = conn / 8;

    return byte < s->bits->len && (s->bits->data[byte] & (1u << (conn % 8))) != 0;
}

bool tap_arg_filter(const char *arg, const char *prefix, const char **filter)
{
    size_t n = strlen(prefix);

    *filter = NULL;
    /* tshark hands us every argument that merely begins with the prefix ("tcpphase,connsX"). */
    if (arg == NULL || strncmp(arg, prefix, n) != 0 || (arg[n] != '\0' && arg[n] != ',')) {
        fprintf(stderr, "tcpphase: invalid -z argument \"%s\"; use %s[,filter]\n", arg ? arg : "",
                prefix);
        return false;
    }
    if (arg[n] == ',' && arg[n + 1] != '\0')
        *filter = arg + n + 1;
    return true;
}

void tap_listen_or_exit(const char *what, void *tapdata, const char *filter, tap_reset_cb reset,
                        tap_packet_cb packet, tap_draw_cb draw, tap_finish_cb finish)
{
    GString *error = register_tap_listener(TCPPHASE_TAP_NAME, tapdata, filter, TL_REQUIRES_NOTHING,
                                           reset, packet, draw, finish);
    if (error == NULL)
        return;
    /* The -z arguments are read before any capture: a statistic that cannot run is a command
     * line error, and tshark's own statistics exit on it the same way. */
    fprintf(stderr, "tcpphase: couldn't register %s tap: %s\n", what, error->str);
    g_string_free(error, TRUE);
    exit(1);
}
