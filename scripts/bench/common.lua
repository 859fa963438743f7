-- Shared helpers for the wrk scripts of scripts/bench.sh (loaded with require("common")).
-- wrk runs one Lua state per thread plus one for setup/done; each loads this module.
local M = {}

-- Lines of a file (empty lines skipped); fails loudly when the file is missing.
function M.lines(path)
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  local out = {}
  for line in f:lines() do
    if line ~= "" then out[#out + 1] = line end
  end
  f:close()
  assert(#out > 0, path .. " is empty")
  return out
end

-- "YYYY-MM-DD" for today (UTC) + n days, for n = 0..max, precomputed once.
function M.dates(max)
  local now = os.time()
  local out = {}
  for n = 0, max do out[n] = os.date("!%Y-%m-%d", now + n * 86400) end
  return out
end

-- A random 3-night stay with check-in between today+1 and today+300.
function M.stay(dates)
  local d = math.random(1, 300)
  return dates[d], dates[d + 3]
end

-- Per-thread status counting: wrk copies the `statuses` global of each thread into done().
statuses = {}
function M.count(status)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}
function M.setup(thread)
  thread:set("thread_id", #threads + 1)
  threads[#threads + 1] = thread
end

function M.seed()
  -- Different random streams per thread.
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
  for _ = 1, 10 do math.random() end
end

-- One machine-readable line the bench script parses, plus the status breakdown.
function M.done(summary, latency, name)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    if s then
      for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
    end
  end
  local keys = {}
  for k in pairs(total) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts, s2xx, s4xx, s5xx = {}, 0, 0, 0
  for _, k in ipairs(keys) do
    parts[#parts + 1] = string.format("%d:%d", k, total[k])
    if k >= 200 and k < 300 then s2xx = s2xx + total[k]
    elseif k >= 400 and k < 500 then s4xx = s4xx + total[k]
    elseif k >= 500 then s5xx = s5xx + total[k] end
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT name=%s requests=%d seconds=%.2f rps=%.1f ok_rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f s2xx=%d s4xx=%d s5xx=%d statuses=%s sock_connect=%d sock_read=%d sock_write=%d sock_timeout=%d\n",
    name, summary.requests, secs, summary.requests / secs, s2xx / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000, s2xx, s4xx, s5xx,
    (#parts > 0) and table.concat(parts, ",") or "-",
    e.connect, e.read, e.write, e.timeout))
end

return M
