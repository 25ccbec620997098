-- Mints authorization codes through the real authorize endpoint: a signed-in person
-- who has already consented gets an immediate 302 carrying a fresh code (SPEC §6).
-- BENCH_COOKIE: the session cookie; BENCH_OUT: where the codes go, one per line.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "GET"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
local write
function init(args) write = appender(os.getenv("BENCH_OUT")) end
function response(status, headers, body)
  local location = headers["location"] or headers["Location"]
  local code = status == 302 and location and location:match("[?&]code=([^&#]+)")
  if code then write(code) else bad = bad + 1 end
end
