-- wrk script: durable pulses, each to a random one of BENCH_SERVICES existing
-- services (`svc-0000000` ..), as bench/seed_services.py names them.
local password = os.getenv("WATCHTOWER_PASSWORD")
local services = tonumber(os.getenv("BENCH_SERVICES"))

request = function()
  local body = string.format(
    '{"service":"svc-%07d","alertType":"webhook","alertTarget":"ops","nextIn":86400}',
    math.random(0, services - 1))
  return wrk.format("POST", "/", { ["password"] = password, ["Content-Type"] = "application/json" }, body)
end
