/*
 * plugin.c: what makes tcpphase.so a Wireshark plugin. Wireshark's plugin loader looks up these
 * exported symbols by name; everything else in the plugin is hidden.
 */
#define WS_BUILD_DLL /* WS_DLL_PUBLIC_DEF must mean "export", not "import", in this file */
#include <wireshark.h>
#include <epan/proto.h>

#include "packet-tcpphase.h"
#include "ws_compat.h"

#ifndef TCPPHASE_VERSION
#define TCPPHASE_VERSION "0.0.0" /* CMake passes the project version */
#endif

WS_DLL_PUBLIC_DEF const char plugin_version[] = TCPPHASE_VERSION;
/* The loader refuses a plugin built for another major.minor: the ABI is only stable within one. */
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

#ifdef TP_WS_HAVE_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);

/* Releases that ask (4.2 on) list the plugin as a dissector in About > Plugins. */
uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif

void plugin_register(void)
{
    /* The loader keeps the pointer, so the record must outlive this call. */
    static proto_plugin plug;

    plug.register_protoinfo = proto_register_tcpphase;
    plug.register_handoff = proto_reg_handoff_tcpphase;
    proto_register_plugin(&plug);
}
