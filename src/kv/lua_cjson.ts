/**
 * The `cjson` library Redis scripts use (encode, decode, cjson.null and the
 * configuration calls), written in Lua. Numbers decode as integers when they
 * are whole, so `table.concat` prints them as Lua 5.1 (Redis) does.
 * @module
 */

/** Lua source; sets global `cjson`. */
export const cjsonSource = `
local cfg = {encode_max_depth = 1000, decode_max_depth = 1000, invalid = false}
local null = setmetatable({}, {__tostring = function() return "null" end, __metatable = false})
local fmt, byte, char, sub, find = string.format, string.byte, string.char, string.sub, string.find
local escapes = {['"'] = '\\\\"', ['\\\\'] = '\\\\\\\\', ['/'] = '\\\\/', ['\\b'] = '\\\\b',
  ['\\f'] = '\\\\f', ['\\n'] = '\\\\n', ['\\r'] = '\\\\r', ['\\t'] = '\\\\t'}

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\\\/]', function(c)
    return escapes[c] or fmt("\\\\u%04x", byte(c))
  end) .. '"'
end

local function encode_number(n)
  if n ~= n or n == math.huge or n == -math.huge then
    if not cfg.invalid then error("Cannot serialise number: must not be NaN or Inf") end
    if n ~= n then return "nan" end
    return n > 0 and "inf" or "-inf"
  end
  if math.type(n) == "integer" then return tostring(n) end
  if n == math.floor(n) and n > -1e15 and n < 1e15 then return fmt("%d", n) end
  return fmt("%.14g", n)
end

local encode_value
local function encode_table(t, depth)
  depth = depth + 1
  if depth > cfg.encode_max_depth then
    error("Cannot serialise, excessive nesting (" .. depth .. ")")
  end
  local max, count, array = 0, 0, true
  for k in next, t do
    if math.type(k) == "integer" and k > 0 then
      if k > max then max = k end
      count = count + 1
    else
      array = false
      if type(k) ~= "string" and type(k) ~= "number" then
        error("Cannot serialise " .. type(k) .. ": table key must be a number or string")
      end
    end
  end
  if array and count > 0 and max <= count * 2 + 10 then
    local out = {}
    for i = 1, max do out[i] = encode_value(t[i], depth) end
    return "[" .. table.concat(out, ",") .. "]"
  end
  local out = {}
  for k, v in next, t do
    local key = type(k) == "string" and k or encode_number(k)
    out[#out + 1] = encode_string(key) .. ":" .. encode_value(v, depth)
  end
  return "{" .. table.concat(out, ",") .. "}"
end

encode_value = function(v, depth)
  local t = type(v)
  if v == nil or v == null then return "null" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then return encode_number(v) end
  if t == "string" then return encode_string(v) end
  if t == "table" then return encode_table(v, depth) end
  error("Cannot serialise " .. t .. ": type not supported")
end

local decode_value
local function decode_error(s, i, what)
  error(fmt("Expected %s but found invalid token at character %d", what, i))
end
local function skip(s, i)
  return find(s, "[^ \\t\\r\\n]", i) or #s + 1
end
local function decode_string(s, i)
  local out, j = {}, i + 1
  while true do
    local c = sub(s, j, j)
    if c == "" then error("Expected string but found unexpected end of string at character " .. j) end
    if c == '"' then return table.concat(out), j + 1 end
    if c == "\\\\" then
      local e = sub(s, j + 1, j + 1)
      local map = {b = "\\b", f = "\\f", n = "\\n", r = "\\r", t = "\\t"}
      if e == "u" then
        local code = tonumber(sub(s, j + 2, j + 5), 16)
        if code == nil then decode_error(s, j, "string") end
        j = j + 6
        if code >= 0xD800 and code <= 0xDBFF and sub(s, j, j + 1) == "\\\\u" then
          local low = tonumber(sub(s, j + 2, j + 5), 16) or 0
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          j = j + 6
        end
        out[#out + 1] = utf8.char(code)
      else
        out[#out + 1] = map[e] or e
        j = j + 2
      end
    else
      local k = find(s, '["\\\\]', j) or #s + 1
      out[#out + 1] = sub(s, j, k - 1)
      j = k
    end
  end
end
local function decode_number(s, i)
  local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  local n = num and tonumber(num)
  if n == nil then decode_error(s, i, "value") end
  if math.type(n) == "float" then n = math.tointeger(n) or n end
  return n, i + #num
end
local function decode_container(s, i, depth, close)
  if depth > cfg.decode_max_depth then
    error(fmt("Found too many nested data structures (%d) at character %d", depth, i))
  end
  local out, n = {}, 0
  i = skip(s, i + 1)
  if sub(s, i, i) == close then return out, i + 1 end
  while true do
    if close == "}" then
      if sub(s, i, i) ~= '"' then decode_error(s, i, "object key string") end
      local k
      k, i = decode_string(s, i)
      i = skip(s, i)
      if sub(s, i, i) ~= ":" then decode_error(s, i, "colon") end
      local v
      v, i = decode_value(s, skip(s, i + 1), depth)
      out[k] = v
    else
      local v
      v, i = decode_value(s, i, depth)
      n = n + 1
      out[n] = v
    end
    i = skip(s, i)
    local c = sub(s, i, i)
    if c == close then return out, i + 1 end
    if c ~= "," then decode_error(s, i, "comma or " .. (close == "}" and "object" or "array") .. " end") end
    i = skip(s, i + 1)
  end
end
decode_value = function(s, i, depth)
  local c = sub(s, i, i)
  if c == "{" then return decode_container(s, i, depth + 1, "}") end
  if c == "[" then return decode_container(s, i, depth + 1, "]") end
  if c == '"' then return decode_string(s, i) end
  if sub(s, i, i + 3) == "null" then return null, i + 4 end
  if sub(s, i, i + 3) == "true" then return true, i + 4 end
  if sub(s, i, i + 4) == "false" then return false, i + 5 end
  return decode_number(s, i)
end

cjson = {
  null = null,
  encode = function(v)
    if select("#", v) == 0 then error("bad argument #1 to 'encode' (expected 1 argument)") end
    return encode_value(v, 0)
  end,
  decode = function(s)
    if type(s) ~= "string" then error("bad argument #1 to 'decode' (string expected)") end
    local v, i = decode_value(s, skip(s, 1), 0)
    i = skip(s, i)
    if i <= #s then decode_error(s, i, "the end") end
    return v
  end,
  encode_max_depth = function(n) if n then cfg.encode_max_depth = n end return cfg.encode_max_depth end,
  decode_max_depth = function(n) if n then cfg.decode_max_depth = n end return cfg.decode_max_depth end,
  encode_invalid_numbers = function(b) if b ~= nil then cfg.invalid = b and true end return cfg.invalid end,
  decode_invalid_numbers = function() return true end,
  encode_keep_buffer = function() return true end,
  encode_sparse_array = function() return false, 2, 10 end,
  encode_number_precision = function() return 14 end,
}
`;
