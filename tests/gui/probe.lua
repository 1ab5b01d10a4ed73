-- probe.lua: run inside the Wireshark GUI (wireshark -X lua_script:probe.lua) by tests/gui/gui-check.
-- Writes, for every dissection the GUI makes, what tcpphase gave it, so the test reads the GUI's
-- own dissections and not a picture:
--
--   PHASE  VISITED  FRAME  ROLE  CLIENT_STATE  SERVER_STATE  INFO  LABEL
--
-- PHASE is the first line of the file $PROBE_PHASE, which the test rewrites before each thing it
-- does (load, click, flow), so a line says what the GUI was doing. INFO is the Info column as
-- built for that dissection ("-" when none is built: the first pass, a detail tree). LABEL is
-- the text of the TCP Connection Phase item ("-" if absent); tcpphase writes its role and
-- transition there only in a visible tree, i.e. the packet details pane. A line "PHASE reset"
-- is a retap starting: opening the Flow Graph makes one.
--
-- A Lua post-dissector runs after the C post-dissectors of the plugins, so tcpphase has already
-- written its fields and its Info text. The field extractors ask for the fields in every tree
-- the GUI builds, which is what the packet list and Flow Graph need from it anyway.
local out = assert(io.open(assert(os.getenv("PROBE_OUT"), "PROBE_OUT unset"), "a"))
local phase_file = assert(os.getenv("PROBE_PHASE"), "PROBE_PHASE unset")

local function phase()
    local f = io.open(phase_file, "r")
    if not f then
        return "?"
    end
    local p = f:read("*l") or "?"
    f:close()
    return p
end

-- A field that does not exist (no plugin loaded) reads as empty: the test must see the GUI
-- without tcpphase, not a Lua error dialog.
local function field(name)
    local ok, f = pcall(Field.new, name)
    return ok and f or nil
end

local function text(f)
    local fi = f and f()
    return fi and tostring(fi) or ""
end

local f_role = field("tcpphase.role")
local f_client = field("tcpphase.client_state")
local f_server = field("tcpphase.server_state")

local probe = Proto("tcpphaseguiprobe", "tcpphase GUI probe")

function probe.dissector(tvb, pinfo, tree)
    local info = "-"
    pcall(function()
        info = tostring(pinfo.cols.info)
    end)
    if info == "(info)" then -- Lua's text for a column that is not being built
        info = "-"
    end
    local label = "-"
    for _, fi in ipairs({ all_field_infos() }) do
        if fi.name == "tcpphase" then
            label = fi.display or "-"
        end
    end
    out:write(table.concat({ phase(), tostring(pinfo.visited), tostring(pinfo.number),
        text(f_role), text(f_client), text(f_server), info, label }, "\t"), "\n")
    out:flush()
end

register_postdissector(probe)

-- Every retap resets the listeners first; a listener on the frame tap sees each of them.
local retaps = Listener.new("frame")
function retaps.reset()
    out:write(phase(), "\treset\n")
    out:flush()
end
