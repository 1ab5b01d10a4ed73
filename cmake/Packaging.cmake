# Packaging.cmake: `cpack -G DEB` for the Wireshark plugin.
#
# Included from the top-level CMakeLists.txt when the plugin target exists. Produces
# wireshark-plugin-tcpphase_<version>_<arch>.deb, which installs tcpphase.so into the system
# plugin folder of the Wireshark it was built against (and the lab profile into Wireshark's
# global profiles), and depends on exactly that Wireshark series: a plugin only loads into the
# major.minor it was built for (plugin_want_major/minor), and Debian's libwireshark package is
# renamed with each soname change anyway. So a .deb is
# built per Wireshark series, on a system that has that series' wireshark-dev (tests/compat
# builds one per chroot).
#
# Only a build configured with -DTCPPHASE_INSTALL_SYSTEM=ON can be packaged: otherwise the
# install rule (plugin/wireshark/CMakeLists.txt) targets the personal folder under $HOME.
#
#   cmake -S . -B build -DTCPPHASE_INSTALL_SYSTEM=ON && cmake --build build
#   (cd build && cpack -G DEB)

if(NOT TCPPHASE_INSTALL_SYSTEM)
    # A CPack config that says what to do, instead of cpack's "cannot find CPackConfig.cmake"
    # or, worse, a package of the builder's home folder.
    file(WRITE "${CMAKE_BINARY_DIR}/CPackConfig.cmake"
        "message(FATAL_ERROR \"tcpphase: packages are built with the system install; \"\n"
        "    \"reconfigure with -DTCPPHASE_INSTALL_SYSTEM=ON\")\n")
    return()
endif()

# plugin/wireshark found Wireshark in its own directory scope; its variables and imported
# targets are not visible here, so ask again (same package, same answer).
find_package(Wireshark CONFIG REQUIRED)

# The Debian package that holds the libwireshark we link against, and its version: the
# package's name carries the soname (libwireshark16 for 4.0, ...), so it is read from dpkg
# rather than written down per release.
find_program(TCPPHASE_DPKG dpkg)
find_program(TCPPHASE_DPKG_QUERY dpkg-query)
if(NOT TCPPHASE_DPKG OR NOT TCPPHASE_DPKG_QUERY)
    message(STATUS "Packaging: dpkg not found; no .deb package")
    return()
endif()

get_target_property(_tp_epan_configs epan IMPORTED_CONFIGURATIONS)
list(GET _tp_epan_configs 0 _tp_epan_config)
get_target_property(_tp_epan_lib epan IMPORTED_LOCATION_${_tp_epan_config})
# dpkg knows the file by the path it installed, which for a merged /usr may differ from the
# real path; try the path as CMake has it first, then the resolved one.
get_filename_component(_tp_epan_real "${_tp_epan_lib}" REALPATH)
set(_tp_epan_pkg "")
foreach(_tp_path IN ITEMS "${_tp_epan_lib}" "${_tp_epan_real}")
    execute_process(COMMAND "${TCPPHASE_DPKG_QUERY}" -S "${_tp_path}"
        OUTPUT_VARIABLE _tp_owner ERROR_QUIET RESULT_VARIABLE _tp_rc
        OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(_tp_rc EQUAL 0 AND _tp_owner MATCHES "^([^:, ]+)")
        set(_tp_epan_pkg "${CMAKE_MATCH_1}")
        break()
    endif()
endforeach()
if(NOT _tp_epan_pkg)
    message(STATUS "Packaging: ${_tp_epan_lib} belongs to no Debian package; no .deb package")
    return()
endif()

execute_process(COMMAND "${TCPPHASE_DPKG}" --print-architecture
    OUTPUT_VARIABLE _tp_arch OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _tp_rc)
if(NOT _tp_rc EQUAL 0 OR NOT _tp_arch)
    message(FATAL_ERROR "Packaging: dpkg --print-architecture failed")
endif()

# >= the release built against, < the next minor (4.0.17 -> "<< 4.1~": "~" sorts before
# anything, so 4.1's pre-releases are excluded too).
math(EXPR _tp_next_minor "${Wireshark_MINOR_VERSION} + 1")
set(_tp_depends
    "${_tp_epan_pkg} (>= ${Wireshark_VERSION}), ${_tp_epan_pkg} (<< ${Wireshark_MAJOR_VERSION}.${_tp_next_minor}~)")

# The lab profile (profiles/tcpphase) is installed by plugin/wireshark/profile.cmake, into
# Wireshark's global profiles folder with this same system install, so it is in the package.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wireshark-plugin-tcpphase)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Wireshark plugin: TCP connection phases and RFC 9293 states")
set(CPACK_PACKAGE_CONTACT "tcpphase developers")
# The install destinations are absolute (Wireshark's own folders); nothing goes under a prefix.
set(CPACK_PACKAGING_INSTALL_PREFIX "/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${_tp_arch}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_tp_depends}")
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "TCP Connection Phase post-dissector for Wireshark ${Wireshark_MAJOR_VERSION}.${Wireshark_MINOR_VERSION}\n"
    "Labels every TCP segment with its role in the connection's life (handshake, data,\n"
    "close, reset) and the RFC 9293 states of both endpoints, and flags half-open\n"
    "connections, TIME-WAIT reuse and resets. Built for Wireshark ${Wireshark_VERSION}.")
# dpkg-shlibdeps adds the C library and GLib, whose minimum versions come from the build system.
# CPack needs `file` as well to find the binaries to scan; without either, the explicit
# Depends above still hold the one dependency that matters.
find_program(TCPPHASE_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(TCPPHASE_FILE file)
if(TCPPHASE_DPKG_SHLIBDEPS AND TCPPHASE_FILE)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
# Installed files root-owned and not group/world writable, whatever the builder's umask.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

message(STATUS "Packaging: ${CPACK_PACKAGE_NAME} ${CPACK_PACKAGE_VERSION} ${_tp_arch}, "
    "Depends: ${_tp_depends}")
include(CPack)
