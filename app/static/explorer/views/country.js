// A state (/explore/countries/AZE): its partners ranked as bars (each a link to the pair),
// its events by year and type, its people and its agreements: one call, /v1/countries/{A}.

import { h, replace } from "../lib/dom.js";
import { stackBar, stackedBars, typeLabel, yearBuckets } from "../lib/chart.js";
import {
  countOf,
  countSwitch,
  eventItem,
  loadRelationStyles,
  pagedList,
  pairPath,
  personItem,
  plural,
  section,
} from "../lib/relations.js";

const LIMIT = 15;

function partnerItem(ctx, code, partner, max, unit) {
  const other = partner.a.code === code ? partner.b : partner.a;
  const types = Object.entries(partner.by_type)
    .map(([type, n]) => `${typeLabel(type)} ${n}`)
    .join(", ");
  return h(
    "li",
    { class: "partner", dataset: { testid: "partner", code: other.code, count: partner.events } },
    h(
      "a",
      { href: ctx.link(pairPath(partner.a.code, partner.b.code)), dataset: { testid: "pair-link" } },
      other.name,
    ),
    stackBar(partner.by_type, max),
    h("span", { class: "count" }, plural(partner.events, unit)),
    h("span", { class: "visually-hidden" }, types ? ` (${types})` : ""),
  );
}

export default {
  title: (params) => params.path.code,

  async render(root, params, ctx) {
    const { code } = params.path;
    const count = countOf(params);
    const unit = count === "reports" ? "reports" : "happenings";
    const [profile] = await Promise.all([
      ctx.api.get(`/v1/countries/${code}`, { limit: LIMIT, count: count === "reports" ? "reports" : null }),
      loadRelationStyles(),
    ]);
    const me = profile.country;
    ctx.setTitle?.(me.name);
    const partners = profile.partners;
    const max = Math.max(1, ...partners.items.map((p) => p.events));

    replace(
      root,
      h(
        "header",
        { class: "view-head" },
        h("p", { class: "kicker" }, "Country"),
        h("h1", null, me.name, " ", h("span", { class: "code" }, me.code)),
        h("p", { class: "lede" }, `${plural(profile.counts.total, unit)} with other states.`),
        countSwitch(ctx, count),
      ),
      h(
        "div",
        { class: "grid" },
        section(
          "Partners",
          pagedList(ctx, partners, (p) => partnerItem(ctx, me.code, p, max, unit), {
            empty: "No partner yet.",
            className: "partners",
            testid: "partners",
          }),
        ),
        section(
          "Events by year and type",
          stackedBars({
            buckets: yearBuckets(profile.counts.by_year),
            axis: "year",
            unit,
            caption: `${me.name}: ${unit} by year and type`,
            testid: "country-chart",
          }),
        ),
        section(
          "People",
          profile.people.length
            ? h(
                "ul",
                { class: "plain-list" },
                profile.people.map((row) => personItem(ctx, row, "articles")),
              )
            : h("p", { class: "empty-note" }, "Nobody named."),
        ),
        section(
          "Agreements",
          pagedList(ctx, profile.agreements, (e) => eventItem(ctx, e), {
            empty: "No agreement.",
            className: "plain-list events",
          }),
        ),
      ),
    );
  },
};
