-- probe.lua: run inside the Wireshark GUI (wireshark -X lua_script:probe.lua) by the GUI tests
-- (tests/gui, through tests/lib/wireshark-gui.sh). Writes, for every dissection the GUI makes,
-- what tcpphase gave it, so the test reads the GUI's own dissections and not a picture:
--
--   PHASE  VISITED  FRAME  ROLE  CLIENT_STATE  SERVER_STATE  INFO  LABEL  CORRECTED_BY  LINK
--   CORRECTS
--
-- PHASE is the first line of the file $PROBE_PHASE, which the test rewrites before each thing it
-- does (load, click, flow), so a line says what the GUI was doing. INFO is the Info column as
-- built for that dissection ("-" when none is built: the first pass, a detail tree). LABEL is
-- the text of the TCP Connection Phase item ("-" if absent); tcpphase writes its role and
-- transition there only in a visible tree, i.e. the packet details pane. A line "PHASE reset"
-- is a retap starting: opening the Flow Graph makes one.
--
-- The second look: CORRECTED_BY and CORRECTS are the values of tcpphase.corrected_by and
-- tcpphase.corrects ("" if absent); LINK is the line the packet details pane draws for
-- corrected_by, "[Corrected by: 12]" (its name, value, and brackets as a generated item), only
-- if it is a frame number field, which the pane draws as a link ("" if absent).
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
local f_corrected_by = field("tcpphase.corrected_by")
local f_corrects = field("tcpphase.corrects")

-- The pane's line for a field: "Name: value", in brackets for a generated item. The Lua API has
-- no item's whole text; its value's text (display) and its field's name make the same line.
local function link(f)
    local fi = f and f()
    if not fi then
        return ""
    end
    if fi.type ~= ftypes.FRAMENUM then
        return "not a frame number: " .. (fi.display or "")
    end
    local line = f.display .. ": " .. (fi.display or "")
    return fi.generated and "[" .. line .. "]" or line
end

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
        text(f_role), text(f_client), text(f_server), info, label, text(f_corrected_by),
        link(f_corrected_by), text(f_corrects) }, "\t"), "\n")
    out:flush()
end

register_postdissector(probe)

-- Every retap resets the listeners first; a listener on the frame tap sees each of them.
local retaps = Listener.new("frame")
function retaps.reset()
    out:write(phase(), "\treset\n")
    out:flush()
end
