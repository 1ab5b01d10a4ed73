# fuzz_bounded.cmake: fuzz.engine_bounded. Fuzzes the engine for SECONDS on a copy of the seed
# corpus (the fuzzer writes new inputs into the folder it is given; the repository stays
# clean) and fails if the fuzzer finds a crash or a broken invariant.
#
#   cmake -DFUZZER=engine_fuzz -DCORPUS=DIR -DDICT=FILE -DWORK=DIR -DSECONDS=60 \
#         -P fuzz_bounded.cmake
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(GLOB seeds "${CORPUS}/*")
file(COPY ${seeds} DESTINATION "${WORK}/corpus")
execute_process(
    COMMAND "${FUZZER}" -max_total_time=${SECONDS} -max_len=4096 -timeout=10 -rss_limit_mb=2048
            -dict=${DICT} -print_final_stats=1 -artifact_prefix=${WORK}/artifacts/
            "${WORK}/corpus"
    RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "engine_fuzz failed (exit ${rc}); its input is in ${WORK}/artifacts/. "
                        "Read it with TCPPHASE_FUZZ_TRACE=1 ${FUZZER} FILE, shrink it with "
                        "${FUZZER} -minimize_crash=1 -runs=100000 FILE and keep it in "
                        "tests/fuzz/regressions/ (see the README there).")
endif()
