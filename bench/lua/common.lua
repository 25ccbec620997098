-- Shared by the scripts that need a response() hook: counts answers that are not the
-- expected status, and prints the counts of every thread at the end for run.mjs to read.
bad = 0
exhausted = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local b, e = 0, 0
  for _, t in ipairs(threads) do
    b = b + (t:get("bad") or 0)
    e = e + (t:get("exhausted") or 0)
  end
  io.write(string.format("BENCH bad=%d exhausted=%d\n", b, e))
end

-- Reads one credential per line.
function read_lines(path)
  local list, n = {}, 0
  for line in io.lines(path) do
    if line ~= "" then n = n + 1; list[n] = line end
  end
  return list, n
end

-- Appends lines to a file, flushing every 256 lines (and at exit).
function appender(path)
  if path == nil or path == "" then return function() end end
  local file = assert(io.open(path, "a"))
  local pending = 0
  return function(line)
    file:write(line, "\n")
    pending = pending + 1
    if pending >= 256 then file:flush(); pending = 0 end
  end
end
