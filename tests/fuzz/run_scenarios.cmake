# run_scenarios.cmake: runs a checking tool's command on every scenario file and fails if the
# tool reported anything, naming the scenarios.
#
#   cmake -DRUNNER="cmd|arg|..." -DREPORT=REGEX -DSCENARIOS=DIR -P run_scenarios.cmake
#
# The command's words are separated by "|" because ";" would split it in add_test. A run fails
# this test when it exits non-zero and its output matches REPORT (the tool's own report: a
# valgrind error, a sanitizer's). A scenario whose expectations fail exits 1 as well, but that
# is the engine.NAME test's to report (often work in progress): it is only listed here.
string(REPLACE "|" ";" runner "${RUNNER}")
file(GLOB scenarios "${SCENARIOS}/*.txt")
if(NOT scenarios)
    message(FATAL_ERROR "no scenario files in ${SCENARIOS}")
endif()
set(failed "")
set(expectations "")
foreach(scenario IN LISTS scenarios)
    execute_process(COMMAND ${runner} "${scenario}" RESULT_VARIABLE rc OUTPUT_VARIABLE out
                    ERROR_VARIABLE out)
    get_filename_component(name "${scenario}" NAME)
    if(rc EQUAL 0)
        continue()
    endif()
    message("${out}")
    if(out MATCHES "${REPORT}" OR NOT rc MATCHES "^[12]$")
        list(APPEND failed "${name} (${rc})")
    else()
        list(APPEND expectations "${name}")
    endif()
endforeach()
list(LENGTH scenarios n)
if(expectations)
    string(REPLACE ";" ", " expectations "${expectations}")
    message("expectations not met, no tool report (see the engine.* tests): ${expectations}")
endif()
if(failed)
    string(REPLACE ";" ", " failed "${failed}")
    message(FATAL_ERROR "the tool reported errors in: ${failed}")
endif()
message("${n} scenarios run, no tool report")
