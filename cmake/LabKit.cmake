# LabKit.cmake: the labs' kits (tools/lab-kit, docs/labs/README.md "The student kit").
#
#   cmake --build build --target student-kit      # build/tcpphase-student-kit-<v>-ws<series>.tar.gz
#   cmake --build build --target instructor-kit   # ... with the answer keys
#
# Each packs the plugin just built (for the Wireshark major.minor at hand), the profiles, the
# sample captures and the labs; a user installs one by untarring it into the home folder.
foreach(_kind student instructor)
    add_custom_target(${_kind}-kit
        COMMAND "${PROJECT_SOURCE_DIR}/tools/lab-kit" ${_kind} "${TCPPHASE_TEST_PLUGIN_DIR}"
                "${CMAKE_BINARY_DIR}"
        DEPENDS tcpphase
        COMMENT "Making the ${_kind} kit of the labs in ${CMAKE_BINARY_DIR}"
        VERBATIM)
endforeach()
