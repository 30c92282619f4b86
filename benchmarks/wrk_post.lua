-- wrk script for server_load.py: POST one JSON body per request, read from a file of one body per line.
--   wrk -t T -c C -d 20s -s benchmarks/wrk_post.lua URL -- PATH BODIES_FILE TOKEN
-- Thread k of T sends lines k, k+T, k+2T, ... so no two requests of a run share a body (server_load.py
-- writes more lines than a run sends and reports any wrap-around). done() prints one JSON line.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  path = args[1]
  bodies = {}
  for line in io.lines(args[2]) do
    bodies[#bodies + 1] = line
  end
  wrk.headers["Authorization"] = "Bearer " .. args[3]
  wrk.headers["Content-Type"] = "application/json"
  step = tonumber(args[4])
  next_line = id
end

function request()
  local body = bodies[next_line]
  next_line = next_line + step
  if next_line > #bodies then
    next_line = id
  end
  return wrk.format("POST", path, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
