-- wrk: GET /hotels/search for a random city (city01..city20, random case) and a random 3-night stay.
-- Usage: wrk ... -s search.lua URL   (BENCH_LUA_DIR must point at scripts/bench)
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local dates
local cases = { "city%02d", "City%02d", "CITY%02d" }

function setup(thread) c.setup(thread) end

function init(args)
  c.seed()
  dates = c.dates(310)
end

function request()
  local city = string.format(cases[math.random(#cases)], math.random(1, 20))
  local cin, cout = c.stay(dates)
  return wrk.format("GET", "/hotels/search?city=" .. city .. "&check_in_date=" .. cin .. "&check_out_date=" .. cout)
end

function response(status, headers, body) c.count(status) end

function done(summary, latency, requests) c.done(summary, latency, "search") end
