/*
 * tcpphase engine: probes. A segment whose flags no TCP state accepts is no part of any
 * connection's life, whatever its 4-tuple (RFC 9293 3.10.7): in CLOSED anything but a RST is
 * answered with a RST (3.10.7.1); in LISTEN anything but a SYN or a RST is dropped, and a SYN
 * with FIN is dropped by Linux as well (3.10.7.2); in SYN-SENT a segment with neither SYN nor
 * RST is dropped (3.10.7.3); in every synchronized state a segment without ACK is dropped
 * ("fifth, check the ACK field", 3.10.7.4). So no flags at all, FIN, PSH or URG without ACK,
 * and SYN with FIN move no state (SYN with RST does: the RST bit is checked first, and the
 * segment is judged as a RST): scanners send them to learn what answers (nmap's NULL,
 * FIN and Xmas scans and its OS-detection probes), and the only thing they prove is the answer:
 * a RST says no connection exists on that port.
 */
#include "probe.h"

#include <stdio.h>
#include <string.h>

const char *tp_probe_flags_text(uint8_t flags, char *out, size_t size)
{
    static const struct {
        uint8_t bit;
        const char *name;
    } names[] = {{TP_SYN, "SYN"}, {TP_FIN, "FIN"}, {TP_RST, "RST"},
                 {TP_PSH, "PSH"}, {TP_URG, "URG"}, {TP_ACK, "ACK"}};
    size_t n = 0;

    if (size == 0)
        return out;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(flags & names[i].bit))
            continue;
        int w = snprintf(out + n, size - n, "%s%s", n ? ", " : "", names[i].name);
        if (w < 0 || (size_t)w >= size - n)
            return out;
        n += (size_t)w;
    }
    if (n == 0)
        snprintf(out, size, "no flags");
    else if (!(flags & (TP_ACK | TP_SYN)))
        snprintf(out + n, size - n, " without ACK");
    return out;
}

tp_probe_kind tp_probe_kind_of(uint8_t flags)
{
    uint8_t f = flags & (TP_SYN | TP_FIN | TP_RST | TP_PSH | TP_URG | TP_ACK);

    if (f == TP_SYN)
        return TP_PROBE_SYN;
    if (f == TP_ACK)
        return TP_PROBE_ACK;
    if (f == TP_FIN)
        return TP_PROBE_FIN;
    if (f == 0)
        return TP_PROBE_NULL;
    if (f == (TP_FIN | TP_PSH | TP_URG))
        return TP_PROBE_XMAS;
    return TP_PROBE_OTHER;
}
