-- A write mix: new articles as JSON (each a new url, so each one is stored).
local key = os.getenv("DEFCOOP_KEY")
local n = 0
local threads_made = 0
-- setup runs in the main Lua state; each thread then sees its own global `thread_id`
setup = function(thread)
  thread:set("thread_id", threads_made)
  threads_made = threads_made + 1
end
request = function()
  n = n + 1
  local body = string.format(
    '{"url": "https://load.example/%d/%d/%d", "body": "Story %d-%d: Chile and Peru held naval talks in Lima on Monday and signed a training plan.", "published_at": "2024-03-11"}',
    os.time(), thread_id, n, thread_id, n)
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
  return wrk.format("POST", "/v1/articles", headers, body)
end

response = function(status, headers, body)
  if status >= 300 then
    io.stderr:write(status .. " " .. string.sub(body, 1, 160) .. "\n")
  end
end
