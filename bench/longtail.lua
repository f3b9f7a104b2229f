-- BENCH_MIX=longtail: each request a random path from a file (PACTA_BENCH_PATHS), as a crowd
-- of readers each asking for a different meeting, page or filter; figures as report.lua.
local paths = {}
for line in io.lines(os.getenv("PACTA_BENCH_PATHS")) do
  paths[#paths + 1] = line
end
math.randomseed(os.time())

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

dofile(os.getenv("PACTA_BENCH_REPORT"))
