/*
 * capture_file.c: the state the glue's files share about the capture file being read
 * (capture_file.h).
 */
#include "capture_file.h"

tp_engine *tcpphase_capture_engine;

/* Student mode: the role only. States, transitions, reasons, gaps and the expert items'
 * explanations stay hidden until the student turns this off, so a lab step can be "predict,
 * then reveal" (docs/labs, profile tcpphase-student). Drawing only: the engine is the same. */
tp_ws_pref_bool tcpphase_pref_student = FALSE;
