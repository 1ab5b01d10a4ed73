/*
 * capture_file.h: what the glue's files share about the capture file being read: its engine
 * (NULL between files) and the student mode. packet-tcpphase.c opens and closes the engine and
 * registers the preference; the taps and the Info column only read them. A file of its own, so
 * that no glue file reaches back into the one that calls it.
 */
#ifndef TCPPHASE_CAPTURE_FILE_H
#define TCPPHASE_CAPTURE_FILE_H

#include <glib.h>

#include "tcpphase.h"
#include "ws_compat.h"

/* Written by packet-tcpphase.c only (tcpphase_init, tcpphase_cleanup). */
extern tp_engine *tcpphase_capture_engine;

/* Preference tcpphase.student: the role only, the states hidden (registered by
 * packet-tcpphase.c). */
extern tp_ws_pref_bool tcpphase_pref_student;

/* The engine of the capture file being read, for the tap listeners; NULL between files. */
static inline const tp_engine *tcpphase_engine(void)
{
    return tcpphase_capture_engine;
}

static inline gboolean tcpphase_student_mode(void)
{
    return tcpphase_pref_student ? TRUE : FALSE;
}

#endif
