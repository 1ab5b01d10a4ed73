/*
 * taps_register.c: registers the tcpphase tap listeners (-z tcpphase,conns / ladder / tree)
 * with Wireshark's tap loader, which calls them once the command line is read. Apart from the
 * listeners' shared helpers (tap_util.c), so that no listener's file is called back.
 */
#include <wireshark.h>

#include "taps.h"

static void register_listeners(void)
{
    conns_tap_register();
    ladder_tap_register();
    tcpphase_stats_tree_register();
}

void tcpphase_taps_register(void)
{
    /* The loader keeps the pointer, so the record must outlive this call. */
    static const tap_plugin plug = {register_listeners};

    tap_register_plugin(&plug);
}
