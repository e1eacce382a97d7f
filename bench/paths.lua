-- wrk script: cycle through the request paths listed in a file, one per line, spread over wrk's threads
-- (thread i takes lines i, i + n, i + 2n, ...). Headers given with -H (Cookie, HX-Request) go with every
-- request.
--   wrk -t2 -c32 -d15s --latency -H 'Cookie: session=...' -s bench/paths.lua http://127.0.0.1:PORT -- paths.txt 2

local threads = 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

function init(args)
  local file, count = args[1], tonumber(args[2] or "1")
  paths = {}
  local n = 0
  for line in io.lines(file) do
    if line ~= "" then
      if n % count == index then paths[#paths + 1] = line end
      n = n + 1
    end
  end
  if #paths == 0 then error("paths.lua: no paths for thread " .. index .. " in " .. file) end
  position = 0
end

function request()
  position = position % #paths + 1
  return wrk.format(nil, paths[position])
end
