// graph_view.js: a computation graph laid out once and updated in place.
//
// The SVG comes from autograd.viz.draw (Graphviz). Every node k (its index in
// autograd.topological_order(root), parents first, root last) carries stable ids:
//   node-<k>        the node's box (<g class="node">)
//   node-<k>-label  its label cell, node-<k>-data its data cell, node-<k>-grad its grad cell
//                   (Graphviz writes a cell's id as "a_node-<k>-data"; both are found)
//   op-<k>          the op that made node k (absent for a leaf)
//   edge-<k>-<i>    the edge of node k's operand i into its op; edge-<k>-out op -> box
// So one layout serves every step: a page draws the SVG once and calls updateGraph with
// a frame per step. The live page and the replay page both use this module.
//
//   import { updateGraph } from "./graph_view.js";
//   updateGraph(svgElement, frame);
//
// frame (every field optional; arrays indexed by k):
//   data:    [number | string | null]  the data cell's number; null: unknown, "data ?"
//   grad:    [number | string | null]  the grad cell's number; null: unknown, "grad ?"
//   changed: [k, ...]   gradients this step changed: their grad cell is outlined and bold
//   partial: [k, ...]   gradients still missing contributions: written "3 + …"
//   current: k | null   the node whose step ran: its box, op and operand edges in red
//   fill:    [colour | null]  the box's background colour (null: as drawn)
// A string is written as given (Python's format_number makes them); a number is written
// to 4 significant digits. Texts are set with textContent: nothing in a frame is HTML.
// Missing fields leave that part of the picture as it is.

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

function setCell(svg, k, cell, value, suffix, marked) {
  const group = byId(svg, `node-${k}-${cell}`);
  if (!group) return;
  const text = group.querySelector("text");
  if (text) {
    text.textContent = `${cell} ${formatNumber(value)}${value === null ? "" : suffix}`;
    setAttr(text, "fill", value === null ? UNKNOWN_COLOUR : null);
    setAttr(text, "font-style", value === null ? "italic" : null);
    setAttr(text, "font-weight", marked ? "bold" : null);
  }
  const polygons = group.querySelectorAll("polygon");
  const border = polygons[polygons.length - 1];
  if (border) {
    setAttr(border, "stroke", marked ? CHANGED_COLOUR : null);
    setAttr(border, "stroke-width", marked ? "2.5" : null);
  }
}

function markCurrent(svg, k, on) {
  const box = byId(svg, `node-${k}`);
  if (box) {
    const frame = box.querySelector(':scope > polygon[stroke-width="3"]');
    if (frame) setAttr(frame, "stroke", on ? HIGHLIGHT_COLOUR : null);
  }
  const op = byId(svg, `op-${k}`);
  if (op) {
    for (const shape of op.querySelectorAll("ellipse, polygon")) {
      setAttr(shape, "stroke", on ? HIGHLIGHT_COLOUR : null);
      setAttr(shape, "stroke-width", on ? "3" : null);
    }
  }
  for (const edge of svg.querySelectorAll(`g.edge[id^="edge-${k}-"]`)) {
    if (edge.id === `edge-${k}-out`) continue;
    for (const shape of edge.querySelectorAll("path, polygon")) {
      setAttr(shape, "stroke", on ? HIGHLIGHT_COLOUR : null);
      setAttr(shape, "stroke-width", on ? "2" : null);
    }
  }
}

export function nodeCount(svg) {
  let k = 0;
  while (byId(svg, `node-${k}`)) k += 1;
  return k;
}

export function updateGraph(svg, frame) {
  const count = nodeCount(svg);
  const changed = new Set(frame.changed || []);
  const partial = new Set(frame.partial || []);
  for (let k = 0; k < count; k += 1) {
    if (frame.data) setCell(svg, k, "data", frame.data[k] ?? null, "", false);
    if (frame.grad) {
      setCell(svg, k, "grad", frame.grad[k] ?? null, partial.has(k) ? " + …" : "", changed.has(k));
    }
    if (frame.fill) {
      const box = byId(svg, `node-${k}`);
      const background = box && box.querySelector(":scope > polygon");
      if (background) setAttr(background, "fill", frame.fill[k] ?? null);
    }
    if ("current" in frame) markCurrent(svg, k, frame.current === k);
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
