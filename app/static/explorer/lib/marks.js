// The API's snippets and highlighted titles are HTML-escaped text with <mark>..</mark> around
// the matched words. marked(snippet) splits on the marks, unescapes the entities of each part
// and builds TEXT nodes (in <mark> elements for the matches): never innerHTML of data.

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'", "#x27": "'" };

export function unescape(text) {
  return text.replace(/&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);/g, (whole, name) => {
    if (name in ENTITIES) return ENTITIES[name];
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return whole;
  });
}

export function marked(snippet, { pre = "<mark>", post = "</mark>" } = {}) {
  const out = document.createDocumentFragment();
  let rest = String(snippet ?? "");
  while (rest) {
    const start = rest.indexOf(pre);
    const end = start < 0 ? -1 : rest.indexOf(post, start + pre.length);
    if (start < 0 || end < 0) {
      out.append(document.createTextNode(unescape(rest)));
      break;
    }
    if (start > 0) out.append(document.createTextNode(unescape(rest.slice(0, start))));
    const mark = document.createElement("mark");
    mark.textContent = unescape(rest.slice(start + pre.length, end));
    out.append(mark);
    rest = rest.slice(end + post.length);
  }
  return out;
}

// Spans of a text by offsets (the API's mentions and evidence sentences): ranged(text, ranges)
// builds the text as TEXT nodes, each range wrapped in the element its make() returns. The
// API counts offsets in Unicode code points (Python's str), the DOM in UTF-16 units: an
// emoji or a CJK extension character before a mention would shift every highlight after it,
// so the offsets are converted here unless { units: "utf16" } says they already are.
//
//   ranged(body, [{ start: 0, end: 5, make: () => h("span", { class: "mention" }) }])
//
// Ranges may nest (an organisation's name holding its state's): the longer one is outside.
// One that crosses another's end is cut there and goes on after it, so every character of
// every range stays highlighted and the nodes stay a tree. Ranges without offsets, empty,
// reversed or past the text's end are left out.

// A function from a code point offset to a UTF-16 offset in text (the identity when the
// text has no surrogate pairs, which is nearly always).
export function codeUnits(text) {
  const value = String(text ?? "");
  if (!/[\uD800-\uDFFF]/.test(value)) return (offset) => offset;
  const units = [0];
  for (const ch of value) units.push(units[units.length - 1] + ch.length);
  return (offset) => units[Math.min(Math.max(offset, 0), units.length - 1)];
}

// A UTF-16 offset (String.indexOf's) as a code point offset (the API's).
export function codePoints(text, unitOffset) {
  return [...String(text).slice(0, unitOffset)].length;
}

export function ranged(text, ranges, { units = "codepoints" } = {}) {
  const value = String(text ?? "");
  const toUnit = units === "utf16" ? (offset) => offset : codeUnits(value);
  const pending = [];
  (ranges || []).forEach((range, order) => {
    if (range.start == null || range.end == null) return;
    const start = toUnit(range.start);
    const end = Math.min(toUnit(range.end), value.length);
    if (!(start >= 0 && end > start)) return;
    pending.push({ start, end, make: range.make, order });
  });
  // outer first: by start, then the longer, then as given (an evidence sentence given before
  // the mentions it holds stays outside them when they are the same length)
  const before = (a, b) => a.start - b.start || b.end - a.end || a.order - b.order;
  pending.sort(before);

  const out = document.createDocumentFragment();
  const stack = [{ end: value.length, el: out }];
  let pos = 0;
  const top = () => stack[stack.length - 1];
  const flush = (el, until) => {
    if (until > pos) el.append(document.createTextNode(value.slice(pos, until)));
    pos = Math.max(pos, until);
  };
  const close = () => {
    const done = stack.pop();
    flush(done.el, done.end);
  };

  while (pending.length) {
    const range = pending.shift();
    while (stack.length > 1 && top().end <= range.start) close();
    if (range.end > top().end) {
      // crosses the open range's end: the rest goes on after it, in order
      const rest = { ...range, start: top().end };
      range.end = top().end;
      const at = pending.findIndex((other) => before(rest, other) < 0);
      pending.splice(at < 0 ? pending.length : at, 0, rest);
      if (range.end <= range.start) continue;
    }
    flush(top().el, range.start);
    const el = range.make();
    top().el.append(el);
    stack.push({ end: range.end, el });
  }
  while (stack.length > 1) close();
  flush(out, value.length);
  return out;
}

// Mentions by kind: the taxonomy's entity kinds (/v1/taxonomy), in its order, each with the
// class explorer.css colours it by (a kind the taxonomy gains later is drawn as kind-other).
export const ENTITY_KINDS = [
  ["country", "Country"],
  ["person", "Person"],
  ["organization", "Organisation"],
  ["location", "Location"],
  ["agreement", "Agreement"],
  ["equipment", "Equipment"],
];
const KIND_LABELS = new Map(ENTITY_KINDS);
export const kindLabel = (kind) => KIND_LABELS.get(kind) || String(kind).replaceAll("_", " ");
export const kindClass = (kind) => (KIND_LABELS.has(kind) ? `kind-${kind}` : "kind-other");

// One mention's element: <span class="mention kind-person" data-testid="mention"
// data-kind="person" title="Person: Marek Sadowski">.
export function mentionMark(kind, name) {
  const span = document.createElement("span");
  span.className = `mention ${kindClass(kind)}`;
  span.dataset.testid = "mention";
  span.dataset.kind = kind;
  if (name) span.title = `${kindLabel(kind)}: ${name}`;
  return span;
}

// A text with its mentions ([{start, end, kind, name}], code point offsets) highlighted;
// `more` are further ranges for ranged() (an evidence sentence) that stay whole, one element
// each: a mention crossing one's edge is cut there instead (and one of the same length is
// put inside it).
export function mentioned(text, mentions, more = []) {
  const edges = more.flatMap((r) => [r.start, r.end]).filter((x) => x != null);
  const marks = [];
  for (const m of mentions || []) {
    if (m.start == null || m.end == null) continue;
    const cuts = [m.start, ...edges.filter((x) => x > m.start && x < m.end).sort((x, y) => x - y), m.end];
    for (let i = 0; i + 1 < cuts.length; i++) {
      marks.push({ start: cuts[i], end: cuts[i + 1], make: () => mentionMark(m.kind, m.name) });
    }
  }
  return ranged(text, [...more, ...marks]);
}
