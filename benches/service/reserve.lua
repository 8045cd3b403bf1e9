-- wrk script: POST /v1/orders of qm serve on scenarios/baseline.toml; one unit of one of the
-- first 50 SKUs from London on the web channel; order ids unique per wrk thread and run.
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  counter = 0
  math.randomseed(id)
end
request = function()
  counter = counter + 1
  local order = id * 100000000 + counter
  local sku = string.format("SKU%05d", math.random(1, 50))
  local body = string.format('{"order":%d,"channel":"web","region":"London","lines":[{"sku":"%s","quantity":1}],"hold_ttl_seconds":900}', order, sku)
  return wrk.format("POST", "/v1/orders", {["Content-Type"] = "application/json"}, body)
end
