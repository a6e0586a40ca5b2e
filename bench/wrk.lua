-- wrk script of `make bench`: cycle through the requests listed in the file named by BENCH_REQUESTS
-- (one per line: path <TAB> Cookie header <TAB> "htmx" or ""), count non-2xx answers, and print the
-- result as one JSON line (latencies in microseconds) for bench/run.py to read.

local requests = {}
local counter = 0
local bad = 0
local threads = {}

local function load()
  local file = assert(io.open(os.getenv("BENCH_REQUESTS"), "r"))
  for line in file:lines() do
    local path, cookie, htmx = line:match("^([^\t]*)\t([^\t]*)\t?(.*)$")
    local headers = {}
    if cookie ~= "" then headers["Cookie"] = cookie end
    if htmx == "htmx" then headers["HX-Request"] = "true" end
    headers["Accept-Encoding"] = "br, gzip"
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
  file:close()
end

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  load()
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
  end
end

function done(summary, latency, requests_)
  local nbad = 0
  for _, thread in ipairs(threads) do
    nbad = nbad + (thread:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, nbad, e.connect + e.read + e.write, e.timeout))
end
