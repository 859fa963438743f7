-- wrk: POST /bookings/init, uncontended: a random (hotel, room) among many, a random 3-night stay, and a random
-- guest's access token per request.
-- Args (after --): rooms file ("hotel_id room_id" per line), tokens file (one access token per line).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local rooms, tokens, dates

function setup(thread) c.setup(thread) end

function init(args)
  c.seed()
  rooms = {}
  for _, line in ipairs(c.lines(args[1])) do
    local h, r = line:match("^(%d+)%s+(%d+)$")
    rooms[#rooms + 1] = { h, r }
  end
  tokens = c.lines(args[2])
  dates = c.dates(310)
end

function request()
  local room = rooms[math.random(#rooms)]
  local cin, cout = c.stay(dates)
  local body = '{"hotel_id":' .. room[1] .. ',"room_id":' .. room[2] ..
      ',"check_in_date":"' .. cin .. '","check_out_date":"' .. cout .. '"}'
  return wrk.format("POST", "/bookings/init", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
  }, body)
end

function response(status, headers, body) c.count(status) end

function done(summary, latency, requests) c.done(summary, latency, "init") end
