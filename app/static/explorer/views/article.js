// One article (/explore/articles/8): its metadata, its clean text with every mention
// highlighted by kind, its events as cards (a card's evidence sentence is highlighted in the
// text on request), the entities it names and the articles most like it. Two calls, in
// parallel: /v1/articles/{id}?include=events,mentions and /v1/articles/{id}/similar.
// Mention and evidence offsets are code points into `body` (lib/marks.js converts them).

import { h, replace } from "../lib/dom.js";
import { typeLabel } from "../lib/chart.js";
import { codePoints, ENTITY_KINDS, kindClass, kindLabel, mentioned } from "../lib/marks.js";
import {
  articleItem,
  entityLink,
  happeningLink,
  loadRelationStyles,
  pairLink,
  pairsOf,
  plural,
  typeBadge,
} from "../lib/relations.js";
import { useStylesheet } from "../lib/stylesheet.js";

const SIMILAR = 5;
const KIND_ORDER = new Map(ENTITY_KINDS.map(([kind], i) => [kind, i]));
const PRECISION = { year: 4, month: 7, day: 10 };

function loadStyles() {
  return Promise.all([loadRelationStyles(), useStylesheet(new URL("./article.css", import.meta.url))]);
}

// published_at at its precision: 2025, 2025-10, 2025-10-03, or the minute in UTC.
function published(article) {
  const at = article.published_at;
  if (!at) return "undated";
  const cut = PRECISION[article.published_precision];
  return cut ? at.slice(0, cut) : `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`;
}

// the <time> element's machine form at the same precision (2025 and 2025-10 are valid)
function datetimeOf(article) {
  const cut = PRECISION[article.published_precision];
  return cut ? article.published_at.slice(0, cut) : article.published_at;
}

function languageName(code) {
  try {
    const name = new Intl.DisplayNames(["en"], { type: "language" }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code; // an old browser, or a code Intl does not know
  }
}

// Only http(s) addresses become links: a stored url is data, and javascript: is not a page.
function webAddress(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function anchor(ctx, entity) {
  const a = entityLink(ctx, entity);
  a.dataset.testid = "entity-link";
  return a;
}

function fact(term, ...value) {
  return [h("dt", null, term), h("dd", null, value)];
}

function panel(title, testid, ...children) {
  const id = `a-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h(
    "section",
    { class: "panel", "aria-labelledby": id, dataset: { testid } },
    h("h2", { id }, title),
    children,
  );
}

function metadata(ctx, article) {
  const address = article.url ? webAddress(article.url) : null;
  return h(
    "dl",
    { class: "facts article-meta", dataset: { testid: "article-meta" } },
    fact("Source", article.source ? article.source.name : "unknown"),
    fact(
      "Published",
      article.published_at
        ? h("time", { datetime: datetimeOf(article) }, published(article))
        : "undated",
      article.published_precision && article.published_precision !== "time"
        ? h("span", { class: "meta" }, ` (to the ${article.published_precision})`)
        : null,
    ),
    article.author ? fact("Author", article.author) : [],
    article.agency ? fact("Agency", article.agency) : [],
    article.language ? fact("Language", languageName(article.language)) : [],
    fact("Length", plural(article.word_count, "words")),
    article.url
      ? fact(
          "Address",
          address
            ? h(
                "a",
                { href: address, rel: "noopener noreferrer", class: "raw-link", dataset: { testid: "raw-link" } },
                article.url,
              )
            : article.url,
        )
      : [],
    article.duplicate_of
      ? fact(
          "Copy of",
          h("a", { href: ctx.link(`/explore/articles/${article.duplicate_of}`) }, `article ${article.duplicate_of}`),
        )
      : [],
    article.happenings.length
      ? fact(
          article.happenings.length === 1 ? "Happening" : "Happenings",
          article.happenings.flatMap((id, i) => [
            i ? ", " : null,
            happeningLink(ctx, id, `#${id}`),
          ]),
        )
      : [],
    fact(
      "Extraction",
      article.extractor_version || "none",
      article.extraction_note ? h("span", { class: "meta" }, ` (${article.extraction_note})`) : null,
    ),
  );
}

// Where an event's evidence sentence lies in the body (code points), or null: its stored
// offsets, else the sentence found in the text (an event stored without offsets).
function evidenceRange(body, event) {
  const evidence = event.evidence;
  if (!evidence || !evidence.text) return null;
  if (evidence.start != null && evidence.end != null && evidence.end > evidence.start) {
    return { start: evidence.start, end: evidence.end };
  }
  const at = body.indexOf(evidence.text);
  if (at < 0) return null;
  const start = codePoints(body, at);
  return { start, end: start + [...evidence.text].length };
}

function eventDate(event) {
  if (!event.date) return h("span", null, "undated");
  const end = event.date_end && event.date_end !== event.date_start ? event.date_end : null;
  return h(
    "span",
    null,
    h("time", { datetime: event.date }, event.date),
    end ? [" to ", h("time", { datetime: end }, end)] : null,
    event.date_precision ? h("span", { class: "meta" }, ` (to the ${event.date_precision})`) : null,
    event.date_text ? h("span", { class: "meta" }, ` from “${event.date_text}”`) : null,
  );
}

function participantItem(ctx, participant) {
  const role = participant.role === "participant" ? null : participant.role; // plain: no word
  return h("li", null, anchor(ctx, participant.entity), role ? h("span", { class: "meta" }, ` (${role})`) : null);
}

function eventCard(ctx, event, range, onEvidence) {
  const pairs = pairsOf(event.countries || []);
  const headingId = `event-${event.id}`;
  const button = h(
    "button",
    {
      type: "button",
      class: "evidence-button",
      "aria-pressed": "false",
      disabled: !range,
      dataset: { testid: "event-evidence-button" },
      onclick: () => onEvidence(event, button),
    },
    range ? "Highlight in the text" : event.evidence ? "Sentence not found in the text" : "No evidence sentence",
  );
  return h(
    "li",
    { class: "event-card", "aria-labelledby": headingId, dataset: { testid: "event-card", eventId: event.id, type: event.type } },
    h(
      "h3",
      { id: headingId, class: "event-head" },
      typeBadge(event.type),
      event.name ? h("span", { class: "event-name" }, event.name) : null,
      event.status === "planned" ? h("span", { class: "tag" }, "planned") : null,
      event.happening_role && event.happening_role !== "report"
        ? h("span", { class: "tag" }, event.happening_role)
        : null,
    ),
    h(
      "dl",
      { class: "facts" },
      fact("Date", eventDate(event)),
      event.location ? fact("Place", anchor(ctx, event.location)) : [],
      event.participants.length
        ? fact(
            "Who",
            h(
              "ul",
              { class: "participants" },
              event.participants.map((p) => participantItem(ctx, p)),
            ),
          )
        : [],
    ),
    event.evidence ? h("blockquote", { class: "evidence" }, event.evidence.text) : null,
    h(
      "p",
      { class: "event-links" },
      button,
      pairs.map(([x, y]) => pairLink(ctx, x, y, `Pair ${x}–${y}`)),
      event.happening_id ? happeningLink(ctx, event.happening_id) : null,
    ),
  );
}

// The entities named, one row each with its mention count, grouped by kind in taxonomy order.
function namedEntities(mentions) {
  const byEntity = new Map();
  for (const m of mentions) {
    const row = byEntity.get(m.entity.id) || { entity: m.entity, count: 0 };
    row.count += 1;
    byEntity.set(m.entity.id, row);
  }
  return [...byEntity.values()].sort(
    (x, y) =>
      (KIND_ORDER.get(x.entity.kind) ?? 99) - (KIND_ORDER.get(y.entity.kind) ?? 99) ||
      y.count - x.count ||
      x.entity.name.localeCompare(y.entity.name),
  );
}

function kindsOf(mentions) {
  const counts = new Map();
  for (const m of mentions) counts.set(m.entity.kind, (counts.get(m.entity.kind) || 0) + 1);
  return [...counts.entries()].sort((x, y) => (KIND_ORDER.get(x[0]) ?? 99) - (KIND_ORDER.get(y[0]) ?? 99));
}

function similarList(ctx, similar) {
  if (similar.error) {
    return h("p", { class: "empty-note", role: "status" }, `Similar articles could not be read: ${similar.error.message}`);
  }
  if (!similar.items.length) return h("p", { class: "empty-note" }, "No similar article.");
  return h("ul", { class: "plain-list" }, similar.items.map((a) => articleItem(ctx, a)));
}

export default {
  title: (params) => `Article ${params.path.id}`,

  async render(root, params, ctx) {
    const id = params.path.id;
    const [article, similar] = await Promise.all([
      ctx.api.get(`/v1/articles/${id}`, { include: "events,mentions" }),
      // the similar list is a side panel: the article is shown without it when it fails
      ctx.api.get(`/v1/articles/${id}/similar`, { limit: SIMILAR }).catch((error) => {
        if (error.name === "AbortError") throw error;
        return { error };
      }),
      loadStyles(),
    ]);
    const title = article.title || article.url || `Article ${article.id}`;
    ctx.setTitle?.(title);
    const body = article.body || "";
    const mentions = article.mentions || [];
    const events = article.events || [];
    const marks = mentions.map((m) => ({ start: m.start, end: m.end, kind: m.entity.kind, name: m.entity.name }));
    const placed = mentions.filter((m) => m.start != null && m.end != null).length;

    // The text is drawn again for each evidence shown: a sentence is one <mark> holding its
    // mentions. Kinds switched off in the legend stay off across redraws.
    const text = h("div", { class: "article-text", dataset: { testid: "article-body" } });
    const hidden = new Set();
    const applyHidden = () => {
      for (const span of text.querySelectorAll(".mention")) {
        span.classList.toggle("mention-off", hidden.has(span.dataset.kind));
      }
    };
    const status = h("p", { class: "visually-hidden", role: "status" });
    let shown = null; // the pressed evidence button
    // below the text, while a sentence is highlighted: the way back to its card (on a phone
    // the cards are far below the text)
    const noteText = h("span");
    const note = h(
      "p",
      { class: "evidence-note", hidden: true },
      noteText,
      " ",
      h(
        "button",
        {
          type: "button",
          class: "evidence-back",
          onclick: () => {
            if (!shown) return;
            shown.closest(".event-card").scrollIntoView({ block: "nearest" });
            shown.focus();
          },
        },
        "Back to the event",
      ),
    );
    const draw = (range) => {
      const evidence = range
        ? [
            {
              ...range,
              make: () => h("mark", { class: "evidence-highlight", dataset: { testid: "evidence-highlight" } }),
            },
          ]
        : [];
      replace(text, mentioned(body, marks, evidence));
      applyHidden();
    };
    const ranges = new Map(events.map((e) => [e.id, evidenceRange(body, e)]));
    const onEvidence = (event, button) => {
      const again = shown === button;
      if (shown) shown.setAttribute("aria-pressed", "false");
      shown = again ? null : button;
      if (!shown) {
        draw(null);
        note.hidden = true;
        status.textContent = "Evidence highlight removed.";
        return;
      }
      button.setAttribute("aria-pressed", "true");
      draw(ranges.get(event.id));
      const mark = text.querySelector('[data-testid="evidence-highlight"]');
      const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
      if (mark) mark.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
      status.textContent = `Evidence highlighted in the text: ${event.evidence.text}`;
      noteText.textContent = `Highlighted: the evidence of the ${typeLabel(event.type).toLowerCase()} event${
        event.date ? ` of ${event.date}` : ""
      }.`;
      note.hidden = false;
    };
    draw(null);

    const kinds = kindsOf(mentions);
    const legend = kinds.length
      ? h(
          "ul",
          { class: "kind-legend", dataset: { testid: "legend" }, "aria-label": "Mentions by kind" },
          kinds.map(([kind, n]) => {
            const toggle = h(
              "button",
              {
                type: "button",
                class: ["kind-toggle", kindClass(kind)],
                "aria-pressed": "true",
                dataset: { kind },
                title: `Highlight ${kindLabel(kind).toLowerCase()} mentions`,
                onclick: () => {
                  const on = hidden.has(kind);
                  if (on) hidden.delete(kind);
                  else hidden.add(kind);
                  toggle.setAttribute("aria-pressed", String(on));
                  applyHidden();
                },
              },
              h("span", { class: "kind-swatch", "aria-hidden": "true" }),
              ` ${kindLabel(kind)} `,
              h("span", { class: "meta" }, `(${n})`),
            );
            return h("li", null, toggle);
          }),
        )
      : h("p", { class: "empty-note", dataset: { testid: "legend" } }, "No mentions found in this article.");

    const named = namedEntities(mentions);
    replace(
      root,
      h(
        "header",
        { class: "view-head" },
        h("p", { class: "kicker" }, "Article"),
        h("h1", { dataset: { testid: "article-title" } }, title),
        article.title_is_derived ? h("p", { class: "meta" }, "No headline: the title is the text's first words.") : null,
        metadata(ctx, article),
      ),
      h(
        "div",
        { class: "article-layout" },
        h(
          "section",
          { class: "panel article-main", "aria-labelledby": "a-text" },
          h("h2", { id: "a-text" }, "Text"),
          h(
            "p",
            { class: "meta" },
            `${plural(mentions.length, "mentions")} of ${named.length} ${named.length === 1 ? "entity" : "entities"}`,
            placed < mentions.length ? `, ${mentions.length - placed} not placed in the text` : "",
            ". Switch a kind off to read without its highlights:",
          ),
          legend,
          text,
          note,
          status,
        ),
        h(
          "div",
          { class: "article-side" },
          panel(
            "Events",
            "article-events",
            events.length
              ? h("ol", { class: "event-cards" }, events.map((e) => eventCard(ctx, e, ranges.get(e.id), onEvidence)))
              : h("p", { class: "empty-note" }, "No events found in this article."),
          ),
          panel(
            "Named in this article",
            "article-entities",
            named.length
              ? h(
                  "ul",
                  { class: "plain-list named" },
                  named.map(({ entity, count }) =>
                    h(
                      "li",
                      null,
                      h("span", { class: ["kind-swatch", kindClass(entity.kind)], "aria-hidden": "true" }),
                      " ",
                      anchor(ctx, entity),
                      h("span", { class: "meta" }, ` · ${kindLabel(entity.kind)} · ${plural(count, "mentions")}`),
                    ),
                  ),
                )
              : h("p", { class: "empty-note" }, "Nobody and nothing named."),
          ),
          panel("Similar articles", "similar-articles", similarList(ctx, similar)),
        ),
      ),
    );
  },
};
