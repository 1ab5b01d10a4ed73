# profile.cmake: installs the Wireshark configuration profile "tcpphase" (profiles/tcpphase:
# tcpphase columns, colouring rules, filter buttons), included from this folder's
# CMakeLists.txt.
#
# Like the plugin, it goes to the personal folder by default, where Wireshark keeps a user's
# own profiles: $XDG_CONFIG_HOME/wireshark/profiles (~/.config/wireshark/profiles), taken when
# configuring (override with -DTCPPHASE_PERSONAL_PROFILE_DIR=...). With
# -DTCPPHASE_INSTALL_SYSTEM=ON it goes to Wireshark's global profiles instead
# (<prefix>/share/wireshark/profiles, /usr/share/wireshark/profiles on Debian), which every user
# sees in the profile list and gets a personal copy of on first change.

set(_profile_src "${PROJECT_SOURCE_DIR}/profiles/tcpphase")
if(DEFINED ENV{XDG_CONFIG_HOME} AND NOT "$ENV{XDG_CONFIG_HOME}" STREQUAL "")
    set(_config_home "$ENV{XDG_CONFIG_HOME}")
else()
    set(_config_home "$ENV{HOME}/.config")
endif()
set(TCPPHASE_PERSONAL_PROFILE_DIR "${_config_home}/wireshark/profiles"
    CACHE PATH "Personal Wireshark profiles folder to install the tcpphase profile into")
# The same cache entry as cmake/Packaging.cmake's, which is read after this one.
set(TCPPHASE_GLOBAL_PROFILES_DIR "${Wireshark_INSTALL_PREFIX}/share/wireshark/profiles"
    CACHE PATH "Wireshark's global profiles folder, where the tcpphase profile is installed")

if(TCPPHASE_INSTALL_SYSTEM)
    set(_profile_dest "${TCPPHASE_GLOBAL_PROFILES_DIR}")
else()
    set(_profile_dest "${TCPPHASE_PERSONAL_PROFILE_DIR}")
endif()
# The folder's name is the profile's name (tshark -C tcpphase). FILES_MATCHING keeps editor
# backups and the like out.
install(DIRECTORY "${_profile_src}" DESTINATION "${_profile_dest}"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
    DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
        WORLD_READ WORLD_EXECUTE
    FILES_MATCHING PATTERN "preferences" PATTERN "colorfilters" PATTERN "dfilter_buttons")
