// A stacked bar chart in SVG, built node by node with svg() (no chart library: a few dozen
// rects do not need one). x is a year or a month, each stack an event type. Every bar is a
// <rect data-year|data-month data-type data-count> with a <title>, focusable from the
// keyboard; a visually hidden table carries the same numbers for screen readers.
//
//   stackedBars({ buckets: yearBuckets(profile.counts.by_year), axis: "year", unit: "happenings",
//                 caption: "Happenings by year and type", testid: "pair-chart" })
//   stackedBars({ buckets: timelineBuckets(timeline.buckets, "month"), axis: "month", ... })
//     (from /v1/timeline?group_by=type&interval=month)
// A slot is 44 units wide and the SVG scales to its box: past three years of months, ask the
// timeline for interval=year (timelineBuckets(buckets, "year")) to keep the labels legible.

import { h, svg } from "./dom.js";
import { useStylesheet } from "./stylesheet.js";

// The taxonomy's event types (/v1/taxonomy), in its order: a type keeps its colour on every
// page (chart.css gives each a light and a dark colour that pass 3:1 against the page).
export const EVENT_TYPES = [
  ["visit", "Visit"],
  ["meeting", "Meeting"],
  ["agreement", "Agreement"],
  ["exercise", "Joint exercise"],
  ["arms_transfer", "Arms transfer"],
  ["training", "Training"],
  ["military_aid", "Military aid"],
  ["industry", "Defence industry"],
  ["statement", "Statement"],
  ["conflict", "Conflict"],
];
const LABELS = new Map(EVENT_TYPES);
const ORDER = new Map(EVENT_TYPES.map(([type], i) => [type, i]));

export const typeLabel = (type) => LABELS.get(type) || String(type).replaceAll("_", " ");
// A type the taxonomy gains later is drawn in a neutral colour until chart.css names it.
export const typeClass = (type) => (LABELS.has(type) ? `type-${type}` : "type-other");

export function loadChartStyles() {
  return useStylesheet(new URL("./chart.css", import.meta.url));
}

// The types present in buckets, in taxonomy order (unknown ones last, by name).
export function typesOf(buckets) {
  const seen = new Set();
  for (const bucket of buckets) for (const [type, n] of Object.entries(bucket.counts)) if (n) seen.add(type);
  return [...seen].sort((x, y) => (ORDER.get(x) ?? 99) - (ORDER.get(y) ?? 99) || x.localeCompare(y));
}

// The API's by_year ([{year, count, by_type}]) as buckets, every year from the first to the
// last present (a year without events is an empty column, not a missing one).
export function yearBuckets(byYear) {
  const years = (byYear || []).filter((row) => row.year != null);
  if (!years.length) return [];
  const found = new Map(years.map((row) => [row.year, row.by_type || {}]));
  const first = Math.min(...found.keys());
  const last = Math.max(...found.keys());
  const out = [];
  for (let year = first; year <= last; year++) {
    out.push({ key: String(year), label: String(year), counts: found.get(year) || {} });
  }
  return out;
}

// /v1/timeline buckets ({start: "2024-03-01", count, by_type}, asked with group_by=type) as
// month buckets (interval=month) or year buckets (interval=year).
export function timelineBuckets(timelineBuckets, axis = "month") {
  const width = axis === "year" ? 4 : 7;
  return (timelineBuckets || []).map((b) => ({
    key: b.start.slice(0, width),
    label: b.start.slice(0, width),
    counts: b.by_type || {},
  }));
}

const total = (counts) => Object.values(counts).reduce((s, n) => s + n, 0);

// About five round steps from 0 to max: 1, 2 or 5 times a power of ten.
function ticks(max) {
  if (max <= 5) return Array.from({ length: max + 1 }, (_, i) => i);
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const out = [];
  for (let v = 0; v <= max + step - 1; v += step) out.push(v);
  return out;
}

const HEIGHT = 220;
const TOP = 12;
const BOTTOM = 28; // room for the x labels
const LEFT = 36; // room for the y labels
const SLOT = 44; // width of one x position at full size
const BAR = 0.7; // the bar's share of its slot

export function stackedBars({ buckets, axis = "year", unit = "happenings", caption, testid }) {
  loadChartStyles();
  const types = typesOf(buckets);
  const max = Math.max(1, ...buckets.map((b) => total(b.counts)));
  const scale = ticks(max);
  const top = scale[scale.length - 1];
  const width = LEFT + Math.max(buckets.length, 3) * SLOT + 8;
  const plot = HEIGHT - TOP - BOTTOM;
  const y = (v) => TOP + plot - (v / top) * plot;
  // a label every nth slot when there are many months; every other month at least, since a
  // "2025-10" is wider than its slot and neighbours would overlap
  const every = Math.max(axis === "month" ? 2 : 1, Math.ceil(buckets.length / 12));

  const grid = scale.map((v) =>
    svg(
      "g",
      { class: "chart-tick" },
      svg("line", { x1: LEFT, x2: width - 4, y1: y(v), y2: y(v), class: "chart-grid" }),
      svg("text", { x: LEFT - 6, y: y(v) + 4, "text-anchor": "end", class: "chart-label" }, v),
    ),
  );

  const columns = buckets.map((bucket, i) => {
    const x = LEFT + i * SLOT + (SLOT * (1 - BAR)) / 2;
    let base = 0;
    const rects = [];
    for (const type of types) {
      const n = bucket.counts[type] || 0;
      if (!n) continue;
      const label = `${bucket.label} · ${typeLabel(type)}: ${n} ${unit}`;
      rects.push(
        svg(
          "rect",
          {
            x,
            y: y(base + n),
            width: SLOT * BAR,
            height: y(base) - y(base + n),
            class: ["chart-bar", typeClass(type)],
            tabindex: "0",
            role: "img",
            "aria-label": label,
            dataset: { [axis]: bucket.key, type, count: n },
          },
          svg("title", null, label),
        ),
      );
      base += n;
    }
    const showLabel = i % every === 0;
    return svg(
      "g",
      { class: "chart-column" },
      rects,
      showLabel
        ? svg(
            "text",
            { x: LEFT + i * SLOT + SLOT / 2, y: HEIGHT - 10, "text-anchor": "middle", class: "chart-label" },
            axis === "month" ? bucket.label.replace("-", "\u2011") : bucket.label,
          )
        : null,
    );
  });

  const chart = svg(
    "svg",
    {
      class: "chart",
      viewBox: `0 0 ${width} ${HEIGHT}`,
      role: "group",
      "aria-label": caption || `${unit} by ${axis} and type`,
      dataset: { testid },
      // at most its natural size: two years do not fill a desktop with two slabs
      style: { maxWidth: `${width * 1.6}px` },
    },
    grid,
    svg("line", { x1: LEFT, x2: width - 4, y1: y(0), y2: y(0), class: "chart-axis" }),
    columns,
  );

  return h(
    "figure",
    { class: "chart-figure" },
    caption ? h("figcaption", null, caption) : null,
    buckets.length ? chart : h("p", { class: "chart-empty" }, `No ${unit} to chart.`),
    buckets.length ? legend(types) : null,
    buckets.length ? dataTable(buckets, types, axis, unit, caption) : null,
  );
}

export function legend(types) {
  return h(
    "ul",
    { class: "chart-legend", dataset: { testid: "chart-legend" }, "aria-label": "Event types" },
    types.map((type) =>
      h(
        "li",
        null,
        h("span", { class: ["swatch", typeClass(type)], "aria-hidden": "true" }),
        typeLabel(type),
      ),
    ),
  );
}

// A stacked horizontal bar in HTML (the country's partners): one segment per type, sized
// through the CSSOM, the total beside it as text.
export function stackBar(byType, max) {
  const types = typesOf([{ counts: byType }]);
  return h(
    "span",
    { class: "stack-bar", "aria-hidden": "true" },
    types.map((type) =>
      h("span", {
        class: ["stack-seg", typeClass(type)],
        title: `${typeLabel(type)}: ${byType[type]}`,
        style: { width: `${(100 * byType[type]) / Math.max(1, max)}%` },
      }),
    ),
  );
}

function dataTable(buckets, types, axis, unit, caption) {
  const head = h(
    "tr",
    null,
    h("th", { scope: "col" }, axis === "month" ? "Month" : "Year"),
    types.map((type) => h("th", { scope: "col" }, typeLabel(type))),
    h("th", { scope: "col" }, "Total"),
  );
  const rows = buckets.map((bucket) =>
    h(
      "tr",
      null,
      h("th", { scope: "row" }, bucket.label),
      types.map((type) => h("td", null, bucket.counts[type] || 0)),
      h("td", null, total(bucket.counts)),
    ),
  );
  // hidden through a wrapper: a table ignores the 1px width it is given and widens the page
  return h(
    "div",
    { class: "visually-hidden" },
    h(
      "table",
      { class: "chart-table" },
      h("caption", null, caption || `${unit} by ${axis} and type`),
      h("thead", null, head),
      h("tbody", null, rows),
    ),
  );
}
