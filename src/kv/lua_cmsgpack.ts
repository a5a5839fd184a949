/**
 * The `cmsgpack` library Redis scripts use (pack, unpack, unpack_one,
 * unpack_limit), written in Lua over Lua 5.4's string.pack: whole numbers
 * pack as MessagePack integers, others as float32 when exact, else float64;
 * tables nested deeper than 16 pack as nil, as lua-cmsgpack does.
 * @module
 */

/** Lua source; sets global `cmsgpack`. */
export const cmsgpackSource = `
local spack, sunpack, char, byte, mtype, floor = string.pack, string.unpack, string.char, string.byte, math.type, math.floor
local depth_max = 16

local function pack_int(n)
  if n >= 0 then
    if n <= 127 then return char(n) end
    if n <= 0xff then return "\\xcc" .. spack(">I1", n) end
    if n <= 0xffff then return "\\xcd" .. spack(">I2", n) end
    if n <= 0xffffffff then return "\\xce" .. spack(">I4", n) end
    return "\\xcf" .. spack(">i8", n)
  end
  if n >= -32 then return spack(">i1", n) end
  if n >= -128 then return "\\xd0" .. spack(">i1", n) end
  if n >= -32768 then return "\\xd1" .. spack(">i2", n) end
  if n >= -2147483648 then return "\\xd2" .. spack(">i4", n) end
  return "\\xd3" .. spack(">i8", n)
end

local function pack_number(n)
  if mtype(n) == "integer" then return pack_int(n) end
  if n == floor(n) and n >= -2^63 and n < 2^63 then return pack_int(math.tointeger(n)) end
  if n == n and sunpack(">f", spack(">f", n)) == n then return "\\xca" .. spack(">f", n) end
  return "\\xcb" .. spack(">d", n)
end

local function pack_string(s)
  local n = #s
  if n < 32 then return char(0xa0 | n) .. s end
  if n <= 0xff then return "\\xd9" .. spack(">I1", n) .. s end
  if n <= 0xffff then return "\\xda" .. spack(">I2", n) .. s end
  return "\\xdb" .. spack(">I4", n) .. s
end

local function array_length(t)
  local max, count = 0, 0
  for k in next, t do
    if type(k) ~= "number" or k < 1 or k ~= floor(k) then return nil end
    if k > max then max = k end
    count = count + 1
  end
  if max ~= count then return nil end
  return max
end

local function header(n, fix, small, big)
  if n < 16 then return char(fix | n) end
  if n <= 0xffff then return small .. spack(">I2", n) end
  return big .. spack(">I4", n)
end

local pack_value
local function pack_table(t, depth)
  local n = array_length(t)
  local out = {}
  if n ~= nil then
    out[1] = header(n, 0x90, "\\xdc", "\\xdd")
    for i = 1, n do out[i + 1] = pack_value(t[i], depth + 1) end
  else
    local count = 0
    for _ in next, t do count = count + 1 end
    out[1] = header(count, 0x80, "\\xde", "\\xdf")
    for k, v in next, t do
      out[#out + 1] = pack_value(k, depth + 1)
      out[#out + 1] = pack_value(v, depth + 1)
    end
  end
  return table.concat(out)
end

pack_value = function(v, depth)
  local t = type(v)
  if t == "number" then return pack_number(v) end
  if t == "string" then return pack_string(v) end
  if t == "boolean" then return v and "\\xc3" or "\\xc2" end
  if t == "table" and depth < depth_max then return pack_table(v, depth) end
  return "\\xc0"
end

local unpack_value
local function unpack_items(s, pos, n, map)
  local t = {}
  for _ = 1, n do
    local k, v
    if map then
      k, pos = unpack_value(s, pos)
      v, pos = unpack_value(s, pos)
      if k ~= nil then t[k] = v end
    else
      v, pos = unpack_value(s, pos)
      t[#t + 1] = v
    end
  end
  return t, pos
end

local fixed = {
  [0xc0] = function(_, pos) return nil, pos end,
  [0xc2] = function(_, pos) return false, pos end,
  [0xc3] = function(_, pos) return true, pos end,
  [0xca] = function(s, pos) return sunpack(">f", s, pos) end,
  [0xcb] = function(s, pos) return sunpack(">d", s, pos) end,
  [0xcc] = function(s, pos) return sunpack(">I1", s, pos) end,
  [0xcd] = function(s, pos) return sunpack(">I2", s, pos) end,
  [0xce] = function(s, pos) return sunpack(">I4", s, pos) end,
  [0xcf] = function(s, pos) return sunpack(">i8", s, pos) end,
  [0xd0] = function(s, pos) return sunpack(">i1", s, pos) end,
  [0xd1] = function(s, pos) return sunpack(">i2", s, pos) end,
  [0xd2] = function(s, pos) return sunpack(">i4", s, pos) end,
  [0xd3] = function(s, pos) return sunpack(">i8", s, pos) end,
  [0xd9] = function(s, pos) return sunpack(">s1", s, pos) end,
  [0xda] = function(s, pos) return sunpack(">s2", s, pos) end,
  [0xdb] = function(s, pos) return sunpack(">s4", s, pos) end,
  [0xc4] = function(s, pos) return sunpack(">s1", s, pos) end,
  [0xc5] = function(s, pos) return sunpack(">s2", s, pos) end,
  [0xc6] = function(s, pos) return sunpack(">s4", s, pos) end,
  [0xdc] = function(s, pos) local n; n, pos = sunpack(">I2", s, pos) return unpack_items(s, pos, n, false) end,
  [0xdd] = function(s, pos) local n; n, pos = sunpack(">I4", s, pos) return unpack_items(s, pos, n, false) end,
  [0xde] = function(s, pos) local n; n, pos = sunpack(">I2", s, pos) return unpack_items(s, pos, n, true) end,
  [0xdf] = function(s, pos) local n; n, pos = sunpack(">I4", s, pos) return unpack_items(s, pos, n, true) end,
}

unpack_value = function(s, pos)
  local b = byte(s, pos)
  if b == nil then error("Missing bytes in input.") end
  pos = pos + 1
  if b <= 0x7f then return b, pos end
  if b >= 0xe0 then return b - 256, pos end
  if b >= 0xa0 and b <= 0xbf then return s:sub(pos, pos + (b & 0x1f) - 1), pos + (b & 0x1f) end
  if b >= 0x90 and b <= 0x9f then return unpack_items(s, pos, b & 0x0f, false) end
  if b >= 0x80 and b <= 0x8f then return unpack_items(s, pos, b & 0x0f, true) end
  local f = fixed[b]
  if f == nil then error("Bad data format in input.") end
  return f(s, pos)
end

-- Decodes up to limit values (0: all) from byte offset; returns the next offset (-1 at the end) and them.
local function unpack_from(s, limit, offset)
  if type(s) ~= "string" then error("MessagePack decoding needs a string input") end
  local out, pos, n = {}, offset + 1, 0
  while pos <= #s and (limit == 0 or n < limit) do
    n = n + 1
    out[n], pos = unpack_value(s, pos)
  end
  return pos > #s and -1 or pos - 1, table.unpack(out, 1, n)
end

cmsgpack = {
  pack = function(...)
    local n = select("#", ...)
    if n == 0 then error("MessagePack pack needs input.") end
    local out = {}
    for i = 1, n do out[i] = pack_value((select(i, ...)), 0) end
    return table.concat(out)
  end,
  unpack = function(s)
    return select(2, unpack_from(s, 0, 0))
  end,
  unpack_one = function(s, offset) return unpack_from(s, 1, offset or 0) end,
  unpack_limit = function(s, limit, offset) return unpack_from(s, limit or 0, offset or 0) end,
}
`;
