-- RFC 6749 §4.1.3: each request redeems one pre-minted code (each code used once).
-- An answer is good when it is 200 and carries the field BENCH_KEEP names; that field of
-- every answer is kept (BENCH_OUT): refresh_token for the refresh bench, or id_token for
-- the openid row, whose id_tokens are verified against the JWKS after the run
-- (bench/lib/id-tokens.mjs).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Authorization"] = os.getenv("BENCH_AUTHORIZATION"),
}
local prefix = "grant_type=authorization_code&redirect_uri=" .. os.getenv("BENCH_REDIRECT_URI") .. "&code="
local pattern = '"' .. os.getenv("BENCH_KEEP") .. '":"([^"]+)"'
local codes, count, next_index = {}, 0, 0
local write
function init(args)
  codes, count = read_lines(os.getenv("BENCH_IN"))
  write = appender(os.getenv("BENCH_OUT"))
end
function request()
  next_index = next_index + 1
  local code = codes[next_index]
  if code == nil then exhausted = exhausted + 1; code = "0.exhausted" end
  return wrk.format("POST", nil, headers, prefix .. code)
end
function response(status, headers, body)
  if status ~= 200 or not body:find('"access_token":"', 1, true) then bad = bad + 1; return end
  local kept = body:match(pattern)
  if kept then write(kept) else bad = bad + 1 end
end
