// One entity (/explore/entities/41): a person, organisation, place, agreement, piece of
// equipment or state, with its other names, how often the articles name it over time, the
// events it takes part in and the articles naming it. Four calls, in parallel:
// /v1/entities/{id}, /v1/timeline for the articles naming it (by month), and the first pages
// of /v1/entities/{id}/events and /articles (the lists go on through their cursors). No chart
// of its events by type: a state's is on its country page, and a fifth call took the view
// past its 100 ms on the 100,000-article database.

import { h, replace } from "../lib/dom.js";
import { stackedBars, timelineBuckets } from "../lib/chart.js";
import { kindClass, kindLabel } from "../lib/marks.js";
import {
  articleItem,
  countryLink,
  eventItem,
  loadRelationStyles,
  pagedList,
  plural,
} from "../lib/relations.js";
import { useStylesheet } from "../lib/stylesheet.js";

const LIMIT = 10;
const MONTHS_SHOWN = 36; // past three years of months, the chart counts by year (chart.js)

function loadStyles() {
  return Promise.all([loadRelationStyles(), useStylesheet(new URL("./entity.css", import.meta.url))]);
}

function fact(term, ...value) {
  return [h("dt", null, term), h("dd", null, value)];
}

function panel(title, testid, ...children) {
  const id = `e-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h(
    "section",
    { class: "panel", "aria-labelledby": id, dataset: { testid } },
    h("h2", { id }, title),
    children,
  );
}

// The articles naming it per month, as chart buckets of one series; by year when the months
// would be too many to label (the timeline is zero-filled, so the years are contiguous).
function mentionBuckets(timeline) {
  const months = timeline.buckets.map((b) => ({ start: b.start, by_type: { articles: b.count } }));
  if (months.length <= MONTHS_SHOWN) return { axis: "month", buckets: timelineBuckets(widened(months), "month") };
  const years = new Map();
  for (const b of timeline.buckets) {
    const year = b.start.slice(0, 4);
    years.set(year, (years.get(year) || 0) + b.count);
  }
  return {
    axis: "year",
    buckets: [...years.entries()].map(([year, n]) => ({ key: year, label: year, counts: { articles: n } })),
  };
}

// A few months at least, empty ones around the named ones: one month alone would be drawn as
// a slab as wide as the chart.
const FEWEST = 6;

function monthStart(start, step) {
  const [year, month] = start.split("-").map(Number);
  const index = year * 12 + (month - 1) + step;
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}-01`;
}

function widened(months) {
  if (!months.length || months.length >= FEWEST) return months;
  const out = [...months];
  for (let i = 0; out.length < FEWEST; i++) {
    if (i % 2) out.unshift({ start: monthStart(out[0].start, -1), by_type: {} });
    else out.push({ start: monthStart(out[out.length - 1].start, 1), by_type: {} });
  }
  return out;
}

function aliasList(entity) {
  const others = entity.aliases.filter((alias) => alias !== entity.name);
  return others.length
    ? h("ul", { class: "aliases", dataset: { testid: "entity-aliases" } }, others.map((a) => h("li", null, a)))
    : h("span", { class: "meta", dataset: { testid: "entity-aliases" } }, "no other name known");
}

export default {
  title: (params) => `Entity ${params.path.id}`,

  async render(root, params, ctx) {
    const id = params.path.id;
    const [entity, mentions, events, articles] = await Promise.all([
      ctx.api.get(`/v1/entities/${id}`),
      ctx.api.get("/v1/timeline", { of: "articles", entity: id, interval: "month" }),
      ctx.api.get(`/v1/entities/${id}/events`, { limit: LIMIT }),
      ctx.api.get(`/v1/entities/${id}/articles`, { limit: LIMIT }),
      loadStyles(),
    ]);
    ctx.setTitle?.(entity.name);
    const counts = entity.counts;
    const named = mentionBuckets(mentions);
    const kind = kindLabel(entity.kind);

    replace(
      root,
      h(
        "header",
        { class: "view-head" },
        h(
          "p",
          { class: "kicker" },
          h("span", { class: ["kind-swatch", kindClass(entity.kind)], "aria-hidden": "true" }),
          " ",
          h("span", { dataset: { testid: "entity-kind", kind: entity.kind } }, kind),
        ),
        h(
          "h1",
          { dataset: { testid: "entity-name" } },
          entity.name,
          entity.code ? h("span", { class: "code" }, ` ${entity.code}`) : null,
        ),
        h(
          "p",
          { class: "lede" },
          `Named ${plural(counts.mentions, "times")} in ${plural(counts.articles, "articles")}; `,
          `takes part in ${plural(counts.events, "events")}.`,
        ),
        h(
          "dl",
          { class: "facts entity-facts" },
          entity.title ? fact("Title", entity.title) : [],
          entity.country ? fact("State", countryLink(ctx, entity.country)) : [],
          fact("Also called", aliasList(entity)),
          entity.kind === "country" && entity.code
            ? fact("Relations", countryLink(ctx, entity.code, `${entity.name}: partners, events, people`))
            : [],
        ),
      ),
      h(
        "div",
        { class: "grid" },
        panel(
          "Mentions over time",
          "entity-mentions-chart",
          stackedBars({
            buckets: named.buckets,
            axis: named.axis,
            unit: "articles",
            caption: `Articles naming ${entity.name}, by ${named.axis}`,
          }),
        ),
        panel(
          "Its events",
          "entity-events",
          pagedList(ctx, { ...events, path: `/v1/entities/${id}/events` }, (e) => eventItem(ctx, e), {
            empty: "It takes part in no event.",
            className: "plain-list events",
          }),
        ),
        panel(
          "Articles naming it",
          "entity-articles",
          pagedList(ctx, { ...articles, path: `/v1/entities/${id}/articles` }, (a) => articleItem(ctx, a), {
            empty: "No article names it.",
          }),
        ),
      ),
    );
  },
};
