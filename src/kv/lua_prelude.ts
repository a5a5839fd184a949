/**
 * Lua source run once in every new script VM: the Lua 5.1 names Redis
 * scripts rely on (`unpack`, `loadstring`), the sandbox (no io/os/package,
 * text chunks only, read-only globals that raise on unknown names), the
 * `bit` library over Lua 5.4's integer operators, and Redis 7's error
 * handler that tags errors with the script line. It returns the internal
 * functions the host calls (compile, error handler) and the globals table.
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
real.cmsgpack = protect(G.cmsgpack)
-- struct (Lua 5.1's library) over string.pack: its "s" is a zero-terminated string, 5.4's "z".
local function struct_format(f) return (f:gsub("s", "z")) end
real.struct = protect({
  pack = function(f, ...) return string.pack(struct_format(f), ...) end,
  unpack = function(f, s, pos) return string.unpack(struct_format(f), s, pos) end,
  size = function(f) return string.packsize(struct_format(f)) end,
})
real.redis = protect(G.redis)
-- An __index that raises, as Redis does, on a global the sandbox does not have.
local function strict_index(t)
  return function(_, k)
    local v = t[k]
    if v == nil then
      raw_error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
    end
    return v
  end
end
local env = {}
local env_mt_view = protect({__index = protect(real)})
readonly[env] = true
raw_setmt(env, {
  __index = strict_index(real),
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

-- FUNCTION LOAD: a library's top level sees only the library API and a few
-- basics; its functions run with the scripts' globals.
local function strict(t)
  local proxy = {}
  readonly[proxy] = true
  return raw_setmt(proxy, {
    __index = strict_index(t),
    __newindex = ro_error,
    __metatable = false,
  })
end
local pending
local valid_flags = {["no-writes"] = true, ["allow-oom"] = true, ["allow-stale"] = true,
  ["no-cluster"] = true, ["allow-cross-slot-keys"] = true}
local function check_name(name)
  if type(name) ~= "string" or not name:match("^[%w_]+$") then
    -- Redis 7.0 words this as for library names.
    raw_error("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long", 3)
  end
end
local function register(...)
  if pending == nil then
    raw_error("redis.register_function can only be called on FUNCTION LOAD command", 2)
  end
  local n = select("#", ...)
  local name, callback, flags, description
  if n == 1 then
    local t = ...
    if type(t) ~= "table" then
      raw_error("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).", 2)
    end
    for k, v in next, t do
      if k == "function_name" then
        if type(v) ~= "string" then raw_error("function_name argument given to redis.register_function must be a string", 2) end
        name = v
      elseif k == "callback" then
        if type(v) ~= "function" then raw_error("callback argument given to redis.register_function must be a function", 2) end
        callback = v
      elseif k == "flags" then
        if type(v) ~= "table" then raw_error("flags argument to redis.register_function must be a table representing function flags", 2) end
        flags = {}
        for _, f in ipairs(v) do
          if type(f) ~= "string" or not valid_flags[f] then raw_error("unknown flag given", 2) end
          flags[#flags + 1] = f
        end
      elseif k == "description" then
        if type(v) ~= "string" then raw_error("description argument given to redis.register_function must be a string", 2) end
        description = v
      else
        raw_error("unknown argument given to redis.register_function", 2)
      end
    end
    if name == nil then raw_error("redis.register_function must get a function name argument", 2) end
    if callback == nil then raw_error("redis.register_function must get a callback argument", 2) end
  elseif n == 2 then
    name, callback = ...
    if type(name) ~= "string" then raw_error("first argument to redis.register_function must be a string", 2) end
    if type(callback) ~= "function" then raw_error("second argument to redis.register_function must be a function", 2) end
  else
    raw_error("wrong number of arguments to redis.register_function", 2)
  end
  check_name(name)
  for _, f in ipairs(pending) do
    if f.name == name then raw_error("Function already exists in the library", 2) end
  end
  pending[#pending + 1] = {name = name, callback = callback, flags = flags or {}, description = description}
end
local library_api = {register_function = register, log = G.redis.log}
for k, v in next, G.redis do
  if type(k) == "string" and (k:match("^LOG_") or k:match("^REDIS_VERSION")) then library_api[k] = v end
end
local load_globals = {redis = strict(library_api)}
for _, k in ipairs({"string", "table", "cjson", "cmsgpack", "struct", "bit", "pairs", "ipairs", "next", "type",
  "tostring", "tonumber", "error", "assert", "pcall", "xpcall", "select", "unpack",
  "rawget", "rawequal", "rawlen"}) do
  load_globals[k] = real[k]
end
-- A library's functions keep this environment: while loading it shows the
-- library API, afterwards the scripts' globals.
local load_env = {}
readonly[load_env] = true
raw_setmt(load_env, {
  __index = function(_, k)
    local v
    if pending ~= nil then v = load_globals[k] else v = real[k] end
    if v == nil then
      raw_error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
    end
    return v
  end,
  __newindex = ro_error,
  __metatable = env_mt_view,
})

collectgarbage()

return {
  compile = function(body, name) return raw_load(body, name, "t", env) end,
  -- Runs a library body; returns its registered functions, or nil and the error.
  load_library = function(body, name)
    local f, err = raw_load(body, name, "t", load_env)
    if f == nil then return nil, "ERR Error compiling function: " .. err end
    pending = {}
    local ok, e = xpcall(f, error_handler)
    local registered = pending
    pending = nil
    if not ok then return nil, e end
    return registered
  end,
  -- The table behind the read-only globals: the host sets KEYS and ARGV in it.
  globals = real,
  error_handler = error_handler,
  memory = function() return collectgarbage("count") end,
  collect = function() collectgarbage() end,
}
`;
