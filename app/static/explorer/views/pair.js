// A pair of states (/explore/pairs/AZE-TUR): what has happened between them. One API call,
// /v1/dyads/{A}-{B}, answers the counts by year and type, the first and last event, the
// agreements, the recent events and articles and the people on each side.

import { h, replace } from "../lib/dom.js";
import { stackedBars, yearBuckets } from "../lib/chart.js";
import {
  articleItem,
  countOf,
  countSwitch,
  countryLink,
  eventItem,
  loadRelationStyles,
  pagedList,
  personItem,
  plural,
  section,
} from "../lib/relations.js";

const LIMIT = 10;

export default {
  title: (params) => `${params.path.a}–${params.path.b}`,

  async render(root, params, ctx) {
    const { a, b } = params.path;
    const count = countOf(params);
    const unit = count === "reports" ? "reports" : "happenings";
    const [profile] = await Promise.all([
      ctx.api.get(`/v1/dyads/${a}-${b}`, { limit: LIMIT, count: count === "reports" ? "reports" : null }),
      loadRelationStyles(),
    ]);
    const A = profile.a;
    const B = profile.b;
    ctx.setTitle?.(`${A.name}–${B.name}`);
    const counts = profile.counts;

    replace(
      root,
      h(
        "header",
        { class: "view-head" },
        h("p", { class: "kicker" }, "Pair of states"),
        h("h1", null, countryLink(ctx, A.code, A.name), " – ", countryLink(ctx, B.code, B.name)),
        h(
          "p",
          { class: "lede", dataset: { testid: "pair-total" } },
          `${plural(counts.total, unit)} between ${A.name} and ${B.name}.`,
        ),
        countSwitch(ctx, count),
      ),
      h(
        "div",
        { class: "grid" },
        section(
          "Events by year and type",
          stackedBars({
            buckets: yearBuckets(counts.by_year),
            axis: "year",
            unit,
            caption: `${unit[0].toUpperCase()}${unit.slice(1)} by year and type`,
            testid: "pair-chart",
          }),
        ),
        section(
          "First and last",
          profile.first_event
            ? h(
                "ul",
                { class: "plain-list events" },
                h("li", { class: "label" }, "First"),
                eventItem(ctx, profile.first_event),
                profile.last_event && profile.last_event.id !== profile.first_event.id
                  ? [h("li", { class: "label" }, "Last"), eventItem(ctx, profile.last_event)]
                  : null,
              )
            : h("p", { class: "empty-note" }, "No dated event yet."),
        ),
        section(
          "People on each side",
          h(
            "div",
            { class: "sides" },
            [A, B].map((side) =>
              h(
                "div",
                { class: "side" },
                h("h3", null, side.name),
                (profile.people[side.code] || []).length
                  ? h(
                      "ul",
                      { class: "plain-list" },
                      profile.people[side.code].map((row) => personItem(ctx, row, unit)),
                    )
                  : h("p", { class: "empty-note" }, "Nobody named."),
              ),
            ),
          ),
        ),
        section(
          "Agreements",
          pagedList(ctx, profile.agreements, (e) => eventItem(ctx, e), {
            empty: "No agreement between them.",
            className: "plain-list events",
          }),
        ),
        section(
          "Recent events",
          pagedList(ctx, profile.recent_events, (e) => eventItem(ctx, e), {
            empty: "No events.",
            className: "plain-list events",
            testid: "pair-events",
          }),
        ),
        section(
          "Articles",
          pagedList(ctx, profile.articles, (art) => articleItem(ctx, art), {
            empty: "No articles.",
            testid: "pair-articles",
          }),
        ),
      ),
    );
  },
};
