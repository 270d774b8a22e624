-- The read and write mix of benchmarks/fault_run.py: one request in ten a new article, each
-- acknowledged one read back with its X-Commit-Token, the rest the read mix of reads.lua.
--
-- A write is POST /v1/articles?on_duplicate=skip with a url of its own, so HAProxy may send it
-- again to another node when the first died mid-request: the retry stores nothing new and
-- answers 200 with the stored article, never a second copy.
--
-- wrk hands a thread's requests to whichever of its connections is free, so request() cannot
-- know which answer came last: answers to writes (they carry X-Commit-Token) queue their
-- read-back. Each thread appends to DEFCOOP_FAULT_OUT/thread-<n>.log, one line per event:
--   ack <status> <id> <token>          a write acknowledged (201 stored, 200 stored by a retry)
--   answer <epoch s> <status> <retry-after or -> <token or ->   any answer that is not 2xx
local key = os.getenv("DEFCOOP_KEY")
local out = os.getenv("DEFCOOP_FAULT_OUT")
local tag = os.getenv("DEFCOOP_FAULT_TAG")
local articles = tonumber(os.getenv("DEFCOOP_FAULT_ARTICLES"))
local reads = {
  "/v1/articles?limit=20",
  "/v1/articles/%d",
  "/v1/search?q=frigate%%20cooperation&limit=20",
  "/v1/dyads/AZE-TUR?limit=10",
}
-- Bodies differ in their words and pairs, as news does: near-identical bodies would all be
-- found copies of one another, a cost that grows with every write and that real news does not have.
local pairs_of = {
  { "Chile", "Peru", "Lima" }, { "India", "Japan", "Tokyo" }, { "Poland", "Germany", "Berlin" },
  { "Kenya", "Egypt", "Cairo" }, { "Brazil", "Spain", "Madrid" }, { "Greece", "France", "Paris" },
  { "Vietnam", "Australia", "Canberra" }, { "Nigeria", "Ghana", "Accra" },
}
local words = {
  "naval", "talks", "training", "plan", "joint", "exercise", "frigate", "patrol", "officers",
  "delegation", "radar", "procurement", "maintenance", "logistics", "cyber", "coastal", "drills",
  "helicopters", "submarine", "academy", "cadets", "border", "intelligence", "sharing", "artillery",
  "armoured", "vehicles", "ammunition", "factory", "shipyard", "corvette", "air", "defence",
  "missile", "satellite", "peacekeeping", "demining", "medical", "engineers", "reservists",
}
local n = 0
local threads_made = 0
local pending = {}  -- {id, token} of acknowledged writes not read back yet
local log = nil

setup = function(thread)
  thread:set("thread_id", threads_made)
  thread:set("seed", 2026 + threads_made)
  threads_made = threads_made + 1
end

local function write_line(line)
  if log == nil then
    log = io.open(string.format("%s/thread-%d.log", out, thread_id), "a")
  end
  log:write(line, "\n")
  log:flush()  -- wrk ends its threads without a callback: nothing may wait in a buffer
end

local function header(headers, name)
  for k, v in pairs(headers) do
    if string.lower(k) == name then
      return v
    end
  end
  return nil
end

init = function()
  math.randomseed(seed)
end

request = function()
  n = n + 1
  local back = table.remove(pending, 1)
  if back ~= nil then
    return wrk.format("GET", "/v1/articles/" .. back[1], { ["X-Commit-Token"] = back[2] })
  end
  if n % 10 == 0 then
    local pair = pairs_of[math.random(#pairs_of)]
    local picked = {}
    for i = 1, 24 do
      picked[i] = words[math.random(#words)]
    end
    local body = string.format(
      '{"url": "https://fault.example/%d/%d", "body": "%s and %s held talks in %s on Monday on %s. They agreed on %s (%s).", "published_at": "2024-03-11"}',
      thread_id, n, pair[1], pair[2], pair[3], table.concat(picked, " ", 1, 12),
      table.concat(picked, " ", 13, 24), tag)
    local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
    return wrk.format("POST", "/v1/articles?on_duplicate=skip", headers, body)
  end
  local path = reads[(n % #reads) + 1]
  if string.find(path, "%%d") then
    path = string.format(path, (n * 7919) % articles + 1)
  end
  return wrk.format("GET", path)
end

response = function(status, headers, body)
  local token = header(headers, "x-commit-token")
  -- a 201 is always a write's; a 200 is one only with a token (a token is missing only when
  -- the primary could not say its position after the commit)
  if status == 201 or (status == 200 and token ~= nil) then
    local id = string.match(body, '"id":%s*(%d+)')
    write_line(string.format("ack %d %s %s", status, id, token or "-"))
    if token ~= nil then
      table.insert(pending, { id, token })
    end
  elseif status >= 300 then
    write_line(string.format("answer %d %d %s %s", os.time(), status,
      header(headers, "retry-after") or "-", token or "-"))
  end
end
