// graph_view.js: a computation graph laid out once and updated in place.
//
// The SVG comes from autograd.viz.draw (Graphviz). Every node k (its index in
// autograd.topological_order(root), parents first, root last) carries stable ids:
//   node-<k>        the node's box (<g class="node">)
//   node-<k>-label  its label cell, node-<k>-data its data cell, node-<k>-grad its grad cell
//                   (Graphviz writes a cell's id as "a_node-<k>-data"; both are found)
//   op-<k>          the op that made node k (absent for a leaf)
//   edge-<k>-<i>    the edge of node k's operand i into its op; edge-<k>-out op -> box
//   fold-<k>        a folded box (draw's max_nodes), k its group's last node, whose
//                   numbers its cell fold-<k>-out shows: "out 3, grad 1"
// So one layout serves every step: a page draws the SVG once and calls updateGraph with
// a frame per step. The live page and the replay page both use this module.
//
//   import { updateGraph } from "./graph_view.js";
//   updateGraph(svgElement, frame);
//
// frame (every field optional; arrays indexed by k, or by position when `nodes` is given):
//   nodes:   [k, ...]   the node of each entry of data, grad and fill; a node not listed
//                       is left as it is (a frame of the drawn nodes only)
//   data:    [number | string | null]  the data cell's number; null: unknown, "data ?"
//   grad:    [number | string | null]  the grad cell's number; null: unknown, "grad ?"
//   changed: [k, ...]   gradients this step changed: their grad cell is outlined and bold
//   partial: [k, ...]   gradients still missing contributions: written "3 + …"
//   current: k | null   the node whose step ran: its box, op and operand edges in red
//   fill:    [colour | null]  the box's background colour (null: as drawn)
// A string is written as given (Python's format_number makes them); a number is written
// to 4 significant digits. Texts are set with textContent: nothing in a frame is HTML.
// Missing fields leave that part of the picture as it is. The ids are looked up once per
// SVG (a WeakMap keeps them), and a cell is rewritten only when its text changes: a page
// may call updateGraph dozens of times a second.

export const HIGHLIGHT_COLOUR = "#d62728";
export const CHANGED_COLOUR = "#1f77b4";
export const UNKNOWN = "?";
const UNKNOWN_COLOUR = "#888888";

export function formatNumber(x) {
  if (x === null || x === undefined) return UNKNOWN;
  if (typeof x === "string") return x;
  if (x === 0) return "0";
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const fixed = Number(x.toPrecision(4));
  const abs = Math.abs(fixed);
  if (abs >= 1e4 || abs < 1e-4) {
    // Python's %g: 1.235e+05, 1e-05
    const [mantissa, exponent] = fixed.toExponential(3).split("e");
    const m = mantissa.replace(/\.?0+$/, "");
    const e = Number(exponent);
    return `${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return String(fixed);
}

function byId(svg, id) {
  return svg.querySelector(`[id="${id}"], [id="a_${id}"]`);
}

function remember(element, attribute) {
  const key = `data-original-${attribute}`;
  if (!element.hasAttribute(key)) element.setAttribute(key, element.getAttribute(attribute) ?? "");
  return element.getAttribute(key);
}

function setAttr(element, attribute, value) {
  const original = remember(element, attribute);
  const next = value ?? original;
  if (next === "") element.removeAttribute(attribute);
  else element.setAttribute(attribute, next);
}

// The drawing's ids, looked up once per SVG (a page updates the same SVG many times a
// second: one querySelector per node per frame cost the live page most of its time).
// node k -> {box, data, grad, fold}: the cells found in the drawing. A folded box
// (`fold-<k>`, k its group's last node) has one cell `fold-<k>-out`, "out 3, grad 1".
const INDEXES = new WeakMap();
const ID = /^(?:a_)?(node|fold|op|edge)-(\d+)(?:-([a-z]+|\d+))?$/;

function graphIndex(svg) {
  let index = INDEXES.get(svg);
  if (index) return index;
  index = { nodes: new Map(), current: undefined };
  const entry = (k) => {
    let e = index.nodes.get(k);
    if (!e) { e = { k, box: null, op: null, edges: [], cells: {} }; index.nodes.set(k, e); }
    return e;
  };
  for (const el of svg.querySelectorAll("[id]")) {
    const m = ID.exec(el.id);
    if (!m) continue;
    const [, kind, number, part] = m;
    const e = entry(Number(number));
    if (kind === "op") e.op = el;
    else if (kind === "edge") { if (part !== "out") e.edges.push(el); }
    else if (part === undefined) { e.box = el; e.folded = kind === "fold"; }
    else if (kind === "fold" && part === "out") e.cells.out = cellOf(el);
    else if (kind === "node") e.cells[part] = cellOf(el);
  }
  for (const [k, e] of index.nodes) if (!e.box) index.nodes.delete(k);  // an edge's end only
  index.keys = [...index.nodes.keys()].sort((a, b) => a - b);
  INDEXES.set(svg, index);
  return index;
}

function cellOf(group) {
  const polygons = group.querySelectorAll("polygon");
  return { text: group.querySelector("text"), border: polygons[polygons.length - 1] || null,
    written: null, marked: null };
}

function writeCell(cell, label, value, suffix, marked) {
  if (!cell) return;
  const unknown = value === null;
  const text = `${label} ${formatNumber(value)}${unknown ? "" : suffix}`;
  if (cell.text && text !== cell.written) {
    cell.text.textContent = text;
    if (unknown !== cell.unknown) {
      setAttr(cell.text, "fill", unknown ? UNKNOWN_COLOUR : null);
      setAttr(cell.text, "font-style", unknown ? "italic" : null);
      cell.unknown = unknown;
    }
  }
  cell.written = text;
  if (marked !== cell.marked) {
    if (cell.text) setAttr(cell.text, "font-weight", marked ? "bold" : null);
    if (cell.border) {
      setAttr(cell.border, "stroke", marked ? CHANGED_COLOUR : null);
      setAttr(cell.border, "stroke-width", marked ? "2.5" : null);
    }
    cell.marked = marked;
  }
}

function markCurrent(e, on) {
  if (!e) return;
  if (e.box && !e.folded) {
    const frame = e.box.querySelector(':scope > polygon[stroke-width="3"]');
    if (frame) setAttr(frame, "stroke", on ? HIGHLIGHT_COLOUR : null);
  }
  if (e.op) {
    for (const shape of e.op.querySelectorAll("ellipse, polygon")) {
      setAttr(shape, "stroke", on ? HIGHLIGHT_COLOUR : null);
      setAttr(shape, "stroke-width", on ? "3" : null);
    }
  }
  for (const edge of e.edges) {
    for (const shape of edge.querySelectorAll("path, polygon")) {
      setAttr(shape, "stroke", on ? HIGHLIGHT_COLOUR : null);
      setAttr(shape, "stroke-width", on ? "2" : null);
    }
  }
}

// The node indices the drawing shows (a box or a folded box each), in order.
export function shownNodes(svg) {
  return graphIndex(svg).keys;
}

// One past the largest node index the drawing shows.
export function nodeCount(svg) {
  const keys = graphIndex(svg).keys;
  return keys.length ? keys[keys.length - 1] + 1 : 0;
}

// frame.nodes, when given, lists the node index of each entry of data, grad and fill
// (a frame of the shown nodes only); without it those arrays are indexed by k.
export function updateGraph(svg, frame) {
  const index = graphIndex(svg);
  const changed = new Set(frame.changed || []);
  const partial = new Set(frame.partial || []);
  const at = frame.nodes ? new Map(frame.nodes.map((k, i) => [k, i])) : null;
  const pick = (values, k) => {
    if (!values) return undefined;
    const i = at ? at.get(k) : k;
    return i === undefined ? null : (values[i] ?? null);
  };
  for (const k of index.keys) {
    const e = index.nodes.get(k);
    const data = pick(frame.data, k);
    const grad = pick(frame.grad, k);
    const marked = changed.has(k);
    if (e.folded) {
      if (frame.data || frame.grad) {
        const d = data === undefined ? e.lastData ?? null : data;
        const g = grad === undefined ? e.lastGrad ?? null : grad;
        e.lastData = d;
        e.lastGrad = g;
        const text = `${formatNumber(d)}, grad ${formatNumber(g)}${partial.has(k) ? " + …" : ""}`;
        writeCell(e.cells.out, "out", text, "", marked);
      }
    } else {
      if (data !== undefined) writeCell(e.cells.data, "data", data, "", false);
      if (grad !== undefined) writeCell(e.cells.grad, "grad", grad, partial.has(k) ? " + …" : "", marked);
    }
    if (frame.fill) {
      const background = e.box.querySelector(":scope > polygon");
      if (background) setAttr(background, "fill", pick(frame.fill, k) ?? null);
    }
  }
  if ("current" in frame) {
    if (index.current === undefined) {
      for (const e of index.nodes.values()) markCurrent(e, false);  // as drawn, once
    } else if (index.current !== frame.current) {
      markCurrent(index.nodes.get(index.current), false);
    }
    if (frame.current !== null && frame.current !== undefined) markCurrent(index.nodes.get(frame.current), true);
    index.current = frame.current;
  }
}

// --- the network picture (nn.draw_network) ----------------------------------------------
// ids: input-<i>, neuron-<l>-<j>, weight-<l>-<j>-<i> (see nn/draw.py). A frame, as
// nn.draw.network_frame(model, x, show) makes it (every field optional):
//   values: [[column 0: the inputs], [layer 0's neurons], ...]  numbers or strings, null: "?"
//           (the circles show a value only when the network was drawn with an x)
//   edges:  [[l, j, i, colour, width], ...]  each weight's edge: its stroke and width (pt)

export function updateNetwork(svg, frame) {
  (frame.values || []).forEach((column, c) => {
    column.forEach((value, j) => {
      const id = c === 0 ? `input-${j}` : `neuron-${c - 1}-${j}`;
      const node = byId(svg, id);
      if (!node) return;
      const texts = node.querySelectorAll("text");
      const last = texts[texts.length - 1];
      if (last && texts.length > (c === 0 ? 1 : 2)) last.textContent = formatNumber(value);
    });
  });
  for (const [l, j, i, colour, width] of frame.edges || []) {
    const edge = byId(svg, `weight-${l}-${j}-${i}`);
    if (!edge) continue;
    for (const path of edge.querySelectorAll("path")) {
      const [stroke, opacity] = splitColour(colour);
      path.setAttribute("stroke", stroke);
      if (opacity === null) path.removeAttribute("stroke-opacity");
      else path.setAttribute("stroke-opacity", opacity);
      path.setAttribute("stroke-width", String(width));
    }
  }
}

// Graphviz writes "#2166acb0" as stroke="#2166ac" stroke-opacity="0.690196".
function splitColour(colour) {
  if (/^#[0-9a-fA-F]{8}$/.test(colour)) {
    return [colour.slice(0, 7), String(parseInt(colour.slice(7), 16) / 255)];
  }
  return [colour, null];
}
