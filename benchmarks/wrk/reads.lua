-- A read mix: list, one article, search, a dyad profile (equal shares, in turn).
local paths = {
  "/v1/articles?limit=20",
  "/v1/articles/%d",
  "/v1/search?q=frigate%%20cooperation&limit=20",
  "/v1/dyads/AZE-TUR?limit=10",
}
local n = 0
request = function()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  if string.find(path, "%%d") then
    path = string.format(path, (n * 7919) % 90000 + 1)
  end
  return wrk.format("GET", path)
end
