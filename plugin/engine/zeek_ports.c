/*
 * tcpphase engine: the ports Zeek's rules name (issue 4): its likely server ports, which decide
 * its originator, and the interactive ports, which get an hour of inactivity.
 */
#include "zeek_ports.h"

#include <glib.h>

/* Zeek's likely_server_ports for TCP: every port its base protocol scripts register with
 * Analyzer::register_for_ports (scripts/base/protocols/NAME/main.zeek). Sorted. */
static const uint16_t likely_server_ports[] = {
    21,   22,   25,   53,   79,   80,   81,   88,   135,  139,   143,  389,  443,
    445,  465,  502,  514,  563,  585,  587,  614,  631,  636,   989,  990,  992,
    993,  995,  1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389,  5222, 5223, 5269,
    5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

bool tp_zeek_likely_server_port(uint16_t port)
{
    size_t lo = 0, hi = G_N_ELEMENTS(likely_server_ports);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (likely_server_ports[mid] == port)
            return true;
        if (likely_server_ports[mid] < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* base/protocols/conn/inactivity.zeek, port_inactivity_timeouts. */
bool tp_zeek_interactive_port(uint16_t port)
{
    return port == 21 || port == 22 || port == 23 || port == 513;
}

/*
 * Zeek's originator is the sender of the connection's first packet, except that a connection
 * starting without a bare SYN is flipped when its source port is a likely server port and its
 * destination port is not; when both are, only a non-SYN from the lower port is flipped
 * (TCPAnalyzer::WantConnection).
 */
bool tp_zeek_flip_at_start(const tp_segment *seg)
{
    bool syn = (seg->flags & TP_SYN) != 0;
    if (syn && !(seg->flags & TP_ACK))
        return false;
    if (!tp_zeek_likely_server_port(seg->sport))
        return false;
    if (tp_zeek_likely_server_port(seg->dport))
        return !syn && seg->sport < seg->dport;
    return true;
}
