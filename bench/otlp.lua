-- wrk script: POST /v1/logs, the same OTLP protobuf request (BENCH_BODY, a file)
-- each time. Any non-2xx answer fails the run (bench/otlp.sh checks wrk's output).
local password = os.getenv("WATCHTOWER_PASSWORD")
local file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
local body = file:read("*a")
file:close()

request = function()
  return wrk.format("POST", "/v1/logs",
    { ["password"] = password, ["Content-Type"] = "application/x-protobuf" }, body)
end
