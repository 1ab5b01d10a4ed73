/*
 * ws_compat.h: the few Wireshark API differences between the releases tcpphase builds against
 * (4.0, 4.4 and 4.6; tests/compat/run builds and tests each, and docs/wireshark-compat.md lists
 * what changed between them). Everything version-dependent goes here, keyed on ws_version.h, so
 * the glue code reads the same on every release.
 *
 * The plugin reads packet bytes only with tvb_memcpy (the TCP header in tcp_shim.c, addresses in
 * tcp_fields.c), unchanged across releases, so the renames of the tvb_get_* accessors
 * (tvb_get_guint8 -> tvb_get_uint8 in 4.2) do not reach it.
 */
#ifndef TCPPHASE_WS_COMPAT_H
#define TCPPHASE_WS_COMPAT_H

#include <wireshark.h>
#include <epan/proto.h>
#include <epan/tvbuff.h>

#define TP_WS_AT_LEAST(major, minor)                                                               \
    (WIRESHARK_VERSION_MAJOR > (major) ||                                                          \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

/*
 * plugin_describe() and <wsutil/plugins.h> (WS_PLUGIN_DESC_*) came with 4.2; 4.0 installs no
 * such header. The loader of 4.2 on calls plugin_describe() when the plugin has it and does
 * without otherwise, so it is an addition, not a requirement.
 */
#if TP_WS_AT_LEAST(4, 2)
#include <wsutil/plugins.h>
#define TP_WS_HAVE_PLUGIN_DESCRIBE 1
#endif

/* field_info holds its value inline up to 4.0, through a pointer from 4.1 (4.2) on. */
#if TP_WS_AT_LEAST(4, 1)
#define TP_WS_FI_VALUE(fi) ((fi)->value)
#else
#define TP_WS_FI_VALUE(fi) (&(fi)->value)
#endif

/* The layer a field belongs to, counting every protocol of the frame from 1 (the number
 * frame.protocols' position gives). */
#define TP_WS_FI_LAYER(fi) ((fi)->total_layer_num)

/*
 * A tshark -z handler (stat_tap_ui.tap_init_cb) returns bool from 4.5 (released as 4.6) on,
 * false meaning the argument was refused; before, it returned nothing. Our handlers exit on a
 * bad argument, so they only ever report success: declare them with TP_WS_TAP_INIT_RESULT and
 * end them with TP_WS_TAP_INIT_ACCEPTED.
 */
#if TP_WS_AT_LEAST(4, 5)
#define TP_WS_TAP_INIT_RESULT   bool
#define TP_WS_TAP_INIT_ACCEPTED return true
#else
#define TP_WS_TAP_INIT_RESULT   void
#define TP_WS_TAP_INIT_ACCEPTED return
#endif

/* The value of an unsigned integer field of at most 32 bits. The getter's name is stable; only
 * how the fvalue is reached changes (above). */
static inline uint32_t tp_ws_fi_get_uint(field_info *fi)
{
    return fvalue_get_uinteger(TP_WS_FI_VALUE(fi));
}

/* A boolean preference's variable: gboolean * up to 4.2, bool * from 4.4 on. */
#if WIRESHARK_VERSION_MAJOR > 4 || (WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR >= 4)
typedef bool tp_ws_pref_bool;
#else
typedef gboolean tp_ws_pref_bool;
#endif

#endif
