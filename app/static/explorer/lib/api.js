// The public /v1 API, same origin. api.get(path, params) and api.post(path, body) resolve to
// the JSON body; any answer that is not a 2xx throws an ApiError with the status and the
// problem+json document (RFC 9457: type, title, status, detail, errors[...]).

const ROOT = document.documentElement.dataset.root || "";
const KEY_STORE = "defcoop.key"; // sessionStorage only: a key never outlives the tab

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem || { status, title: `HTTP ${status}` };
  }
}

export function getKey() {
  try {
    return sessionStorage.getItem(KEY_STORE);
  } catch {
    return null; // storage disabled: the pages still read
  }
}

export function setKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY_STORE, key);
    else sessionStorage.removeItem(KEY_STORE);
  } catch {
    /* storage disabled: the key lasts for this page only */
  }
}

// Query parameters from an object or URLSearchParams: empty values are left out, arrays
// repeat the name (country=AZE&country=TUR).
export function queryString(params) {
  const out = new URLSearchParams();
  const entries = params instanceof URLSearchParams ? params.entries() : Object.entries(params || {});
  for (const [name, value] of entries) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== "") out.append(name, String(v));
    }
  }
  const text = out.toString();
  return text ? `?${text}` : "";
}

async function request(method, path, { params, body, signal } = {}) {
  const headers = { Accept: "application/json" };
  const key = getKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const init = { method, headers, signal, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`${ROOT}${path}${queryString(params)}`, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, { title: "Network error", detail: "The server could not be reached." });
  }
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const api = {
  root: ROOT,
  get: (path, params, options = {}) => request("GET", path, { ...options, params }),
  post: (path, body, options = {}) => request("POST", path, { ...options, body }),
};
