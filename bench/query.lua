-- wrk script: GET /list-events, one of three query shapes (BENCH_QUERY), newest 100.
--   service  a random service of 1,000 over BENCH_FROM..BENCH_TO (epoch seconds)
--   errors   level=error over the last 24 hours, across all services
--   search   a rare word (quasar-0 .. quasar-39), each in a handful of events
--   attribute  a random service over BENCH_FROM..BENCH_TO whose events have a random
--            host and status 500 (attr.host=web-K&attr.status=500): one event in
--            400 of the service's, fewer than 100 in the range, so each is looked at
-- Any non-2xx answer fails the run (bench/events.sh checks wrk's output).
local password = os.getenv("WATCHTOWER_PASSWORD")
local shape = os.getenv("BENCH_QUERY")
local from, to = os.getenv("BENCH_FROM"), os.getenv("BENCH_TO")
local day_ago = os.time() - 86400
local counter = 0

request = function()
  counter = counter + 1
  local path
  if shape == "service" then
    path = string.format("/list-events?service=svc-%d&from=%s&to=%s", math.random(0, 999), from, to)
  elseif shape == "attribute" then
    path = string.format("/list-events?service=svc-%d&from=%s&to=%s&attr.host=web-%d&attr.status=500",
      math.random(0, 999), from, to, math.random(0, 19))
  elseif shape == "errors" then
    path = string.format("/list-events?level=error&from=%d", day_ago)
  else
    path = string.format("/list-events?message=quasar-%d%%20spotted", math.random(0, 39))
  end
  return wrk.format("GET", path, { ["password"] = password })
end
