// Pieces the relation views (pair, country, network, happening) share: links, an event as a
// list item, people with counts, article rows, and "more" for the API's nested pages.
// Everything from the API goes in as text (dom.js makes strings TEXT nodes).

import { h } from "./dom.js";
import { loadChartStyles, typeClass, typeLabel } from "./chart.js";
import { useStylesheet } from "./stylesheet.js";

// relations.css uses chart.css's colours (the type swatches, the ink and grid greys)
export function loadRelationStyles() {
  return Promise.all([loadChartStyles(), useStylesheet(new URL("../views/relations.css", import.meta.url))]);
}

// Pairs are undirected: one URL per pair, its codes in alphabetical order.
export function pairPath(a, b) {
  const [x, y] = [a, b].sort();
  return `/explore/pairs/${x}-${y}`;
}

export function pairLink(ctx, a, b, text) {
  return h("a", { href: ctx.link(pairPath(a, b)), dataset: { testid: "pair-link" } }, text || `${a}–${b}`);
}

export function happeningLink(ctx, id, text = "Happening") {
  return h("a", { href: ctx.link(`/explore/happenings/${id}`), dataset: { testid: "happening-link" } }, text);
}

export function countryLink(ctx, code, name) {
  return h("a", { href: ctx.link(`/explore/countries/${code}`), class: "country-link" }, name || code);
}

export function entityLink(ctx, entity) {
  if (entity.kind === "country" && entity.code) return countryLink(ctx, entity.code, entity.name);
  return h("a", { href: ctx.link(`/explore/entities/${entity.id}`) }, entity.name);
}

// "1 happening", "2 happenings": every unit word here is a regular plural.
export const plural = (n, word) => `${n} ${n === 1 ? word.replace(/s$/, "") : word}`;

// A published_at timestamp as its day (the API gives UTC ISO 8601).
export const day = (timestamp) => (timestamp ? String(timestamp).slice(0, 10) : "undated");

export function typeBadge(type) {
  return h(
    "span",
    { class: "type-badge" },
    h("span", { class: ["swatch", typeClass(type)], "aria-hidden": "true" }),
    typeLabel(type),
  );
}

// Every pair among a happening's or an event's states (three states: three pairs).
export function pairsOf(codes) {
  const unique = [...new Set(codes)].sort();
  const out = [];
  for (let i = 0; i < unique.length; i++) for (let j = i + 1; j < unique.length; j++) out.push([unique[i], unique[j]]);
  return out;
}

export function eventItem(ctx, event) {
  const when = event.date ? h("time", { datetime: event.date }, event.date) : h("span", null, "undated");
  const states = event.countries || [];
  return h(
    "li",
    { class: "event-item", dataset: { testid: "event", type: event.type } },
    h(
      "p",
      { class: "event-head" },
      typeBadge(event.type),
      " ",
      when,
      event.status === "planned" ? h("span", { class: "tag" }, "planned") : null,
      event.name ? h("strong", { class: "event-name" }, event.name) : null,
    ),
    event.evidence ? h("p", { class: "evidence" }, event.evidence.text) : null,
    h(
      "p",
      { class: "event-links" },
      states.length
        ? h("span", null, "States: ", states.flatMap((code, i) => [i ? ", " : null, countryLink(ctx, code)]))
        : null,
      h("a", { href: ctx.link(`/explore/articles/${event.article_id}`) }, "Article"),
      event.happening_id ? happeningLink(ctx, event.happening_id) : null,
    ),
  );
}

export function articleItem(ctx, article) {
  return h(
    "li",
    { class: "article-item" },
    h("a", { href: ctx.link(`/explore/articles/${article.id}`) }, article.title || article.url || `Article ${article.id}`),
    h(
      "span",
      { class: "meta" },
      " · ",
      article.source ? article.source.name : "unknown source",
      " · ",
      h("time", { datetime: day(article.published_at) }, day(article.published_at)),
    ),
  );
}

export function personItem(ctx, row, unit) {
  const p = row.person;
  return h(
    "li",
    null,
    entityLink(ctx, p),
    p.title ? h("span", { class: "meta" }, `, ${p.title}`) : null,
    h("span", { class: "count" }, ` · ${plural(row.count, unit)}`),
  );
}

// A list from a nested page ({items, next_cursor, path}) and, while there is more, a button
// that reads the next page of `path` and appends it.
export function pagedList(ctx, page, renderItem, { empty = "None.", className = "plain-list", testid } = {}) {
  const list = h("ul", { class: className, dataset: { testid } }, page.items.map((item) => renderItem(item)));
  if (!page.items.length) return h("p", { class: "empty-note" }, empty);
  let cursor = page.next_cursor;
  if (!cursor) return list;
  const status = h("p", { class: "more-status", role: "status" });
  const button = h(
    "button",
    {
      type: "button",
      class: "more",
      onclick: async () => {
        button.disabled = true;
        try {
          const next = await ctx.api.get(page.path, { cursor });
          for (const item of next.items) list.append(renderItem(item));
          cursor = next.next_cursor;
          status.textContent = `${next.items.length} more shown.`;
          if (cursor) button.disabled = false;
          else button.remove();
        } catch (error) {
          status.textContent = error.message;
          button.disabled = false;
        }
      },
    },
    "Show more",
  );
  return h("div", null, list, button, status);
}

export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), children);
}

// happenings (the default) or reports: what the profiles count, kept in the URL.
export function countOf(params) {
  return params.query.get("count") === "reports" ? "reports" : "happenings";
}

export function countSwitch(ctx, count) {
  const here = new URL(location.href);
  const other = count === "reports" ? "happenings" : "reports";
  if (other === "happenings") here.searchParams.delete("count");
  else here.searchParams.set("count", "reports");
  return h(
    "p",
    { class: "count-switch" },
    count === "reports"
      ? "Counting every report (an event per article). "
      : "Counting happenings (one real-world event however many articles report it). ",
    h("a", { href: here.pathname + here.search }, `Count ${other} instead`),
  );
}
