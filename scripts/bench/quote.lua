-- wrk: GET /hotels/{id}/quote for a random room type of the dataset and a random 3-night stay, 1..2 adults
-- (taxes priced per adult), on the room's default plan.
-- Args (after --): file with "hotel_id room_id" per line.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local rooms, dates

function setup(thread) c.setup(thread) end

function init(args)
  c.seed()
  rooms = {}
  for _, line in ipairs(c.lines(args[1])) do
    local h, r = line:match("^(%d+)%s+(%d+)$")
    rooms[#rooms + 1] = { h, r }
  end
  dates = c.dates(310)
end

function request()
  local pick = rooms[math.random(#rooms)]
  local cin, cout = c.stay(dates)
  return wrk.format("GET", "/hotels/" .. pick[1] .. "/quote?room_id=" .. pick[2] .. "&check_in_date=" .. cin ..
    "&check_out_date=" .. cout .. "&adults=" .. math.random(1, 2))
end

function response(status, headers, body) c.count(status) end

function done(summary, latency, requests) c.done(summary, latency, "quote") end
