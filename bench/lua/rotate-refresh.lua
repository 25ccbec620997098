-- RFC 6749 §6 with rotation: each request spends one refresh token, never twice.
-- The queue starts with pre-minted tokens (BENCH_IN) and takes in the new refresh
-- token of every answer, so a run never runs dry while every token is used once.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Authorization"] = os.getenv("BENCH_AUTHORIZATION"),
}
local queue, head, tail = {}, 1, 0
function init(args)
  queue, tail = read_lines(os.getenv("BENCH_IN"))
end
function request()
  local token
  if head <= tail then
    token = queue[head]; queue[head] = nil; head = head + 1
  else
    exhausted = exhausted + 1; token = "0.exhausted"
  end
  return wrk.format("POST", nil, headers, "grant_type=refresh_token&refresh_token=" .. token)
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1; return end
  local refresh = body:match('"refresh_token":"([^"]+)"')
  if refresh then tail = tail + 1; queue[tail] = refresh else bad = bad + 1 end
end
