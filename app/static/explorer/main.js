// The explorer's entry: the header and its navigation, then the router.

import { h, replace } from "./lib/dom.js";
import { link, onNavigate, start } from "./lib/router.js";

const NAV = [
  ["search", "Search", "/explore/search"],
  ["network", "Network", "/explore/network"],
  ["extract", "Try the extractor", "/explore/extract"],
];

function header() {
  const items = NAV.map(([name, label, path]) =>
    h("li", null, h("a", { href: link(path), dataset: { nav: name } }, label)),
  );
  replace(
    document.getElementById("site-header"),
    h("a", { class: "brand", href: link("/") }, "defcoop", h("span", { class: "brand-sub" }, " explorer")),
    h("nav", { "aria-label": "Explorer" }, h("ul", { class: "nav" }, items)),
    h("a", { class: "docs-link", href: link("/docs") }, "API docs"),
  );
}

header();
onNavigate((name) => {
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
});
start();
