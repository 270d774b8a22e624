// Search (/explore/search, also /): the query box with the query language, ranked results
// with the API's highlights, facets as filters, a date range, the sort and "load more"
// through the cursor. The whole state lives in the URL (replaceQuery), so a reload or a
// shared link asks the API the same question; without a query the newest articles are
// listed (GET /v1/articles takes the same filters, but ranks nothing and counts no facets).
//
// Updates happen in place: a facet click keeps the keyboard focus where it was, and
// main[data-ready] is taken away while an answer is awaited so that tests (and anyone
// waiting) can tell a settled page from one in flight.

import { ApiError } from "../lib/api.js";
import { typeLabel } from "../lib/chart.js";
import { h, replace } from "../lib/dom.js";
import { marked } from "../lib/marks.js";
import { useStylesheet } from "../lib/stylesheet.js";

const PAGE = 20;
const FACETS = [
  ["country", "Country"],
  ["source", "Source"],
  ["event_type", "Event type"],
  ["year", "Year"],
];
const SORTS = [
  ["relevance", "Best match"],
  ["-published_at", "Newest first"],
  ["published_at", "Oldest first"],
];
// The query language (app/search/query.py), each with an example that finds articles in the
// demo's sample data.
const SYNTAX = [
  ["Words", "all of them must appear", "navy"],
  ['"Exact phrase"', "the words together, in order", '"defence minister"'],
  ["OR", "either side (binds tighter than the implicit AND)", "submarine OR frigate"],
  ["-word or NOT word", "leave out articles with it", "agreement -Turkey"],
  ["prefix*", "any word that starts so (two letters at least)", "cooperat*"],
  ["( … )", "grouping", "(Turkey OR Azerbaijan) exercise"],
];
// The URL's names are the API's own, so a URL reads like the API call it makes.
const FILTERS = ["country", "source", "event_type", "published_from", "published_to"];

function readState(query) {
  const sort = query.get("sort");
  return {
    q: (query.get("q") || "").trim(),
    sort: SORTS.some(([value]) => value === sort) ? sort : "relevance",
    country: query.getAll("country").map((c) => c.toUpperCase()),
    source: query.get("source") || "",
    event_type: query.get("event_type") || "",
    published_from: query.get("published_from") || "",
    published_to: query.get("published_to") || "",
  };
}

// The URL's query: every name given, empty ones included, so replaceQuery removes them.
function urlState(state) {
  return { ...state, sort: state.sort === "relevance" ? "" : state.sort };
}

function filterParams(state) {
  const out = {};
  for (const name of FILTERS) out[name] = state[name];
  return out;
}

const yearRange = (year) => [`${year}-01-01`, `${year}-12-31`];

function activeYear(state) {
  const m = /^(\d{4})-01-01$/.exec(state.published_from);
  return m && state.published_to === `${m[1]}-12-31` ? m[1] : null;
}

function isActive(state, facet, value) {
  if (facet === "country") return state.country.includes(value);
  if (facet === "year") return activeYear(state) === value;
  return state[facet] === value;
}

function toggle(state, facet, value) {
  if (facet === "country") {
    state.country = state.country.includes(value)
      ? state.country.filter((c) => c !== value)
      : [...state.country, value];
  } else if (facet === "year") {
    [state.published_from, state.published_to] = activeYear(state) === value ? ["", ""] : yearRange(value);
  } else {
    state[facet] = state[facet] === value ? "" : value;
  }
}

const hasFilters = (state) =>
  state.country.length > 0 || FILTERS.some((name) => name !== "country" && state[name]);

// A published_at as precise as the API says it is.
function published(article) {
  if (!article.published_at) return h("span", null, "undated");
  const cut = { year: 4, month: 7 }[article.published_precision] || 10;
  const text = String(article.published_at).slice(0, cut);
  return h("time", { datetime: text }, text);
}

function valueLabel(facet, row) {
  if (row.label) return row.label;
  if (facet === "event_type") return typeLabel(row.value);
  return row.value;
}

export default {
  title: (params) => {
    const q = (params.query.get("q") || "").trim();
    return q ? `“${q}”` : "Search";
  },

  async render(root, params, ctx) {
    const sheet = useStylesheet(new URL("./search.css", import.meta.url));
    const state = readState(params.query);
    const labels = new Map(); // facet:value -> label, from the answers seen so far
    let controller = null;

    // ---- the form: query, help, date range, sort --------------------------------------
    const input = h("input", {
      id: "search-q",
      type: "search",
      name: "q",
      value: state.q,
      maxlength: 500,
      autocomplete: "off",
      spellcheck: "false",
      enterkeyhint: "search",
      "aria-describedby": "search-hint",
      dataset: { testid: "search-input" },
    });
    const helpPanel = h(
      "div",
      {
        id: "search-help-panel",
        class: "help-panel panel",
        hidden: true,
        dataset: { testid: "search-help-panel" },
        onkeydown: (event) => {
          if (event.key === "Escape") showHelp(false, true);
        },
      },
      h("h2", { class: "help-title" }, "How to write a query"),
      h(
        "dl",
        { class: "syntax" },
        SYNTAX.map(([form, meaning, example]) => [
          h("dt", null, h("code", null, form)),
          h(
            "dd",
            null,
            meaning,
            ": ",
            h("a", { href: ctx.link("/explore/search", { q: example }), class: "example" }, h("code", null, example)),
          ),
        ]),
      ),
      h(
        "p",
        { class: "help-note" },
        "Names of states match their other names too (Turkey finds Türkiye and Turkish). " +
          "Case and accents do not matter.",
      ),
    );
    const helpButton = h(
      "button",
      {
        type: "button",
        class: "help-toggle",
        "aria-expanded": "false",
        "aria-controls": "search-help-panel",
        dataset: { testid: "search-help" },
        onclick: () => showHelp(helpPanel.hidden),
      },
      "Query help",
    );
    function showHelp(open, focusButton = false) {
      helpPanel.hidden = !open;
      helpButton.setAttribute("aria-expanded", String(open));
      if (focusButton) helpButton.focus();
    }

    const dateFrom = h("input", {
      id: "search-from",
      type: "date",
      value: state.published_from,
      dataset: { testid: "date-from" },
      onchange: () => {
        state.published_from = dateFrom.value;
        refresh();
      },
    });
    const dateTo = h("input", {
      id: "search-to",
      type: "date",
      value: state.published_to,
      dataset: { testid: "date-to" },
      onchange: () => {
        state.published_to = dateTo.value;
        refresh();
      },
    });
    const sortSelect = h(
      "select",
      {
        id: "search-sort",
        dataset: { testid: "sort-select" },
        onchange: () => {
          state.sort = sortSelect.value;
          refresh();
        },
      },
      SORTS.map(([value, label]) => h("option", { value, selected: value === state.sort }, label)),
    );

    const form = h(
      "form",
      {
        class: "search-form",
        role: "search",
        dataset: { testid: "search-form" },
        onsubmit: (event) => {
          event.preventDefault();
          state.q = input.value.trim();
          refresh();
        },
      },
      h("label", { for: "search-q", class: "q-label" }, "Query"),
      h("div", { class: "q-row" }, input, h("button", { type: "submit", class: "primary" }, "Search"), helpButton),
      h(
        "p",
        { id: "search-hint", class: "hint" },
        'Words, "phrases", OR, -excluded, prefix*. Leave it empty to list the newest articles.',
      ),
      helpPanel,
      h(
        "div",
        { class: "refine" },
        h("div", { class: "field" }, h("label", { for: "search-from" }, "Published from"), dateFrom),
        h("div", { class: "field" }, h("label", { for: "search-to" }, "Published to"), dateTo),
        h("div", { class: "field" }, h("label", { for: "search-sort" }, "Sort"), sortSelect),
      ),
    );

    // ---- the answer: active filters, facets, count, results ---------------------------
    const active = h("div", { class: "active-filters", dataset: { testid: "active-filters" } });
    const facetsBox = h("div", { class: "facet-groups" });
    const facetsAside = h(
      "aside",
      { class: "facets", "aria-labelledby": "facets-title" },
      h("h2", { id: "facets-title" }, "Filters"),
      facetsBox,
    );
    const count = h("p", { class: "result-count", role: "status", dataset: { testid: "result-count" } });
    const results = h("div", { class: "results" });

    replace(
      root,
      h("h1", { class: "search-title" }, "Search the articles"),
      form,
      active,
      h(
        "div",
        { class: "search-layout" },
        facetsAside,
        h(
          "section",
          { class: "results-column", "aria-labelledby": "results-title" },
          h("h2", { id: "results-title" }, "Results"),
          count,
          results,
        ),
      ),
    );
    await sheet;
    await refresh();

    // ---- one round trip: the URL, the request, the page --------------------------------
    async function refresh() {
      if (!ctx.isCurrent()) return;
      controller?.abort();
      const mine = (controller = new AbortController());
      delete root.dataset.ready;
      root.setAttribute("aria-busy", "true");
      ctx.replaceQuery(urlState(state));
      ctx.setTitle(state.q ? `“${state.q}”` : "Search");
      input.value = state.q;
      dateFrom.value = state.published_from;
      dateTo.value = state.published_to;
      // without a query nothing is ranked: the list is by date, and the select says which
      sortSelect.options[0].disabled = !state.q;
      sortSelect.value = !state.q && state.sort === "relevance" ? "-published_at" : state.sort;
      for (const el of [input, dateFrom, dateTo]) el.removeAttribute("aria-invalid");
      const focused = document.activeElement?.closest?.("[data-testid=facet-option], [data-remove]");
      const refocus = focused && (focused.dataset.value ? { ...focused.dataset } : null);
      try {
        const page = await fetchPage(null, mine.signal);
        if (mine.signal.aborted || !ctx.isCurrent()) return;
        showPage(page);
      } catch (error) {
        if (error.name === "AbortError" || !ctx.isCurrent()) return;
        showError(error);
      } finally {
        if (controller === mine && ctx.isCurrent()) {
          root.removeAttribute("aria-busy");
          root.dataset.ready = "true";
        }
      }
      if (refocus) restoreFocus(refocus);
    }

    // The first page (cursor null) or the next one. A next page asks for no facets
    // ("," is a list of none; an empty value would be dropped and the cursor's kept).
    function fetchPage(cursor, signal) {
      if (state.q) {
        const query = cursor
          ? { cursor, facets: "," }
          : {
              q: state.q,
              sort: state.sort,
              limit: PAGE,
              facets: FACETS.map(([name]) => name).join(","),
              ...filterParams(state),
            };
        return ctx.api.get("/v1/search", query, { signal });
      }
      const query = cursor
        ? { cursor }
        : {
            limit: PAGE,
            sort: state.sort === "published_at" ? "published_at" : "-published_at",
            ...filterParams(state),
          };
      return ctx.api.get("/v1/articles", query, { signal });
    }

    function showPage(page) {
      for (const [facet, counts] of Object.entries(page.facets || {})) {
        for (const row of counts.values) labels.set(`${facet}:${row.value}`, valueLabel(facet, row));
      }
      showActive();
      showFacets(page.facets);
      if (state.q) {
        const more = page.total_is_exact ? "" : " or more";
        const noun = page.total === 1 && !more ? "article matches" : "articles match";
        count.textContent = `${page.total}${more} ${noun} “${state.q}”.`;
      } else {
        count.textContent = page.items.length
          ? "The newest articles. Type a query to rank them and count facets."
          : "";
      }
      if (!page.items.length) {
        replace(results, empty());
        return;
      }
      const list = h(
        "ol",
        { class: "result-list", dataset: { testid: "search-results" } },
        page.items.map((item) => resultItem(item)),
      );
      replace(results, list, moreButton(list, page.next_cursor));
    }

    function resultItem(item) {
      const highlights = item.highlights;
      const title = highlights?.title ? marked(highlights.title) : item.title || item.url || `Article ${item.id}`;
      const source = item.source ? item.source.name : null;
      return h(
        "li",
        { class: "result", dataset: { testid: "search-result", articleId: item.id } },
        h(
          "h3",
          { class: "result-title", dataset: { testid: "result-title" } },
          h("a", { href: ctx.link(`/explore/articles/${item.id}`) }, title),
        ),
        h(
          "p",
          { class: "result-meta" },
          source ? [source, " · "] : null,
          published(item),
          item.language ? [" · ", h("span", { lang: item.language }, item.language)] : null,
          item.title_is_derived ? " · title from the text" : null,
        ),
        (highlights?.snippets || []).map((snippet) =>
          h("p", { class: "result-snippet", dataset: { testid: "result-snippet" } }, marked(snippet)),
        ),
      );
    }

    function moreButton(list, cursor) {
      if (!cursor) return null;
      let next = cursor;
      const status = h("p", { class: "more-status", role: "status" });
      const button = h(
        "button",
        {
          type: "button",
          class: "load-more",
          dataset: { testid: "load-more" },
          onclick: async () => {
            button.disabled = true;
            delete root.dataset.ready;
            status.textContent = "Loading…";
            try {
              const page = await fetchPage(next);
              if (!ctx.isCurrent() || !list.isConnected) return;
              const items = page.items.map((item) => resultItem(item));
              list.append(...items);
              next = page.next_cursor;
              status.textContent = `${items.length} more shown.`;
              // keyboard users carry on from the first new result, not from the top
              items[0]?.querySelector("a")?.focus();
              if (next) button.disabled = false;
              else button.remove();
            } catch (error) {
              status.textContent = error instanceof ApiError ? error.message : String(error);
              button.disabled = false;
            } finally {
              if (ctx.isCurrent()) root.dataset.ready = "true";
            }
          },
        },
        "Load more",
      );
      return h("div", { class: "more" }, button, status);
    }

    function empty() {
      return h(
        "div",
        { class: "search-empty panel", dataset: { testid: "search-empty" } },
        h("p", { class: "empty-title" }, state.q ? `No article matches “${state.q}”.` : "No articles yet."),
        hasFilters(state)
          ? h(
              "p",
              null,
              "The filters may be too narrow. ",
              h("button", { type: "button", class: "link-button", onclick: clearFilters }, "Clear the filters"),
            )
          : null,
        state.q
          ? h("p", null, "Fewer words, OR between alternatives or a prefix* find more: see the query help.")
          : null,
      );
    }

    // A problem from the API. A syntax error names where the query went wrong (the
    // problem's `position`, a 1-based character), shown in the query itself.
    function showError(error) {
      if (!(error instanceof ApiError)) throw error;
      const problem = error.problem || {};
      const first = (problem.errors || [])[0];
      // a query's own problem reads best alone; any other names its parameter (the detail does)
      const message =
        (first?.field === "q" && first.message) || problem.detail || first?.message || problem.title || error.message;
      const field = { published_from: dateFrom, published_to: dateTo }[first?.field];
      field?.setAttribute("aria-invalid", "true");
      const at = Number.isInteger(problem.position) ? problem.position : null;
      let where = null;
      if (at !== null && first?.field === "q" && state.q) {
        const chars = Array.from(state.q); // characters, not UTF-16 units
        const i = Math.min(Math.max(at - 1, 0), chars.length);
        where = h(
          "p",
          { class: "error-where" },
          i < chars.length ? `At character ${at}: ` : "At the end: ",
          h(
            "code",
            { class: "query-echo" },
            chars.slice(0, i).join(""),
            h("mark", { class: "error-at" }, i < chars.length ? chars[i] : " "),
            chars.slice(i + 1).join(""),
          ),
        );
        input.setAttribute("aria-invalid", "true");
        const units = chars.slice(0, i).join("").length;
        input.setSelectionRange?.(units, units + (chars[i] || "").length);
      }
      showActive();
      facetsAside.hidden = true; // nothing to narrow down: the message takes the width
      facetsAside.parentElement.classList.add("no-facets");
      count.textContent = "";
      replace(
        results,
        h(
          "div",
          { class: "search-error panel", role: "alert", dataset: { testid: "search-error" } },
          h("p", { class: "error-title" }, problem.title || "The search failed"),
          h("p", { class: "error-message" }, message),
          where,
          error.status === 400 && first?.field === "q"
            ? h("p", null, "The query help above shows what the query language allows.")
            : null,
        ),
      );
    }

    function showFacets(facets) {
      facetsAside.hidden = false;
      facetsAside.parentElement.classList.remove("no-facets");
      if (!facets || !state.q) {
        const note = "Type a query to see how its results spread by country, source, event type and year.";
        replace(facetsBox, h("p", { class: "empty-note" }, note));
        return;
      }
      replace(
        facetsBox,
        FACETS.map(([facet, title]) => {
          const counts = facets[facet];
          if (!counts) return null;
          const id = `facet-${facet}`;
          return h(
            "section",
            { class: "facet-group", "aria-labelledby": id, dataset: { testid: "facet-group", facet } },
            h("h3", { id }, title),
            counts.values.length
              ? h(
                  "ul",
                  { class: "facet-options" },
                  counts.values.map((row) => {
                    const pressed = isActive(state, facet, row.value);
                    return h(
                      "li",
                      null,
                      h(
                        "button",
                        {
                          type: "button",
                          class: "facet-option",
                          "aria-pressed": String(pressed),
                          dataset: { testid: "facet-option", facet, value: row.value },
                          onclick: () => {
                            toggle(state, facet, row.value);
                            refresh();
                          },
                        },
                        h("span", { class: "facet-label" }, valueLabel(facet, row)),
                        h(
                          "span",
                          { class: "facet-count" },
                          h("span", { class: "visually-hidden" }, ", "),
                          String(row.count),
                        ),
                      ),
                    );
                  }),
                )
              : h("p", { class: "empty-note" }, "None."),
            counts.truncated ? h("p", { class: "facet-note" }, `The ${counts.values.length} most frequent.`) : null,
          );
        }),
      );
    }

    // What narrows the results now, each removable on its own.
    function showActive() {
      const chips = [];
      const chip = (name, value, text, remove) =>
        chips.push(
          h(
            "li",
            null,
            h(
              "button",
              {
                type: "button",
                class: "chip",
                "aria-label": `Remove ${text}`,
                dataset: { remove: name, value },
                onclick: () => {
                  remove();
                  refresh();
                },
              },
              text,
              h("span", { class: "chip-x", "aria-hidden": "true" }, " ×"),
            ),
          ),
        );
      for (const code of state.country) {
        const name = labels.get(`country:${code}`) || code;
        chip("country", code, `Country: ${name}`, () => toggle(state, "country", code));
      }
      if (state.source) chip("source", state.source, `Source: ${state.source}`, () => (state.source = ""));
      if (state.event_type) {
        const text = `Event type: ${typeLabel(state.event_type)}`;
        chip("event_type", state.event_type, text, () => (state.event_type = ""));
      }
      const year = activeYear(state);
      if (year) {
        chip("year", year, `Year: ${year}`, () => toggle(state, "year", year));
      } else {
        if (state.published_from) {
          const text = `From ${state.published_from}`;
          chip("published_from", state.published_from, text, () => (state.published_from = ""));
        }
        if (state.published_to) {
          const text = `To ${state.published_to}`;
          chip("published_to", state.published_to, text, () => (state.published_to = ""));
        }
      }
      if (!chips.length) {
        replace(active);
        active.hidden = true;
        return;
      }
      active.hidden = false;
      replace(
        active,
        h("h2", { class: "visually-hidden" }, "Active filters"),
        h(
          "ul",
          { class: "chips" },
          chips,
          chips.length > 1
            ? h("li", null, h("button", { type: "button", class: "link-button", onclick: clearFilters }, "Clear all"))
            : null,
        ),
      );
    }

    function clearFilters() {
      state.country = [];
      for (const name of FILTERS) if (name !== "country") state[name] = "";
      refresh();
    }

    // After a re-render the button that was clicked is a new node: give the focus to its
    // successor (same facet and value), else to the first of its kind, else to the query.
    function restoreFocus(was) {
      const selector = was.remove
        ? `[data-remove="${CSS.escape(was.remove)}"][data-value="${CSS.escape(was.value)}"]`
        : `[data-testid=facet-option][data-facet="${CSS.escape(was.facet)}"][data-value="${CSS.escape(was.value)}"]`;
      const fallback = was.remove ? "[data-remove]" : "[data-testid=facet-option]";
      const next = root.querySelector(selector) || root.querySelector(fallback);
      (next || input).focus({ preventScroll: true });
    }
  },
};
