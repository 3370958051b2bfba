// The parameter table: every parameter's value, gradient, optimizer state (SGD's momentum
// buffer, or Adam's m and v) and last update. 337 rows of 6 cells for the moons network:
// rewritten at most twice a second, and only the cells whose text changed.
import { h } from "./controls.js";
import { rgb, signColour } from "./draw.js";
import { formatNumber } from "./autograd/graph_view.js";

const EVERY_MS = 500;

export class ParameterTable {
  constructor() {
    this.head = h("thead");
    this.body = h("tbody");
    this.el = h("section", { class: "panel table" }, h("h2", {}, "Parameters"),
      h("div", { class: "scroll" }, h("table", { "aria-label": "parameters" }, this.head, this.body)));
    this.cells = [];
    this.last = -Infinity;
    this.stale = false;
  }

  build(setup) {
    this.columns = setup.config.optimizer === "adam" ? ["m", "v"] : ["momentum"];
    this.head.replaceChildren(h("tr", {}, ...["parameter", "value", "grad", ...this.columns, "last update"].map((t) => h("th", {}, t))));
    const rows = [];
    this.cells = setup.labels.map((label) => {
      const row = [0, 1, ...this.columns.map(() => 0), 2].map(() => h("td", {}, ""));
      rows.push(h("tr", {}, h("td", {}, label), ...row));
      return row.map((td) => ({ td, text: null, colour: null }));
    });
    this.body.replaceChildren(...rows);
    this.last = -Infinity;
  }

  // A frame's numbers; `force`: now, whatever the time (a paused page's last frame).
  // Whether it wrote (false: throttled, `stale` until the next time).
  update(frame, now, force) {
    this.stale = true;
    if (!force && now - this.last < EVERY_MS) return false;
    this.last = now;
    this.stale = false;
    // The optimizer's columns come with the maps, from another thread: until the first of
    // those arrives, a frame has values and gradients only.
    const table = frame.table || {};
    const cols = [frame.values, frame.grads, ...this.columns.map((k) => table[k]), table.update];
    for (let i = 0; i < this.cells.length; i++) {
      const row = this.cells[i];
      for (let c = 0; c < cols.length; c++) {
        const v = cols[c] ? cols[c][i] : null;
        const cell = row[c];
        const text = formatNumber(v);
        if (text !== cell.text) { cell.td.textContent = text; cell.text = text; }
        if (c === 1) {
          const colour = rgb(signColour(Math.tanh(v * 5)), 0.5);
          if (colour !== cell.colour) { cell.td.style.background = colour; cell.colour = colour; }
        }
      }
    }
    return true;
  }
}
