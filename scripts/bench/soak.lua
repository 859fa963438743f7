-- wrk: the soak of scripts/bench.sh (memory under load). 75 % GET /, 24 % GET /hotels/{id}/info for a random hotel
-- of the dataset, 1 % an unknown path (404, route label "unmatched"); every request claims a random client address
-- in X-Forwarded-For (the soak server trusts the proxy header), so the rate limiter sees a stream of new keys.
-- Args (after --): file with one hotel id per line.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local hotels

function setup(thread) c.setup(thread) end

function init(args)
  c.seed()
  hotels = c.lines(args[1])
end

function request()
  local r = math.random(100)
  local path
  if r == 1 then
    path = "/no-such-path/" .. math.random(1000000000)
  elseif r <= 76 then
    path = "/"
  else
    path = "/hotels/" .. hotels[math.random(#hotels)] .. "/info"
  end
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format("GET", path, { ["X-Forwarded-For"] = ip })
end

function response(status, headers, body) c.count(status) end

function done(summary, latency, requests) c.done(summary, latency, "soak") end
