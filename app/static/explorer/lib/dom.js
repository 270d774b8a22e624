// Element builders. Strings (and numbers) become TEXT nodes, never markup: nothing the API
// returns is ever parsed as HTML on these pages.
//
//   h("a", {href: "/explore/articles/3", class: "title", dataset: {testid: "result"}}, "Title")
//
// props: `class` (string or array, falsy parts dropped), `dataset` (data-* attributes),
// `style` (an object, set through the CSSOM: the CSP allows no inline style attribute),
// `on<event>` functions (listeners), `text`, and any other attribute (true sets it empty,
// false/null/undefined leaves it out). Children: nodes, strings, numbers, arrays, or null.

const SVG_NS = "http://www.w3.org/2000/svg";

function apply(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") {
      const names = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
      if (names) el.setAttribute("class", names);
    } else if (key === "dataset") {
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined && v !== null) el.dataset[k] = String(v);
      }
    } else if (key === "style") {
      for (const [k, v] of Object.entries(value)) {
        if (k.startsWith("--")) el.style.setProperty(k, String(v));
        else el.style[k] = v;
      }
    } else if (key === "text") {
      el.textContent = String(value);
    } else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
}

export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  return append(el, ...children);
}

export function svg(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  return append(el, ...children);
}

// Empty a node and fill it again.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, ...children);
}

// A fragment of children (for helpers that return several nodes).
export function fragment(...children) {
  return append(document.createDocumentFragment(), ...children);
}
