# profile.cmake: installs the Wireshark configuration profiles "tcpphase" (profiles/tcpphase:
# tcpphase columns, colouring rules, filter buttons) and "tcpphase-student" (the same with the
# states hidden, for the labs' predict-then-reveal steps), included from this folder's
# CMakeLists.txt.
#
# Like the plugin, it goes to the personal folder by default, where Wireshark keeps a user's
# own profiles: $XDG_CONFIG_HOME/wireshark/profiles (~/.config/wireshark/profiles) of whoever
# installs, read when installing (override with -DTCPPHASE_PERSONAL_PROFILE_DIR=...). With
# -DTCPPHASE_INSTALL_SYSTEM=ON it goes to Wireshark's global profiles instead
# (<prefix>/share/wireshark/profiles, /usr/share/wireshark/profiles on Debian), which every user
# sees in the profile list and gets a personal copy of on first change.

set(_profile_srcs "${PROJECT_SOURCE_DIR}/profiles/tcpphase"
    "${PROJECT_SOURCE_DIR}/profiles/tcpphase-student")
set(TCPPHASE_PERSONAL_PROFILE_DIR "" CACHE PATH
    "Personal Wireshark profiles folder for the tcpphase profile (default: the installing user's)")
# The same cache entry as cmake/Packaging.cmake's, which is read after this one.
set(TCPPHASE_GLOBAL_PROFILES_DIR "${Wireshark_INSTALL_PREFIX}/share/wireshark/profiles"
    CACHE PATH "Wireshark's global profiles folder, where the tcpphase profile is installed")

# The folder's name is the profile's name (tshark -C tcpphase). FILES_MATCHING keeps editor
# backups and the like out.
set(_profile_files PATTERN "preferences" PATTERN "colorfilters" PATTERN "dfilter_buttons")
if(TCPPHASE_INSTALL_SYSTEM OR TCPPHASE_PERSONAL_PROFILE_DIR)
    if(TCPPHASE_INSTALL_SYSTEM)
        set(_profile_dest "${TCPPHASE_GLOBAL_PROFILES_DIR}")
    else()
        set(_profile_dest "${TCPPHASE_PERSONAL_PROFILE_DIR}")
    endif()
    install(DIRECTORY ${_profile_srcs} DESTINATION "${_profile_dest}"
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
            WORLD_READ WORLD_EXECUTE
        FILES_MATCHING ${_profile_files})
else()
    # The installing user's $XDG_CONFIG_HOME (or ~/.config), read when installing.
    install(CODE "
        set(_config \"\$ENV{XDG_CONFIG_HOME}\")
        if(_config STREQUAL \"\")
            set(_config \"\$ENV{HOME}/.config\")
        endif()
        file(INSTALL ${_profile_srcs} DESTINATION \"\${_config}/wireshark/profiles\"
            FILES_MATCHING PATTERN preferences PATTERN colorfilters PATTERN dfilter_buttons)")
endif()
