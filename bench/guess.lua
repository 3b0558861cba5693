-- wrk script: a client guessing passwords, each request a new wrong one (GET /).
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", "/", { ["password"] = string.format("wrong-guess-%012d", counter) })
end
