-- wrk script: durable pulses over 10,000 distinct services, spread across threads.
local password = os.getenv("WATCHTOWER_PASSWORD")
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"service":"bench-%d-%d","alertType":"webhook","alertTarget":"ops","nextIn":3600}',
    thread_id, counter % 5000)
  return wrk.format("POST", "/", { ["password"] = password, ["Content-Type"] = "application/json" }, body)
end
