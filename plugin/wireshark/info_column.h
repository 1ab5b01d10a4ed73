/*
 * info_column.h: tcpphase's verdict in the Info column, in Wireshark's bracket style
 * ("[fin-passive: client TIME-WAIT, server LAST-ACK] 8080 → 43210 [FIN, ACK] ..."), so that the
 * packet list, Statistics > Flow Graph and tshark's one-line output show it without a profile.
 */
#ifndef TCPPHASE_INFO_COLUMN_H
#define TCPPHASE_INFO_COLUMN_H

#include <epan/packet.h>
#include <epan/prefs.h>

#include "tcpphase.h"

/* Registers the preference tcpphase.info (off, role, role and states) on the module. */
void info_column_register_pref(module_t *module);

/*
 * Prepends the segment's role (and the states after it, per the preference) to the Info
 * column, when one is being built. r is the frame's stored result: the one just fed on a first
 * pass, the one looked up on a revisit, so every pass writes the same text.
 */
void info_column_write(packet_info *pinfo, const tp_result *r);

/* Frees the texts info_column_write keeps (at each capture file's cleanup). */
void info_column_forget(void);

#endif
