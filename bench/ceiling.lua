-- wrk script: the HTTP ceiling through the same stack (auth checked, no storage): a JSON 404.
local password = os.getenv("WATCHTOWER_PASSWORD")

request = function()
  return wrk.format("GET", "/ceiling", { ["password"] = password })
end
