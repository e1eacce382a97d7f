-- wrk script: the merchant's one-tap confirm, POST /merchant/vouchers/<code>/confirm, as htmx sends it
-- (HX-Request, the CSRF token in X-CSRFToken and in the form body), each request a different open voucher.
-- Each line of the data file is "<code> <cookie> <csrf token>": the voucher's code and a logged-in session
-- of staff of that voucher's merchant. Thread i takes lines i, i + n, ... so no code is sent twice; a code
-- succeeds once (200 with the redeemed card), so a file that runs out wraps round and then answers 409
-- ("already redeemed"), which wrk counts as non-2xx: the file must hold more codes than the run sends.
--   wrk -t2 -c32 -d15s --latency -s bench/confirm.lua http://127.0.0.1:PORT -- confirm.txt 2

local threads = 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

function init(args)
  local file, count = args[1], tonumber(args[2] or "1")
  codes, cookies, tokens = {}, {}, {}
  local n = 0
  for line in io.lines(file) do
    local code, cookie, token = line:match("^(%d+) (%S+) (%S+)$")
    if code then
      if n % count == index then
        codes[#codes + 1], cookies[#cookies + 1], tokens[#tokens + 1] = code, cookie, token
      end
      n = n + 1
    end
  end
  if #codes == 0 then error("confirm.lua: no codes for thread " .. index .. " in " .. file) end
  position = 0
end

function request()
  position = position % #codes + 1
  local headers = {
    ["Cookie"] = cookies[position],
    ["X-CSRFToken"] = tokens[position],
    ["HX-Request"] = "true",
    ["HX-Target"] = "merchant-voucher",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", "/merchant/vouchers/" .. codes[position] .. "/confirm", headers,
                    "csrf_token=" .. tokens[position])
end
