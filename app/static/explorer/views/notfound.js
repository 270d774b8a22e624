// Any explorer path that names no view.

import { h, replace } from "../lib/dom.js";

export default {
  title: () => "Not found",
  async render(root, params, ctx) {
    replace(
      root,
      h(
        "section",
        { class: "panel failure", dataset: { testid: "not-found" } },
        h("h1", null, "Not found"),
        h("p", null, "The explorer has no page at ", h("code", null, location.pathname), "."),
        h("p", null, h("a", { href: ctx.link("/") }, "Search the articles")),
      ),
    );
  },
};
