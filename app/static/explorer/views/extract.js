// Try the extractor (/explore/extract): paste a page, raw text or HTML, and see what
// POST /v1/extract finds in it: nothing is stored. The answer's mention and evidence offsets
// index the text the extractor read (`body`: the page without its markup and boilerplate),
// not what was pasted, so that text is what is shown, with every mention highlighted.
// The offsets count code points; lib/marks.js turns them into the page's UTF-16 ones.

import { ApiError } from "../lib/api.js";
import { typeLabel } from "../lib/chart.js";
import { h, replace } from "../lib/dom.js";
import { ENTITY_KINDS, kindClass, kindLabel, mentioned } from "../lib/marks.js";
import { countryLink, loadRelationStyles, typeBadge } from "../lib/relations.js";
import { useStylesheet } from "../lib/stylesheet.js";

// Made up for this page (no real report's text): a page with its chrome, to show that the
// markup and the navigation are dropped before anything is looked for.
const EXAMPLE = `<!doctype html>
<html lang="en">
<head><title>Poland and Lithuania agree on joint air defence drills | Example Herald</title></head>
<body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/defence">Defence</a></nav>
<article>
<h1>Poland and Lithuania agree on joint air defence drills</h1>
<p class="byline">By Example Staff, 4 June 2025</p>
<p>WARSAW — Polish Defence Minister Marta Lis met her Lithuanian counterpart Jonas Petraitis in Warsaw on Wednesday.</p>
<p>The two ministers signed a memorandum on joint air defence exercises,
and Poland will deliver ten howitzers to Lithuania next year.</p>
</article>
<footer>© Example Herald. All rights reserved.</footer>
</body>
</html>
`;

const FORMATS = [
  ["auto", "Detect"],
  ["text", "Raw text"],
  ["html", "HTML"],
];
// A page that opens like markup, or holds a block element, is HTML; anything else is a page
// of text as crawled (the API strips its boilerplate either way).
const LOOKS_HTML = /^\s*<(?:!doctype|html|head|body)\b|<(?:p|div|article|main|section|br|h[1-6]|span|a)\b[^>]*>/i;

export function formatOf(choice, text) {
  if (choice === "text" || choice === "html") return choice;
  return LOOKS_HTML.test(text) ? "html" : "text";
}

function fact(term, value) {
  if (value === null || value === undefined || value === "") return null;
  return [h("dt", null, term), h("dd", null, value)];
}

const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;

export default {
  title: () => "Try the extractor",

  async render(root, params, ctx) {
    const sheets = Promise.all([useStylesheet(new URL("./extract.css", import.meta.url)), loadRelationStyles()]);
    let controller = null;

    const input = h("textarea", {
      id: "extract-text",
      name: "page",
      rows: 12,
      spellcheck: "false",
      "aria-describedby": "extract-hint",
      dataset: { testid: "extract-input" },
    });
    const url = h("input", {
      id: "extract-url",
      type: "url",
      name: "url",
      placeholder: "https://…",
      autocomplete: "off",
    });
    const radios = FORMATS.map(([value, label]) =>
      h(
        "label",
        { class: "choice" },
        h("input", { type: "radio", name: "format", value, checked: value === "auto" }),
        ` ${label}`,
      ),
    );
    const submit = h("button", { type: "submit", class: "primary", dataset: { testid: "extract-submit" } }, "Extract");
    const status = h("p", { class: "extract-status", role: "status" });
    const output = h("div", { class: "extract-output", dataset: { testid: "extract-output" } });

    const form = h(
      "form",
      { class: "extract-form", onsubmit: (event) => (event.preventDefault(), run()) },
      h("label", { for: "extract-text", class: "field-label" }, "Page"),
      h(
        "p",
        { id: "extract-hint", class: "hint" },
        "Raw text as crawled, or an HTML page, up to 1 MiB. Nothing you paste is stored.",
      ),
      input,
      h(
        "div",
        { class: "extract-options" },
        h("fieldset", { class: "formats" }, h("legend", null, "The page is"), radios),
        h(
          "div",
          { class: "field" },
          h("label", { for: "extract-url" }, "Its URL (optional: names the source)"),
          url,
        ),
      ),
      h(
        "div",
        { class: "actions" },
        submit,
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => {
              input.value = EXAMPLE;
              input.focus();
            },
          },
          "Fill in an example",
        ),
      ),
      status,
    );

    replace(
      root,
      h(
        "header",
        { class: "extract-head" },
        h("h1", null, "Try the extractor"),
        h(
          "p",
          { class: "lede" },
          "Paste a page and see the states, people, organisations, places and events ",
          h("code", null, "POST /v1/extract"),
          " finds in it: what storing the page would keep, without storing it.",
        ),
      ),
      form,
      output,
    );
    await sheets;

    async function run() {
      controller?.abort();
      const mine = (controller = new AbortController());
      const text = input.value;
      const choice = form.elements.format.value;
      const format = formatOf(choice, text);
      const body = { [format]: text };
      if (url.value.trim()) body.url = url.value.trim();
      delete root.dataset.ready;
      root.setAttribute("aria-busy", "true");
      submit.disabled = true;
      status.textContent = "Extracting…";
      try {
        const result = await ctx.api.post("/v1/extract", body, { signal: mine.signal });
        if (mine.signal.aborted || !ctx.isCurrent()) return;
        const found = [
          count(result.entities.length, "entity", "entities"),
          count(result.events.length, "event", "events"),
        ].join(" and ");
        status.textContent = `Read as ${format === "html" ? "HTML" : "raw text"}: ${found} found.`;
        replace(output, showResult(result, format));
      } catch (error) {
        if (error.name === "AbortError" || !ctx.isCurrent()) return;
        status.textContent = "";
        replace(output, showError(error));
      } finally {
        if (controller === mine && ctx.isCurrent()) {
          submit.disabled = false;
          root.removeAttribute("aria-busy");
          root.dataset.ready = "true";
        }
      }
    }

    function showResult(result, format) {
      const mentions = result.entities.flatMap((entity) =>
        entity.mentions.map((m) => ({ start: m.start, end: m.end, kind: entity.kind, name: entity.name })),
      );
      const kinds = ENTITY_KINDS.map(([kind]) => kind).filter((kind) => result.entities.some((e) => e.kind === kind));
      for (const e of result.entities) if (!kinds.includes(e.kind)) kinds.push(e.kind);
      const text = h("div", { class: "extract-text", dataset: { testid: "extract-body" } });
      const showText = (evidence) => {
        const more = evidence
          ? [
              {
                start: evidence.start,
                end: evidence.end,
                make: () =>
                  h("mark", { class: "evidence-mark", tabindex: "-1", dataset: { testid: "evidence-highlight" } }),
              },
            ]
          : [];
        replace(text, mentioned(result.body, mentions, more));
      };
      showText(null);

      return [
        h(
          "section",
          { class: "panel", "aria-labelledby": "x-meta" },
          h("h2", { id: "x-meta" }, "What the page says about itself"),
          h(
            "dl",
            { class: "facts" },
            fact("Title", result.title ? [result.title, result.title_is_derived ? " (from the text)" : ""] : "none"),
            fact("Published", result.published_at),
            fact("Author", result.author),
            fact("Agency", result.agency),
            fact("Source", result.source),
            fact("Language", result.language),
            fact("Extractor", h("code", { class: "version" }, result.extractor_version)),
            fact("Skipped", result.skipped),
          ),
        ),
        h(
          "section",
          { class: "panel", "aria-labelledby": "x-text" },
          h("h2", { id: "x-text" }, "The text it read"),
          h(
            "p",
            { class: "hint" },
            format === "html"
              ? "The page's text without its markup, navigation and boilerplate: " +
                  "the offsets of what was found count in this text."
              : "The page without its boilerplate: the offsets of what was found count in this text.",
          ),
          kinds.length
            ? h(
                "ul",
                { class: "legend", dataset: { testid: "legend" }, "aria-label": "Kinds of mention" },
                kinds.map((kind) =>
                  h(
                    "li",
                    null,
                    h("span", { class: ["kind-swatch", kindClass(kind)], "aria-hidden": "true" }),
                    ` ${kindLabel(kind)}`,
                  ),
                ),
              )
            : null,
          text,
        ),
        h(
          "section",
          { class: "panel", "aria-labelledby": "x-entities" },
          h("h2", { id: "x-entities" }, `Entities (${result.entities.length})`),
          result.entities.length
            ? h(
                "ul",
                { class: "entity-list", dataset: { testid: "extract-entities" } },
                result.entities.map((entity) => entityItem(entity)),
              )
            : h("p", { class: "empty-note", dataset: { testid: "extract-entities" } }, "No entity found."),
        ),
        h(
          "section",
          { class: "panel", "aria-labelledby": "x-events" },
          h("h2", { id: "x-events" }, `Events (${result.events.length})`),
          result.events.length
            ? h(
                "ul",
                { class: "event-list", dataset: { testid: "extract-events" } },
                result.events.map((event) => eventItem(event, showText, text)),
              )
            : h("p", { class: "empty-note", dataset: { testid: "extract-events" } }, "No event found."),
        ),
      ];
    }

    function entityItem(entity) {
      const details = [
        entity.code,
        entity.title,
        entity.country && entity.kind !== "country" ? `of ${entity.country}` : null,
      ].filter(Boolean);
      const seen = [...new Set(entity.mentions.map((m) => m.text))];
      return h(
        "li",
        { class: "entity-item", dataset: { kind: entity.kind } },
        h("span", { class: ["kind-swatch", kindClass(entity.kind)], "aria-hidden": "true" }),
        " ",
        h(
          "strong",
          null,
          entity.kind === "country" && entity.code ? countryLink(ctx, entity.code, entity.name) : entity.name,
        ),
        h("span", { class: "meta" }, ` · ${kindLabel(entity.kind)}`, details.length ? ` · ${details.join(", ")}` : ""),
        h(
          "span",
          { class: "meta" },
          ` · ${count(entity.mentions.length, "mention", "mentions")}`,
          seen.some((t) => t !== entity.name) ? `: ${seen.join(", ")}` : "",
        ),
        entity.aliases.length ? h("span", { class: "meta" }, ` · also ${entity.aliases.join(", ")}`) : null,
      );
    }

    function eventItem(event, showText, text) {
      const states = event.participants.flatMap((p, i) => [
        i ? ", " : null,
        countryLink(ctx, p.country),
        p.role === "participant" ? null : ` (${p.role})`,
      ]);
      const when = event.date
        ? [
            h("time", { datetime: event.date }, event.date),
            event.date_end ? [" – ", h("time", { datetime: event.date_end }, event.date_end)] : null,
            event.date_text ? ` (“${event.date_text}”)` : null,
          ]
        : "undated";
      return h(
        "li",
        { class: "event-item", dataset: { type: event.type } },
        h(
          "p",
          { class: "event-head" },
          typeBadge(event.type),
          " ",
          when,
          event.status !== "reported" ? h("span", { class: "tag" }, event.status) : null,
          event.name ? h("strong", null, ` ${event.name}`) : null,
        ),
        h(
          "dl",
          { class: "facts" },
          fact("States", states.length ? states : null),
          fact("People", event.persons.join(", ")),
          fact("Where", event.location),
          fact("Confidence", `${Math.round(event.confidence * 100)}% · CAMEO ${event.cameo_code}`),
        ),
        event.evidence?.text
          ? h(
              "blockquote",
              { class: "evidence-quote" },
              event.evidence.text,
              " ",
              event.evidence.start != null
                ? h(
                    "button",
                    {
                      type: "button",
                      class: "link-button",
                      dataset: { testid: "event-evidence-button" },
                      "aria-pressed": "false",
                      onclick: (click) => {
                        // one sentence at a time: pressing another releases this one
                        const button = click.currentTarget;
                        const on = button.getAttribute("aria-pressed") !== "true";
                        for (const other of root.querySelectorAll("[data-testid=event-evidence-button]")) {
                          other.setAttribute("aria-pressed", "false");
                        }
                        button.setAttribute("aria-pressed", String(on));
                        showText(on ? event.evidence : null);
                        if (!on) return;
                        const mark = text.querySelector("[data-testid=evidence-highlight]");
                        const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
                        mark?.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
                        mark?.focus({ preventScroll: true }); // a screen reader reads the sentence
                      },
                    },
                    "Highlight in the text",
                    h("span", { class: "visually-hidden" }, ` (the ${typeLabel(event.type).toLowerCase()})`),
                  )
                : null,
            )
          : null,
      );
    }

    function showError(error) {
      if (!(error instanceof ApiError)) throw error;
      const problem = error.problem || {};
      // each field's problem, unless the detail already says it
      const detail = problem.detail || "";
      const fields = (problem.errors || []).filter((e) => e.message && !detail.includes(e.message));
      return h(
        "div",
        { class: "extract-error panel", role: "alert", dataset: { testid: "extract-error" } },
        h("p", { class: "error-title" }, problem.title || `HTTP ${error.status}`),
        h("p", null, problem.detail || error.message),
        fields.length
          ? h(
              "ul",
              { class: "error-fields" },
              fields.map((e) => h("li", null, e.field ? [h("code", null, e.field), `: ${e.message}`] : e.message)),
            )
          : null,
      );
    }
  },
};
