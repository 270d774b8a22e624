// One happening (/explore/happenings/54): one real-world visit, signing, exercise or delivery
// however many articles report it. One call, /v1/happenings/{id}, gives it with its reports
// (each article, its outlet, its own evidence; the lead marked) and the analysts' decisions.

import { h, replace } from "../lib/dom.js";
import { typeLabel } from "../lib/chart.js";
import {
  countryLink,
  day,
  entityLink,
  loadRelationStyles,
  pagedList,
  pairLink,
  pairsOf,
  section,
  typeBadge,
} from "../lib/relations.js";

const BASIS = {
  reported: "as its reports date it",
  published: "no report dates it: the first report's publication day",
};

function fact(term, ...value) {
  return [h("dt", null, term), h("dd", null, value)];
}

function reportItem(ctx, report) {
  return h(
    "li",
    { class: ["report", report.is_lead && "lead"], dataset: { testid: "report", lead: report.is_lead } },
    h(
      "p",
      { class: "report-head" },
      h("a", { href: ctx.link(`/explore/articles/${report.article_id}`) }, report.title || report.url || `Article ${report.article_id}`),
      report.is_lead ? h("span", { class: "tag lead-tag" }, "lead report") : null,
      report.role && report.role !== "report" ? h("span", { class: "tag" }, report.role) : null,
      report.duplicate_of
        ? h("a", { class: "tag", href: ctx.link(`/explore/articles/${report.duplicate_of}`) }, "copy")
        : null,
    ),
    h(
      "p",
      { class: "meta" },
      report.outlet ? report.outlet.name : "unknown outlet",
      " · published ",
      h("time", { datetime: day(report.published_at) }, day(report.published_at)),
      report.date ? ` · dates it ${report.date}${report.date_inferred ? " (the happening's date)" : ""}` : null,
    ),
    report.evidence ? h("p", { class: "evidence" }, report.evidence.text) : null,
  );
}

function decisionItem(decision) {
  return h(
    "li",
    null,
    `${day(decision.at)}: ${decision.action}`,
    decision.actor ? ` by ${decision.actor}` : "",
    decision.note ? ` (${decision.note})` : "",
    `, ${decision.reports.length} report${decision.reports.length === 1 ? "" : "s"}`,
  );
}

export default {
  title: (params) => `Happening ${params.path.id}`,

  async render(root, params, ctx) {
    const [it] = await Promise.all([ctx.api.get(`/v1/happenings/${params.path.id}`), loadRelationStyles()]);
    const name = it.name || `${typeLabel(it.type)}${it.date ? `, ${it.date}` : ""}`;
    ctx.setTitle?.(name);
    const people = it.participants.filter((p) => p.entity.kind !== "country");
    const pairs = pairsOf(it.countries);

    replace(
      root,
      h(
        "header",
        { class: "view-head" },
        h("p", { class: "kicker" }, "Happening"),
        h("h1", null, name),
        h(
          "p",
          { class: "lede" },
          `Reported ${it.num_reports} time${it.num_reports === 1 ? "" : "s"} by ${it.num_sources} outlet${
            it.num_sources === 1 ? "" : "s"
          } (${it.num_independent_sources} independent).`,
        ),
      ),
      h(
        "div",
        { class: "grid" },
        section(
          "What happened",
          h(
            "dl",
            { class: "facts" },
            fact("Type", typeBadge(it.type)),
            fact(
              "Date",
              it.date || "undated",
              it.date_end && it.date_end !== it.date_start ? ` to ${it.date_end}` : "",
              it.date_basis ? h("span", { class: "meta" }, ` (${BASIS[it.date_basis] || it.date_basis})`) : null,
            ),
            it.status ? fact("Status", it.status) : [],
            it.location ? fact("Place", entityLink(ctx, it.location)) : [],
            fact(
              "States",
              it.countries.length
                ? it.countries.flatMap((code, i) => [i ? ", " : null, countryLink(ctx, code)])
                : "none named",
            ),
            people.length
              ? fact(
                  "People and organisations",
                  people.flatMap((p, i) => [i ? ", " : null, entityLink(ctx, p.entity), ` (${p.role})`]),
                )
              : [],
            fact("First reported", day(it.first_reported_at)),
            fact("Last reported", day(it.last_reported_at)),
          ),
          pairs.length
            ? h(
                "p",
                { class: "pairs" },
                pairs.length === 1 ? "The pair: " : "The pairs: ",
                pairs.flatMap(([x, y], i) => [i ? ", " : null, pairLink(ctx, x, y)]),
              )
            : null,
        ),
        section(
          "Reports",
          pagedList(ctx, it.reports, (r) => reportItem(ctx, r), {
            empty: "No reports.",
            className: "plain-list reports",
            testid: "reports",
          }),
        ),
        it.decisions.length
          ? section("Analysts' decisions", h("ul", { class: "plain-list" }, it.decisions.map(decisionItem)))
          : null,
      ),
    );
  },
};
