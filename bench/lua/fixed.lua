-- One fixed request, repeated: the same shape bench-peers' bench.sh sends.
-- BENCH_METHOD, BENCH_BODY, BENCH_AUTHORIZATION (whole header value) come from the environment.
-- No response() hook: wrk then skips body parsing, so the ceiling is not capped by the
-- load generator; non-2xx answers are counted by wrk itself ("Non-2xx or 3xx responses").
wrk.method = os.getenv("BENCH_METHOD") or "POST"
local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local authorization = os.getenv("BENCH_AUTHORIZATION") or ""
if authorization ~= "" then wrk.headers["Authorization"] = authorization end
