-- wrk script: durable events from 1,000 services at mixed levels.
local password = os.getenv("WATCHTOWER_PASSWORD")
local levels = { "debug", "info", "warning", "error", "critical" }
local counter = 0

request = function()
  counter = counter + 1
  local body = string.format(
    '{"service":"svc-%d","level":"%s","message":"benchmark event number %d with some text"}',
    counter % 1000, levels[counter % 5 + 1], counter)
  return wrk.format("POST", "/add-event", { ["password"] = password, ["Content-Type"] = "application/json" }, body)
end
