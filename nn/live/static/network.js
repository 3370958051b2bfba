// The network view: neurons in layer columns, an SVG line per weight (colour: sign,
// width: magnitude, or the gradient's), and each neuron's map of its output over the
// plane as a small canvas (neuron_grid² pixels, scaled up by CSS) over its circle.
// Built once per set-up; a frame only rewrites the attributes that changed.
import { NEGATIVE, POSITIVE, decodeBytes, networkLayout, paintMap, parameterIndex, rgb, svgElement } from "./draw.js";
import { formatNumber } from "./autograd/graph_view.js";

const NEGATIVE_EDGE = rgb(NEGATIVE, 0.75);
const POSITIVE_EDGE = rgb(POSITIVE, 0.75);

export class NetworkView {
  constructor(width, height, onNeuron) {
    this.width = width;
    this.height = height;
    this.onNeuron = onNeuron;
    this.svg = svgElement("svg", { width, height, role: "img", "aria-label": "network" });
    this.maps = document.createElement("div");
    this.maps.className = "maps";
    this.el = document.createElement("div");
    this.el.className = "net";
    this.el.style.width = `${width}px`;
    this.el.style.height = `${height}px`;
    this.el.append(this.svg, this.maps);
    this.edges = [];
    this.canvases = [];
  }

  build(setup) {
    const sizes = setup.sizes;
    const layout = networkLayout(sizes, this.width, this.height);
    this.labels = setup.labels;
    this.svg.replaceChildren();
    this.maps.replaceChildren();
    const edges = svgElement("g", {}, this.svg);
    this.edges = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      for (let j = 0; j < sizes[l + 1]; j++) {
        for (let k = 0; k < sizes[l]; k++) {
          const a = layout[l][k];
          const b = layout[l + 1][j];
          const line = svgElement("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: "#ccc", "stroke-width": 0.5 }, edges);
          const title = svgElement("title", {}, line);
          this.edges.push({ line, title, index: parameterIndex(sizes, l, j, k), stroke: "#ccc", width: "0.5" });
        }
      }
    }
    this.canvases = sizes.map((n, l) => Array.from({ length: n }, (_, j) => {
      const { x, y, r } = layout[l][j];
      const last = l === sizes.length - 1;
      const name = l === 0 ? `x${j + 1}` : (last ? `output ${j}` : `h${l - 1}.${j}`);
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = setup.neuron_grid;
      canvas.className = l > 0 ? "neuron" : "input";
      Object.assign(canvas.style, { left: `${x - r}px`, top: `${y - r}px`, width: `${2 * r}px`, height: `${2 * r}px` });
      canvas.title = l === 0 ? `${name}: the input` : `${name} (layer ${l - 1}, neuron ${j}): click for its chain rule`;
      if (l > 0) canvas.addEventListener("click", () => this.onNeuron(l - 1, j));
      this.maps.append(canvas);
      if (l === 0 || last) {
        const t = svgElement("text", { x: l === 0 ? x - r - 4 : x + r + 4, y: y + 4, "text-anchor": l === 0 ? "end" : "start", class: "label" }, this.svg);
        t.textContent = l === 0 ? name : (sizes[l] === 1 ? "out" : String(j));
      }
      return canvas;
    }));
  }

  // Edges from the parameters' values (or gradients); titles (hover texts) only when asked.
  drawEdges(values, grads, showGrads, titles) {
    const numbers = showGrads ? grads : values;
    if (!numbers) return;
    let largest = 0;
    if (showGrads) for (const v of numbers) if (v !== null) largest = Math.max(largest, Math.abs(v));
    // Weights: 0.5 px plus 2 px per unit of |w| (at most 7); gradients: relative to the largest.
    const width = (v) => (showGrads ? 0.5 + (5 * Math.abs(v)) / (largest || 1) : Math.min(7, 0.5 + 2 * Math.abs(v)));
    for (const edge of this.edges) {
      const v = numbers[edge.index];
      const stroke = v === null ? "#ccc" : (v < 0 ? NEGATIVE_EDGE : POSITIVE_EDGE);
      const w = v === null ? "0.5" : width(v).toFixed(1);
      // Only what changed is written: the browser then repaints only those edges.
      if (stroke !== edge.stroke) { edge.line.setAttribute("stroke", stroke); edge.stroke = stroke; }
      if (w !== edge.width) { edge.line.setAttribute("stroke-width", w); edge.width = w; }
      if (titles) edge.title.textContent = `${this.labels[edge.index]}: ${showGrads ? "grad" : "value"} ${formatNumber(v)}`;
    }
  }

  // neurons: [[column 0: the inputs], [layer 0], ...], each [scale, base64 bytes].
  paintMaps(neurons, grid) {
    neurons.forEach((layer, l) => layer.forEach(([, bytes], j) => {
      const canvas = this.canvases[l] && this.canvases[l][j];
      if (canvas) paintMap(canvas, decodeBytes(bytes), grid, null);
    }));
  }
}
