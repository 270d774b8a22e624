// The explorer's router: one table of deep links, each view loaded on first use (dynamic
// import, so a view's code and its vendored libraries cost nothing until it is opened).
// Links are real <a href>: a click on one inside the explorer is handled here with
// pushState; a modified click (new tab, download) is left to the browser.

import { api, getKey } from "./api.js";
import { h, replace } from "./dom.js";

const ROOT = api.root;

// [name, pattern over the path after the root, loader, params from the match]
const ROUTES = [
  ["search", /^\/$/, () => import("../views/search.js"), () => ({})],
  ["search", /^\/explore\/?$/, () => import("../views/search.js"), () => ({})],
  ["search", /^\/explore\/search\/?$/, () => import("../views/search.js"), () => ({})],
  ["article", /^\/explore\/articles\/(\d+)\/?$/, () => import("../views/article.js"), (m) => ({ id: m[1] })],
  ["entity", /^\/explore\/entities\/(\d+)\/?$/, () => import("../views/entity.js"), (m) => ({ id: m[1] })],
  ["extract", /^\/explore\/extract\/?$/, () => import("../views/extract.js"), () => ({})],
  [
    "pair",
    /^\/explore\/pairs\/([A-Za-z]{2,3})-([A-Za-z]{2,3})\/?$/,
    () => import("../views/pair.js"),
    (m) => ({ a: m[1].toUpperCase(), b: m[2].toUpperCase() }),
  ],
  [
    "country",
    /^\/explore\/countries\/([A-Za-z]{2,3})\/?$/,
    () => import("../views/country.js"),
    (m) => ({ code: m[1].toUpperCase() }),
  ],
  ["network", /^\/explore\/network\/?$/, () => import("../views/network.js"), () => ({})],
  ["happening", /^\/explore\/happenings\/(\d+)\/?$/, () => import("../views/happening.js"), (m) => ({ id: m[1] })],
];
const NOT_FOUND = ["notfound", null, () => import("../views/notfound.js"), () => ({})];

const SITE = "defcoop explorer";
const listeners = new Set(); // called after each render with (name, url): the header's nav

// The explorer's own path for an href (root stripped), or null when it is not ours.
function ownPath(url) {
  if (url.origin !== location.origin) return null;
  if (ROOT && !(url.pathname === ROOT || url.pathname.startsWith(`${ROOT}/`))) return null;
  const path = url.pathname.slice(ROOT.length) || "/";
  return path === "/" || path === "/explore" || path.startsWith("/explore/") ? path : null;
}

export function match(path) {
  for (const route of ROUTES) {
    const m = route[1].exec(path);
    if (m) return { route, path: route[3](m) };
  }
  return { route: NOT_FOUND, path: {} };
}

// An href inside the explorer, with the server's root path: link("/explore/articles/3").
export function link(path, query) {
  const qs = query ? new URLSearchParams(query).toString() : "";
  return `${ROOT}${path}${qs ? `?${qs}` : ""}`;
}

export function onNavigate(callback) {
  listeners.add(callback);
}

let current = 0; // the render in progress: a slower earlier one must not overwrite it

function freshMain() {
  const old = document.getElementById("main");
  const main = h("main", { id: "main", tabindex: "-1" });
  old.replaceWith(main);
  return main;
}

function setTitle(part) {
  document.title = part ? `${part} · ${SITE}` : SITE;
}

let shown = null; // the path and query the page shows (a fragment alone changes neither)

async function render({ focus = false } = {}) {
  const token = ++current;
  const url = new URL(location.href);
  shown = url.pathname + url.search;
  const path = ownPath(url) ?? "/";
  const { route, path: pathParams } = match(path);
  const [name, , load] = route;
  const params = { path: pathParams, query: url.searchParams };
  const root = freshMain();
  document.body.dataset.view = name;
  for (const callback of listeners) callback(name, url);
  const ctx = {
    api,
    key: getKey(),
    navigate,
    replaceQuery,
    link,
    setTitle: (part) => token === current && setTitle(part),
    isCurrent: () => token === current,
  };
  root.setAttribute("aria-busy", "true");
  try {
    const view = (await load()).default;
    if (token !== current) return;
    setTitle(view.title ? view.title(params) : "");
    if (focus) root.focus({ preventScroll: true });
    await view.render(root, params, ctx);
  } catch (error) {
    if (token !== current || error.name === "AbortError") return;
    showFailure(root, error);
  } finally {
    if (token === current) {
      root.removeAttribute("aria-busy");
      root.dataset.ready = "true";
    }
  }
}

// What a view could not show: a problem from the API (its title and detail), or a module
// that did not load.
function showFailure(root, error) {
  const problem = error.problem;
  const notFound = error.status === 404;
  setTitle(notFound ? "Not found" : "Error");
  replace(
    root,
    h(
      "section",
      { class: "panel failure", role: "alert", dataset: { testid: notFound ? "not-found" : "view-error" } },
      h("h1", null, notFound ? "Not found" : "Something went wrong"),
      h("p", null, problem ? problem.detail || problem.title : String(error.message || error)),
      h("p", null, h("a", { href: link("/") }, "Back to search")),
    ),
  );
  if (!problem) console.error(error);
}

export function navigate(href, { replace: replacing = false } = {}) {
  const url = new URL(href, location.href);
  if (ownPath(url) === null) {
    location.assign(url.href);
    return;
  }
  if (replacing) history.replaceState(null, "", url.href);
  else history.pushState(null, "", url.href);
  window.scrollTo(0, 0);
  render({ focus: true });
}

// Put a view's state into the URL without rendering again: values that are empty, null or
// undefined are removed; arrays repeat the name.
export function replaceQuery(values) {
  const url = new URL(location.href);
  for (const [name, value] of Object.entries(values)) {
    url.searchParams.delete(name);
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== "") url.searchParams.append(name, String(v));
    }
  }
  history.replaceState(null, "", url.href);
  shown = url.pathname + url.search; // the view shows this state already
}

function onClick(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest && event.target.closest("a[href]");
  if (!a || a.target || a.hasAttribute("download")) return;
  const url = new URL(a.href, location.href);
  if (ownPath(url) === null) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
  event.preventDefault();
  navigate(url.href);
}

export function start() {
  document.addEventListener("click", onClick);
  // Back and forward render the view of the URL they land on. A jump to a fragment (the skip
  // link's #main, an in-page anchor) fires popstate too, but shows the same view: rendering
  // it again would replace the element the browser has just moved the focus to.
  window.addEventListener("popstate", () => {
    if (location.pathname + location.search !== shown) render({ focus: true });
  });
  render();
}
