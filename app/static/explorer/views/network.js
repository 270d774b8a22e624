// The network (/explore/network): states, and on request people and organisations, linked by
// the happenings (or reports) they share, from one call to /v1/graph. The graph is drawn by
// Cytoscape.js (vendored, loaded here only, by dynamic import); clicking an edge between two
// states opens that pair, a node its page. The same edges are listed as links below it: the
// graph's accessible alternative, and the way in from the keyboard.

import { h, replace } from "../lib/dom.js";
import { loadRelationStyles, pairPath, plural, section } from "../lib/relations.js";
import { useStylesheet } from "../lib/stylesheet.js";

// Cytoscape adds a <style> element unless one with this id exists; the CSP would refuse it,
// so network.css (which holds its one rule) is linked under that id first.
const CYTOSCAPE_SHEET_ID = "__________cytoscape_stylesheet";
const LIMIT = 150;

const KINDS = [
  ["people", "person", "People"],
  ["orgs", "organization", "Organisations"],
];

function settings(query) {
  return {
    people: query.get("people") === "1",
    orgs: query.get("orgs") === "1",
    count: query.get("count") === "reports" ? "reports" : "happenings",
  };
}

function graphParams(state) {
  const kinds = ["country", ...KINDS.filter(([flag]) => state[flag]).map(([, kind]) => kind)];
  return { kinds: kinds.join(","), limit: LIMIT, count: state.count === "reports" ? "reports" : null };
}

// Where a node or an edge leads: two states to their pair, anything else to its entity
// (the non-state end of an edge, since the state's own page is one click further).
function nodeHref(ctx, node) {
  return node.kind === "country" && node.code
    ? ctx.link(`/explore/countries/${node.code}`)
    : ctx.link(`/explore/entities/${node.entity_id}`);
}

function edgeHref(ctx, source, target) {
  if (source.kind === "country" && target.kind === "country" && source.code && target.code) {
    return ctx.link(pairPath(source.code, target.code));
  }
  return nodeHref(ctx, source.kind === "country" ? target : source);
}

// Colours from network.css's custom properties, so the canvas follows the colour scheme.
function palette() {
  const css = getComputedStyle(document.documentElement);
  const get = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return {
    country: get("--net-country", "#1f6fb2"),
    person: get("--net-person", "#b35900"),
    organization: get("--net-org", "#2e7d32"),
    edge: get("--net-edge", "#8a8f98"),
    label: get("--net-label", "#1a1a1a"),
    halo: get("--net-halo", "#ffffff"),
    active: get("--net-active", "#c62828"),
  };
}

function cyStyle(maxNode, maxEdge) {
  const c = palette();
  return [
    {
      selector: "node",
      style: {
        "background-color": (n) => c[n.data("kind")] || c.country,
        label: "data(label)",
        color: c.label,
        "font-size": 11,
        "text-outline-color": c.halo,
        "text-outline-width": 2,
        "text-valign": "bottom",
        "text-margin-y": 3,
        width: (n) => 12 + 28 * Math.sqrt(n.data("weight") / maxNode),
        height: (n) => 12 + 28 * Math.sqrt(n.data("weight") / maxNode),
      },
    },
    { selector: "node[kind != 'country']", style: { shape: "round-rectangle" } },
    {
      selector: "edge",
      style: {
        "line-color": c.edge,
        width: (e) => 1 + 7 * (e.data("weight") / maxEdge),
        "curve-style": "bezier",
        opacity: 0.8,
      },
    },
    { selector: "edge:active, edge.hover", style: { "line-color": c.active, opacity: 1 } },
    { selector: "node.hover", style: { "border-width": 3, "border-color": c.active } },
  ];
}

function edgeList(ctx, graph, byId, unit) {
  if (!graph.edges.length) return h("p", { class: "empty-note", dataset: { testid: "empty" } }, "No links to show.");
  return h(
    "ol",
    { class: "edge-list", dataset: { testid: "network-edges" } },
    graph.edges.map((edge) => {
      const s = byId.get(edge.source);
      const t = byId.get(edge.target);
      return h(
        "li",
        null,
        h(
          "a",
          { href: edgeHref(ctx, s, t), dataset: { testid: "edge-link", source: s.code || s.id, target: t.code || t.id } },
          `${s.label} – ${t.label}`,
        ),
        h("span", { class: "count" }, ` · ${plural(edge.weight, unit)}`),
      );
    }),
  );
}

function controls(state, onChange) {
  const box = ([flag, , label]) =>
    h(
      "label",
      { class: "check" },
      h("input", { type: "checkbox", name: flag, checked: state[flag], onchange: onChange }),
      ` ${label}`,
    );
  return h(
    "form",
    { class: "network-controls", "aria-label": "What the network shows", onsubmit: (e) => e.preventDefault() },
    h("fieldset", null, h("legend", null, "Also show"), KINDS.map(box)),
    h(
      "label",
      null,
      "Count ",
      h(
        "select",
        { name: "count", onchange: onChange },
        h("option", { value: "happenings", selected: state.count === "happenings" }, "shared happenings"),
        h("option", { value: "reports", selected: state.count === "reports" }, "shared reports (events)"),
      ),
    ),
  );
}

export default {
  title: () => "Network",

  async render(root, params, ctx) {
    const state = settings(params.query);
    const container = h("div", {
      class: "network-graph",
      dataset: { testid: "network-graph" },
      role: "img",
      "aria-label": "Graph of the links between states; the same links are listed below it.",
    });
    const listHolder = h("div", { class: "edges-holder" });
    const summary = h("p", { class: "lede", role: "status" });
    let cy = null;

    const load = async () => {
      const [graph, cytoscape] = await Promise.all([
        ctx.api.get("/v1/graph", graphParams(state)),
        import("../vendor/cytoscape/cytoscape.esm.min.js").then((m) => m.default),
        useStylesheet(new URL("./network.css", import.meta.url), { id: CYTOSCAPE_SHEET_ID }),
        loadRelationStyles(),
      ]);
      if (ctx.isCurrent && !ctx.isCurrent()) return;
      const unit = state.count === "reports" ? "reports" : "happenings";
      const byId = new Map(graph.nodes.map((n) => [n.id, n]));
      summary.textContent = `${graph.nodes.length} nodes and ${graph.edges.length} links (shared ${unit}; the ${LIMIT} heaviest at most).`;
      replace(listHolder, edgeList(ctx, graph, byId, unit));
      if (cy) cy.destroy();
      const maxNode = Math.max(1, ...graph.nodes.map((n) => n.weight));
      const maxEdge = Math.max(1, ...graph.edges.map((e) => e.weight));
      cy = cytoscape({
        container,
        elements: [
          ...graph.nodes.map((n) => ({ group: "nodes", data: { ...n } })),
          ...graph.edges.map((e) => ({ group: "edges", data: { ...e } })),
        ],
        style: cyStyle(maxNode, maxEdge),
        layout: { name: "cose", animate: false, randomize: true, nodeDimensionsIncludeLabels: true, padding: 20 },
        minZoom: 0.2,
        maxZoom: 4,
      });
      cy.on("tap", "edge", (event) => {
        const edge = event.target;
        ctx.navigate(edgeHref(ctx, byId.get(edge.data("source")), byId.get(edge.data("target"))));
      });
      cy.on("tap", "node", (event) => ctx.navigate(nodeHref(ctx, event.target.data())));
      cy.on("mouseover", "node, edge", (event) => {
        event.target.addClass("hover");
        container.classList.add("pointing");
      });
      cy.on("mouseout", "node, edge", (event) => {
        event.target.removeClass("hover");
        container.classList.remove("pointing");
      });
      container.cy = cy; // the browser tests find an edge's rendered midpoint through it
    };

    const onChange = async (event) => {
      const form = event.target.form;
      state.people = form.elements.people.checked;
      state.orgs = form.elements.orgs.checked;
      state.count = form.elements.count.value;
      ctx.replaceQuery({
        people: state.people ? "1" : null,
        orgs: state.orgs ? "1" : null,
        count: state.count === "reports" ? "reports" : null,
      });
      delete root.dataset.ready;
      try {
        await load();
      } catch (error) {
        summary.textContent = error.message;
      }
      root.dataset.ready = "true";
    };

    replace(
      root,
      h(
        "header",
        { class: "view-head" },
        h("p", { class: "kicker" }, "Network"),
        h("h1", null, "Who works with whom"),
        summary,
        controls(state, onChange),
      ),
      h("div", { class: "network-wrap" }, container),
      h(
        "ul",
        { class: "chart-legend node-legend", "aria-label": "Nodes" },
        h("li", null, h("span", { class: "node-key state", "aria-hidden": "true" }), "State"),
        h("li", null, h("span", { class: "node-key person", "aria-hidden": "true" }), "Person"),
        h("li", null, h("span", { class: "node-key org", "aria-hidden": "true" }), "Organisation"),
        h("li", null, "Line width: how much the two share"),
      ),
      section("Links", listHolder),
    );
    // the scheme can change while the page is open: the canvas takes the new colours
    const scheme = matchMedia("(prefers-color-scheme: dark)");
    const recolour = () => {
      if (!root.isConnected) return scheme.removeEventListener("change", recolour);
      if (cy) cy.style(cyStyle(Math.max(1, ...cy.nodes().map((n) => n.data("weight"))), Math.max(1, ...cy.edges().map((e) => e.data("weight")))));
    };
    scheme.addEventListener("change", recolour);
    await load();
  },
};
