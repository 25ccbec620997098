-- One pre-signed JWT per request (BENCH_IN, one per line, each used once): a DPoP proof in
-- the header BENCH_HEADER (RFC 9449 §4), or, without BENCH_HEADER, appended to the form
-- body BENCH_BODY (a client_assertion, RFC 7523 §2.2). Every proof and assertion carries its
-- own jti, which the server accepts once: reusing one would be an error, not a measurement.
-- An answer is good when it is 200 and its token_type is BENCH_TOKEN_TYPE.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local header = os.getenv("BENCH_HEADER") or ""
local body = os.getenv("BENCH_BODY") or ""
local authorization = os.getenv("BENCH_AUTHORIZATION") or ""
local expected = '"token_type":"' .. (os.getenv("BENCH_TOKEN_TYPE") or "Bearer") .. '"'
local lines, count, next_index = {}, 0, 0
function init(args)
  lines, count = read_lines(os.getenv("BENCH_IN"))
end
function request()
  next_index = next_index + 1
  local signed = lines[next_index]
  if signed == nil then exhausted = exhausted + 1; signed = "exhausted" end
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if authorization ~= "" then headers["Authorization"] = authorization end
  if header ~= "" then
    headers[header] = signed
    return wrk.format("POST", nil, headers, body)
  end
  return wrk.format("POST", nil, headers, body .. signed)
end
function response(status, headers, answer)
  if status ~= 200 or not answer:find(expected, 1, true) then bad = bad + 1 end
end
