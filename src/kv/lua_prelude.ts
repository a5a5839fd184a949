/**
 * Lua source run once in every new script VM: the Lua 5.1 names Redis
 * scripts rely on (`unpack`, `loadstring`), the sandbox (no io/os/package,
 * text chunks only, read-only globals that raise on unknown names), the
 * `bit` library over Lua 5.4's integer operators, and Redis 7's error
 * handler that tags errors with the script line. It returns the internal
 * functions the host calls (compile, set_args, error handler).
 * @module
 */

/** The sandbox and `bit`; expects the host's `redis` table in global `redis`. */
export const preludeSource = `
local G = _G
local dbg_getinfo = debug.getinfo
local raw_load, raw_setmt, raw_rawset, raw_error = load, setmetatable, rawset, error
local tostring, type, floor = tostring, type, math.floor
local readonly = raw_setmt({}, {__mode = "k"})

local function ro_error() raw_error("Attempt to modify a readonly table", 2) end

local function protect(t, mt_view)
  local proxy = {}
  readonly[proxy] = true
  return raw_setmt(proxy, {
    __index = t, __newindex = ro_error, __metatable = mt_view,
    __pairs = function() return next, t, nil end,
    __len = function() return #t end,
  })
end

G.unpack = table.unpack
G.loadstring = function(s, name) return raw_load(s, name, "t") end
G.load = function(chunk, name, _, env) return raw_load(chunk, name, "t", env) end
G.setmetatable = function(t, m)
  if readonly[t] then raw_error("Attempt to modify a readonly table", 2) end
  return raw_setmt(t, m)
end
G.rawset = function(t, k, v)
  if readonly[t] then raw_error("Attempt to modify a readonly table", 2) end
  return raw_rawset(t, k, v)
end
for _, name in ipairs({"io", "os", "package", "require", "dofile", "loadfile", "print"}) do
  G[name] = nil
end
debug.sethook = nil

local function tobit(x)
  x = math.tointeger(x) or floor(x + 0.5)
  x = x & 0xffffffff
  if x >= 0x80000000 then x = x - 0x100000000 end
  return x
end
local function fold(op)
  return function(x, ...)
    local r = tobit(x)
    for i = 1, select("#", ...) do r = op(r, tobit((select(i, ...)))) end
    return tobit(r)
  end
end
local bit = {
  tobit = tobit,
  band = fold(function(a, b) return a & b end),
  bor = fold(function(a, b) return a | b end),
  bxor = fold(function(a, b) return a ~ b end),
  bnot = function(x) return tobit(~tobit(x)) end,
  lshift = function(x, n) return tobit(tobit(x) << (tobit(n) & 31)) end,
  rshift = function(x, n) return tobit((tobit(x) & 0xffffffff) >> (tobit(n) & 31)) end,
  arshift = function(x, n) return tobit(tobit(x) // (1 << (tobit(n) & 31))) end,
  rol = function(x, n)
    x, n = tobit(x) & 0xffffffff, tobit(n) & 31
    return tobit((x << n) | (x >> (32 - n)))
  end,
  ror = function(x, n)
    x, n = tobit(x) & 0xffffffff, tobit(n) & 31
    return tobit((x >> n) | (x << (32 - n)))
  end,
  bswap = function(x)
    x = tobit(x) & 0xffffffff
    return tobit(((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >> 8) & 0xff00) | (x >> 24))
  end,
  tohex = function(x, n)
    n = n == nil and 8 or tobit(n)
    local fmt = "%0" .. (n < 0 and -n or n) .. (n < 0 and "X" or "x")
    n = n < 0 and -n or n
    if n > 8 then n = 8 end
    local v = tobit(x) & ((1 << (4 * n)) - 1)
    return string.format(fmt, v):sub(-n)
  end,
}

local real = {}
for k, v in next, G do real[k] = v end
real.bit = protect(bit)
real.cjson = protect(G.cjson)
real.redis = protect(G.redis)
local env = {}
local env_mt_view = protect({})
readonly[env] = true
raw_setmt(env, {
  __index = function(_, k)
    local v = real[k]
    if v == nil then
      raw_error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
    end
    return v
  end,
  __newindex = ro_error,
  __metatable = env_mt_view,
  __pairs = function() return next, real, nil end,
})
real._G = env

local function error_handler(err)
  -- The innermost frame of the script itself (not C, not this prelude).
  local i
  for level = 2, 20 do
    local f = dbg_getinfo(level, "nSl")
    if f == nil then break end
    if f.what ~= "C" and f.source:sub(1, 1) == "@" then i = f break end
  end
  if type(err) ~= "table" then err = {err = "ERR " .. tostring(err)} end
  if i then
    err.source = i.source
    err.line = i.currentline
  end
  return err
end

return {
  compile = function(body, name) return raw_load(body, name, "t", env) end,
  set_args = function(keys, argv) real.KEYS = keys; real.ARGV = argv end,
  error_handler = error_handler,
  memory = function() return collectgarbage("count") end,
}
`;
