// "Down to the chain rule": a clicked sample's loss graph (the engine's own, drawn by
// autograd.viz on the server, laid out once and updated in place through graph_view.js),
// a node's chain rule with today's numbers, and the backward pass walked node by node.
// The graph shows the path from the loss back: the output layer node by node, earlier
// layers folded; a click on a folded box unfolds it (the server draws it again).
import { h } from "./controls.js";
import { formatNumber, updateGraph } from "./autograd/graph_view.js";

const READABLE = 0.7;  // the smallest scale at which the graph's 11 pt text still reads

export class ChainPanel {
  constructor(send) {
    this.send = send;
    this.svg = null;
    this.selected = null;
    this.replay = null;
    this.replayAt = 0;
    this.live = null;  // the last frame's numbers, for "Live" after a replay
    this.fitted = true;
    this.graphBox = h("div", { class: "graph", "aria-label": "sample graph" },
      h("p", { class: "hint" }, "Click a point on the plane: its loss's graph, the engine's own, updated in place every step."));
    this.about = h("p", { class: "hint" }, "");
    this.explainBox = h("div", { class: "explain", "aria-label": "chain rule" }, "");
    this.caption = h("p", { class: "caption", "aria-label": "backward step" }, "");
    const bar = h("div", { class: "replay" },
      h("button", { type: "button", onclick: () => send({ type: "replay" }) }, "Backward pass, step by step"),
      h("button", { type: "button", "aria-label": "previous backward step", onclick: () => this.replayTo(this.replayAt - 1) }, "◀"),
      h("button", { type: "button", "aria-label": "next backward step", onclick: () => this.replayTo(this.replayAt + 1) }, "▶"),
      h("button", { type: "button", onclick: () => this.endReplay() }, "Live"),
      h("button", { type: "button", onclick: () => send({ type: "unfold", node: null }), title: "back to the path from the loss" }, "Fold"),
      h("button", { type: "button", onclick: () => this.fit(!this.fitted), title: "the whole graph, or readable size" }, "Zoom"),
      this.caption);
    this.el = h("section", { class: "panel chain" }, h("h2", {}, "Down to the chain rule"), bar, this.about, this.graphBox, this.explainBox);
  }

  // A "graph" message: the drawing, laid out once.
  show(m, setup) {
    this.replay = null;
    this.caption.textContent = "";
    this.explainBox.replaceChildren();
    if (m.sample === null || m.sample === undefined) {
      this.selected = null;
      this.svg = null;
      this.about.textContent = "";
      this.graphBox.replaceChildren(h("p", { class: "hint" }, "Click a point on the plane."));
      return;
    }
    this.selected = m.sample;
    this.nodes = m.nodes;
    this.count = m.count;
    this.graphBox.innerHTML = m.svg;  // the server's own drawing (autograd.viz escapes every label)
    this.svg = this.graphBox.querySelector("svg");
    const [x, y, k] = setup.train[m.sample];
    const folded = m.folded.length;
    this.about.textContent = `Sample ${m.sample} at (${formatNumber(x)}, ${formatNumber(y)}), class ${k}: ` +
      `${m.count} nodes, ${m.nodes.length - folded} drawn as themselves and ${folded} folded box${folded === 1 ? "" : "es"} ` +
      "(click one to unfold it). Click a node for its chain rule.";
    // Graphviz writes the size in points; the panel measures pixels (4/3 of a point).
    const px = (attr) => parseFloat(attr) * (String(attr).endsWith("pt") ? 4 / 3 : 1);
    this.size = [px(this.svg.getAttribute("width")), px(this.svg.getAttribute("height"))];
    this.fit(this.fitted);
    const foldedSet = new Set(m.folded);
    for (const node of this.svg.querySelectorAll("g.node[id]")) {
      const match = /^(node|fold)-(\d+)$/.exec(node.id);
      if (!match) continue;
      const index = Number(match[2]);
      node.addEventListener("click", () => this.send(foldedSet.has(index) ? { type: "unfold", node: index } : { type: "explain", node: index }));
    }
  }

  // Fitted: as wide as the panel, but never below a readable scale (then it scrolls, the
  // loss's end in view); else the drawing's own size.
  fit(fitted) {
    this.fitted = fitted;
    if (!this.svg) return;
    const [w, hgt] = this.size;
    const room = this.graphBox.clientWidth || w;
    const scale = fitted ? Math.max(Math.min(1, room / w), READABLE) : Math.min(1, room / w);
    this.svg.setAttribute("width", `${Math.round(w * scale)}px`);
    this.svg.setAttribute("height", `${Math.round(hgt * scale)}px`);
    // The loss (the last node) in view: where a teacher starts the backward pass.
    const root = this.svg.querySelector(`[id="node-${this.count - 1}"]`);
    if (root) {
      const a = root.getBoundingClientRect();
      const b = this.graphBox.getBoundingClientRect();
      this.graphBox.scrollLeft += a.right - b.right + 12;
      this.graphBox.scrollTop += (a.top + a.bottom) / 2 - (b.top + b.bottom) / 2;
    }
  }

  // A frame's numbers (the shown nodes', in `nodes` order).
  update(graph) {
    this.live = graph;
    if (this.svg && this.replay === null && graph.sample === this.selected) {
      updateGraph(this.svg, { data: graph.data, grad: graph.grad, nodes: this.nodes });
    }
  }

  explain(m) {
    for (const node of this.graphBox.querySelectorAll("g.explained")) node.classList.remove("explained");
    const node = this.svg && this.svg.querySelector(`[id="node-${m.node}"]`);
    if (node) node.classList.add("explained");
    this.explainBox.replaceChildren(
      h("h3", {}, `∂L/∂${m.name}`),
      h("pre", {}, m.lines.join("\n")),
      h("table", {}, h("thead", {}, h("tr", {}, ...["through", "upstream ∂L/∂consumer", "local", "product"].map((t) => h("th", {}, t)))),
        h("tbody", {}, ...m.terms.map((t) => h("tr", {}, h("td", {}, t.consumer_name), h("td", {}, formatNumber(t.upstream)), h("td", {}, formatNumber(t.local)), h("td", {}, formatNumber(t.contribution)))),
          h("tr", { class: "sum" }, h("td", {}, "sum"), h("td", {}), h("td", {}), h("td", {}, formatNumber(m.total))))),
    );
  }

  startReplay(m) {
    this.replay = m;
    this.replayTo(0);
  }

  replayTo(at) {
    const m = this.replay;
    if (!m || !this.svg) return;
    at = Math.max(0, Math.min(m.steps.length - 1, at));
    this.replayAt = at;
    // The gradients known after `at` steps: the replay page's picture, in place.
    const grad = new Array(m.count).fill(null);
    const partial = new Set();
    for (let s = 0; s <= at; s++) {
      for (const [k, g, isPartial] of m.steps[s].changed) {
        grad[k] = g;
        if (isPartial) partial.add(k); else partial.delete(k);
      }
    }
    const changed = m.steps[at].changed.map(([k]) => k);
    updateGraph(this.svg, { grad, changed, partial: [...partial], current: m.steps[at].current });
    this.caption.textContent = m.steps[at].caption;
  }

  endReplay() {
    this.replay = null;
    this.caption.textContent = "";
    if (this.svg && this.live) {
      updateGraph(this.svg, { data: this.live.data, grad: this.live.grad, nodes: this.nodes, changed: [], partial: [], current: null });
    }
  }
}
