-- wrk: GET /hotels/{id}/info for a random hotel id of the dataset; with BENCH_INFO_DATES=1, also a random 3-night
-- stay (check_in_date/check_out_date), which prices every room type of the hotel.
-- Args (after --): file with one hotel id per line.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local hotels, dates
local with_dates = os.getenv("BENCH_INFO_DATES") == "1"

function setup(thread) c.setup(thread) end

function init(args)
  c.seed()
  hotels = c.lines(args[1])
  dates = c.dates(310)
end

function request()
  local path = "/hotels/" .. hotels[math.random(#hotels)] .. "/info"
  if with_dates then
    local cin, cout = c.stay(dates)
    path = path .. "?check_in_date=" .. cin .. "&check_out_date=" .. cout
  end
  return wrk.format("GET", path)
end

function response(status, headers, body) c.count(status) end

function done(summary, latency, requests)
  c.done(summary, latency, with_dates and "info_dates" or "info")
end
