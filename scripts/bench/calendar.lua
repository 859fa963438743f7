-- wrk: GET /hotels/{id}/calendar for a random hotel of the dataset, 90 nights from a random day of the window
-- (every room type of the hotel, each night priced on its default plan).
-- Args (after --): file with one hotel id per line.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local hotels, dates

function setup(thread) c.setup(thread) end

function init(args)
  c.seed()
  hotels = c.lines(args[1])
  dates = c.dates(364)
end

function request()
  local d = math.random(0, 270)
  return wrk.format("GET", "/hotels/" .. hotels[math.random(#hotels)] .. "/calendar?from=" .. dates[d] ..
    "&to=" .. dates[d + 89])
end

function response(status, headers, body) c.count(status) end

function done(summary, latency, requests) c.done(summary, latency, "calendar") end
