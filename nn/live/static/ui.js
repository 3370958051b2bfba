// The live page's whole UI: `mount(el, transport, options)` draws it into `el` and talks
// to the runner through `transport = {send(message), onMessage(callback)}` (a WebSocket in
// the app, the widget's model in a notebook). The messages are documented in
// nn/live/runner.py. Every number drawn here came from Python.
//
// options: initialConfig (a config to start with, else the runner's), onConfig(config)
// (called with each new set-up: the app writes it into the URL).
import {
  CLASS_COLOURS, NEGATIVE, POSITIVE, decodeBytes, drawCurves, drawPlane, networkLayout,
  paintMap, parameterIndex, rgb, setupCanvas, signColour, svgElement,
} from "./draw.js";
import { formatNumber, updateGraph } from "./autograd/graph_view.js";

const PLANE = 300;
const CURVE_W = 300;
const CURVE_H = 130;
const NET_W = 470;
const NET_H = 440;
const NEGATIVE_EDGE = rgb(NEGATIVE, 0.75);
const POSITIVE_EDGE = rgb(POSITIVE, 0.75);
const SPEEDS = [[0, "max"], [100, "100/s"], [30, "30/s"], [10, "10/s"], [3, "3/s"], [1, "1/s"]];

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) el.append(c);
  return el;
}

function select(label, name, options, onChange) {
  const s = h("select", { "aria-label": label, name, onchange: () => onChange(s.value) },
    ...options.map(([value, text]) => h("option", { value }, text)));
  return s;
}

function numberInput(label, name, attrs, onChange) {
  const input = h("input", { type: "number", "aria-label": label, name, ...attrs });
  input.addEventListener("change", () => onChange(input.value));
  return input;
}

function field(text, control) {
  return h("label", { class: "field" }, h("span", {}, text), control);
}

export function mount(el, transport, options = {}) {
  const state = {
    setup: null, frame: null, curve: [], selected: null, showGrads: false,
    pointClass: 1, replay: null, replayAt: 0, graphCount: 0, fps: [],
    boundaryCanvas: document.createElement("canvas"), neuronMaps: [], pending: false,
  };
  const send = (m) => transport.send(m);
  const setConfig = (patch) => send({ type: "config", config: patch });

  // --- the controls ------------------------------------------------------------------
  const stepEl = h("output", { "aria-label": "step", class: "big" }, "0");
  const lossEl = h("output", { "aria-label": "loss", class: "big" }, "");
  const rateEl = h("output", { "aria-label": "steps per second" }, "");
  const fpsEl = h("output", { "aria-label": "fps" }, "");
  const modeEl = h("span", { class: "mode" }, "");
  const message = h("div", { class: "message", role: "alert", "aria-label": "message" }, "");
  const speed = select("speed", "speed", SPEEDS.map(([v, t]) => [String(v), t]),
    (v) => send({ type: "speed", value: Number(v) }));

  const bar = h("header", { class: "bar" },
    h("h1", {}, "backprop-lens ", h("span", {}, "watch it learn")),
    h("button", { type: "button", onclick: () => send({ type: "reset" }), title: "back to step 0" }, "Reset"),
    h("button", { type: "button", class: "primary", onclick: () => send({ type: "play" }) }, "Play"),
    h("button", { type: "button", onclick: () => send({ type: "pause" }) }, "Pause"),
    h("button", { type: "button", onclick: () => send({ type: "step" }), title: "exactly one optimizer step" }, "Step"),
    field("speed", speed),
    h("div", { class: "counter" }, h("span", {}, "step"), stepEl),
    h("div", { class: "counter" }, h("span", {}, "loss"), lossEl),
    h("div", { class: "small" }, rateEl, " steps/s · ", fpsEl, " fps · ", modeEl),
  );

  const dataset = select("dataset", "dataset",
    [["moons", "moons"], ["circles", "circles"], ["xor", "xor"], ["spiral", "spiral (3 classes)"],
      ["students", "students (002)"], ["custom", "your own points"]],
    (v) => {
      const patch = { dataset: v, points: [], removed: [] };
      if (v === "spiral") patch.loss = "cross_entropy";
      else if (state.setup && state.setup.config.loss === "cross_entropy") patch.loss = "hinge";
      setConfig(patch);
    });
  const samples = numberInput("samples", "samples", { min: 4, max: 1000, step: 10 }, (v) => setConfig({ samples: Number(v) }));
  const noise = numberInput("noise", "noise", { min: 0, max: 2, step: 0.05 }, (v) => setConfig({ noise: Number(v) }));
  const split = numberInput("train fraction", "split", { min: 0.1, max: 1, step: 0.1 }, (v) => setConfig({ split: Number(v) }));
  const pointClass = select("class of a new point", "class", [["1", "blue (1)"], ["0", "orange (0)"], ["2", "green (2)"]],
    (v) => { state.pointClass = Number(v); });
  const csv = h("input", { type: "file", accept: ".csv,text/csv", "aria-label": "load CSV" });
  csv.addEventListener("change", () => loadCsv(csv.files[0]));
  const dataPanel = h("section", { class: "panel data" },
    h("h2", {}, "Data"),
    field("dataset", dataset), field("samples", samples), field("noise", noise), field("train fraction", split),
    h("button", { type: "button", onclick: () => setConfig({ data_seed: (state.setup.config.data_seed + 1) % 2147483647, removed: [] }) }, "Regenerate"),
    h("p", { class: "hint" }, "Click the plane to add a point of this class; shift-click removes one; click a point to see its graph."),
    field("new point", pointClass),
    field("CSV (x,y,class)", csv),
    h("h2", {}, "Take it away"),
    h("button", { type: "button", onclick: () => send({ type: "download", what: "model" }) }, "Model JSON"),
    h("button", { type: "button", onclick: () => send({ type: "download", what: "code" }) }, "Traced step code"),
  );

  const activation = select("activation", "activation", ["relu", "tanh", "sigmoid", "linear"].map((a) => [a, a]), (v) => setConfig({ activation: v }));
  const loss = select("loss function", "loss", [["hinge", "hinge (max-margin)"], ["bce", "binary cross-entropy"], ["cross_entropy", "cross-entropy (3 classes)"]], (v) => setConfig({ loss: v }));
  const optimizer = select("optimizer", "optimizer", [["sgd", "SGD + momentum"], ["adam", "Adam"]], (v) => setConfig({ optimizer: v }));
  const lr = numberInput("learning rate", "lr", { min: 0, max: 10, step: "any" }, (v) => setConfig({ lr: Number(v) }));
  const momentum = numberInput("momentum", "momentum", { min: 0, max: 0.999, step: 0.1 }, (v) => setConfig({ momentum: Number(v) }));
  const l2 = numberInput("L2", "l2", { min: 0, max: 1, step: "any" }, (v) => setConfig({ l2: Number(v) }));
  const batch = numberInput("batch size", "batch", { min: 1, max: 2000, step: 1 }, (v) => setConfig({ batch: Number(v) }));
  const seed = numberInput("seed", "seed", { min: 0, step: 1 }, (v) => setConfig({ seed: Number(v) }));
  const layerControls = h("div", { class: "layers" });
  const toggle = h("input", { type: "checkbox", "aria-label": "show gradients" });
  toggle.addEventListener("change", () => { state.showGrads = toggle.checked; schedule(); });
  const netSvg = svgElement("svg", { width: NET_W, height: NET_H, role: "img", "aria-label": "network" });
  const netPanel = h("section", { class: "panel network" },
    h("h2", {}, "Network ", h("span", { class: "model" }, "")),
    h("div", { class: "row" }, field("activation", activation), field("loss", loss), field("optimizer", optimizer)),
    h("div", { class: "row" }, field("learning rate", lr), field("momentum", momentum), field("L2", l2), field("batch", batch), field("seed", seed)),
    layerControls,
    netSvg,
    h("div", { class: "legend" },
      h("span", { class: "swatch", style: `background:${rgb(NEGATIVE)}` }), " negative ",
      h("span", { class: "swatch", style: `background:${rgb(POSITIVE)}` }), " positive · edge width: |weight| ",
      h("label", {}, toggle, " show gradients instead"),
      h("br"), "Each neuron: its output over the plane. Click one for its chain rule."),
  );

  const plane = h("canvas", { "aria-label": "decision boundary", class: "plane" });
  const planeCtx = setupCanvas(plane, PLANE, PLANE);
  const curves = h("canvas", { "aria-label": "loss curves" });
  const curvesCtx = setupCanvas(curves, CURVE_W, CURVE_H);
  const metrics = h("div", { class: "metrics" }, "");
  const outPanel = h("section", { class: "panel output" },
    h("h2", {}, "Output"), plane,
    h("div", { class: "legend" },
      h("span", { class: "swatch", style: `background:${rgb(CLASS_COLOURS[0])}` }), " class 0 ",
      h("span", { class: "swatch", style: `background:${rgb(CLASS_COLOURS[1])}` }), " class 1 ",
      h("span", { class: "swatch", style: `background:${rgb(CLASS_COLOURS[2])}` }), " class 2 · filled: train, ring: test"),
    h("h2", {}, "Loss"), curves,
    h("div", { class: "legend" }, h("span", { class: "line solid" }), " train ", h("span", { class: "line dashed" }), " test"),
    metrics,
  );

  const graphBox = h("div", { class: "graph", "aria-label": "sample graph" }, h("p", { class: "hint" }, "Click a point on the plane: its loss's graph, the engine's own, updated in place every step."));
  const explainBox = h("div", { class: "explain", "aria-label": "chain rule" }, "");
  const caption = h("p", { class: "caption", "aria-label": "backward step" }, "");
  const replayBar = h("div", { class: "replay" },
    h("button", { type: "button", onclick: () => send({ type: "replay" }) }, "Backward pass, step by step"),
    h("button", { type: "button", "aria-label": "previous backward step", onclick: () => replayTo(state.replayAt - 1) }, "◀"),
    h("button", { type: "button", "aria-label": "next backward step", onclick: () => replayTo(state.replayAt + 1) }, "▶"),
    h("button", { type: "button", onclick: () => endReplay() }, "Live"),
    h("button", { type: "button", onclick: () => fitGraph(!state.zoomed), title: "fit the width, or full size" }, "Zoom"),
    caption);
  const graphPanel = h("section", { class: "panel chain" }, h("h2", {}, "Down to the chain rule"), replayBar, graphBox, explainBox);

  const tableBody = h("tbody");
  const tableHead = h("thead");
  const tablePanel = h("section", { class: "panel table" }, h("h2", {}, "Parameters"),
    h("div", { class: "scroll" }, h("table", { "aria-label": "parameters" }, tableHead, tableBody)));

  el.classList.add("nn-live");
  el.replaceChildren(bar, message, h("main", { class: "grid" }, dataPanel, netPanel, outPanel, graphPanel, tablePanel));

  // --- the page's own input ------------------------------------------------------------
  plane.addEventListener("click", (event) => {
    if (!state.setup) return;
    const rect = plane.getBoundingClientRect();
    const px = ((event.clientX - rect.left) / rect.width) * PLANE;
    const py = ((event.clientY - rect.top) / rect.height) * PLANE;
    const [lo0, hi0, lo1, hi1] = state.setup.bounds;
    const x = lo0 + (px / PLANE) * (hi0 - lo0);
    const y = hi1 - (py / PLANE) * (hi1 - lo1);
    if (event.shiftKey) { send({ type: "remove_point", x, y }); return; }
    const near = nearestTrain(px, py);
    if (near !== null) { send({ type: "select", sample: near }); return; }
    send({ type: "add_point", x, y, class: state.pointClass });
  });

  function nearestTrain(px, py) {
    const [lo0, hi0, lo1, hi1] = state.setup.bounds;
    let best = null;
    let bestD = 7;
    state.setup.train.forEach(([x, y], i) => {
      const d = Math.hypot(((x - lo0) / (hi0 - lo0)) * PLANE - px, ((hi1 - y) / (hi1 - lo1)) * PLANE - py);
      if (d < bestD) { bestD = d; best = i; }
    });
    return best;
  }

  function loadCsv(file) {
    if (!file) return;
    file.text().then((text) => {
      const points = [];
      for (const line of text.split(/\r?\n/)) {
        const cells = line.split(/[,;\t]/).map((c) => c.trim());
        if (cells.length < 3 || cells.slice(0, 3).some((c) => c === "" || Number.isNaN(Number(c)))) continue;
        points.push([Number(cells[0]), Number(cells[1]), Number(cells[2])]);
      }
      if (!points.length) { showMessage("no x,y,class rows in that file"); return; }
      const three = points.some((p) => p[2] === 2);
      const current = state.setup ? state.setup.config.loss : "hinge";
      setConfig({ dataset: "custom", points, removed: [], loss: three ? "cross_entropy" : (current === "cross_entropy" ? "hinge" : current) });
    });
  }

  // --- messages from the runner --------------------------------------------------------
  let messageTimer = null;
  function showMessage(text) {
    message.textContent = text;
    message.classList.add("shown");
    clearTimeout(messageTimer);
    messageTimer = setTimeout(() => message.classList.remove("shown"), 8000);
  }

  transport.onMessage((m) => {
    if (m.type === "setup") onSetup(m);
    else if (m.type === "frame") onFrame(m);
    else if (m.type === "graph") onGraph(m);
    else if (m.type === "explain") onExplain(m);
    else if (m.type === "replay") onReplay(m);
    else if (m.type === "download") download(m.name, m.text);
    else if (m.type === "error") showMessage(m.message);
  });

  function onSetup(m) {
    state.setup = m;
    state.curve = [];
    state.frame = null;
    state.neuronMaps = [];
    const c = m.config;
    dataset.value = c.dataset;
    samples.value = c.samples;
    noise.value = c.noise;
    split.value = c.split;
    activation.value = c.activation;
    loss.value = c.loss;
    optimizer.value = c.optimizer;
    lr.value = c.lr;
    momentum.value = c.momentum;
    l2.value = c.l2;
    batch.value = c.batch;
    seed.value = c.seed;
    momentum.disabled = c.optimizer !== "sgd";
    for (const input of [samples, noise]) input.disabled = c.dataset === "students" || c.dataset === "custom";
    netPanel.querySelector(".model").textContent = m.model_text;
    modeEl.textContent = m.step_mode === "traced" ? "traced step" : "engine step";
    modeEl.title = m.trace_note || (m.step_mode === "traced" ? "the loss's graph traced once, replayed as code (nn.traced)" : "forward, zero_grad, backward on the engine");
    if (m.trace_note) showMessage(m.trace_note);
    buildLayerControls();
    buildTable();
    buildNetwork();
    if (options.onConfig) options.onConfig(c);
    schedule();
  }

  function buildLayerControls() {
    const c = state.setup.config;
    const limits = state.setup.limits;
    const layers = c.layers;
    const change = (next) => setConfig({ layers: next });
    layerControls.replaceChildren(
      h("span", {}, `${layers.length} hidden layer${layers.length === 1 ? "" : "s"}`),
      h("button", { type: "button", "aria-label": "add a layer", disabled: layers.length >= limits.layers, title: `at most ${limits.layers} hidden layers`, onclick: () => change([...layers, 4]) }, "+"),
      h("button", { type: "button", "aria-label": "remove a layer", disabled: layers.length === 0, onclick: () => change(layers.slice(0, -1)) }, "−"),
      ...layers.map((n, i) => h("span", { class: "layer" }, `layer ${i + 1}: ${n} `,
        h("button", { type: "button", "aria-label": `add a neuron to layer ${i + 1}`, disabled: n >= limits.neurons, title: `at most ${limits.neurons} neurons`, onclick: () => change(layers.map((v, j) => (j === i ? v + 1 : v))) }, "+"),
        h("button", { type: "button", "aria-label": `remove a neuron from layer ${i + 1}`, disabled: n <= 1, onclick: () => change(layers.map((v, j) => (j === i ? v - 1 : v))) }, "−"))),
    );
  }

  function buildTable() {
    const opt = state.setup.config.optimizer;
    const stateCols = opt === "adam" ? ["m", "v"] : ["momentum"];
    tableHead.replaceChildren(h("tr", {}, ...["parameter", "value", "grad", ...stateCols, "last update"].map((t) => h("th", {}, t))));
    state.tableCols = stateCols;
    tableBody.replaceChildren(...state.setup.labels.map((label) => h("tr", {}, h("td", {}, label), ...[0, 1, ...stateCols.map(() => 0), 2].map(() => h("td", {}, "")))));
  }

  function onFrame(m) {
    if (m.curve) {
      if (m.curve.start > state.curve.length) send({ type: "hello" });
      else state.curve = state.curve.slice(0, m.curve.start).concat(m.curve.points);
    }
    // A frame without the heavy parts keeps the last ones.
    state.frame = state.frame ? { ...state.frame, ...m } : m;
    if (m.boundary) {
      paintMap(state.boundaryCanvas, decodeBytes(m.boundary), state.setup.grid, m.winner ? decodeBytes(m.winner) : null, 0.8);
      state.neuronMaps = m.neurons.map((layer) => layer.map(([, bytes]) => {
        const canvas = document.createElement("canvas");
        paintMap(canvas, decodeBytes(bytes), state.setup.neuron_grid, null);
        return canvas.toDataURL();
      }));
      state.heavyChanged = true;
      state.mapsChanged = true;
    }
    if (m.graph && state.svg && state.replay === null && m.graph.sample === state.selected) {
      updateGraph(state.svg, m.graph);
    }
    stepEl.textContent = String(m.step);
    lossEl.textContent = m.loss === null ? "nan" : Number(m.loss.toPrecision(6)).toString();
    lossEl.dataset.value = m.loss === null ? "nan" : String(m.loss);
    rateEl.textContent = String(Math.round(m.steps_per_s));
    speed.value = String(m.speed);
    bar.classList.toggle("playing", m.playing);
    schedule();
  }

  // Drawing waits for the next animation frame: many messages, one render.
  function schedule() {
    if (state.pending) return;
    state.pending = true;
    requestAnimationFrame(render);
  }

  function render(now) {
    state.pending = false;
    state.fps.push(now);
    while (state.fps.length && state.fps[0] < now - 1000) state.fps.shift();
    fpsEl.textContent = String(state.fps.length);
    if (!state.setup) return;
    drawPlane(planeCtx, PLANE, state.frame && state.frame.boundary ? state.boundaryCanvas : null, state.setup, state.selected);
    drawCurves(curvesCtx, CURVE_W, CURVE_H, state.curve);
    const f = state.frame;
    if (f && f.metrics) {
      const [trainLoss, testLoss, trainAcc, testAcc] = f.metrics;
      const pct = (v) => (v === null ? "–" : `${(100 * v).toFixed(1)}%`);
      metrics.textContent = `train loss ${formatNumber(trainLoss)} · test loss ${testLoss === null ? "–" : formatNumber(testLoss)} · accuracy train ${pct(trainAcc)}, test ${pct(testAcc)}`;
    }
    drawNetwork();
    if (f && state.heavyChanged) { fillTable(f); state.heavyChanged = false; }
  }

  // The network is built once per set-up; each frame only recolours it.
  function buildNetwork() {
    const setup = state.setup;
    const sizes = setup.sizes;
    const layout = networkLayout(sizes, NET_W, NET_H);
    netSvg.replaceChildren();
    const defs = svgElement("defs", {}, netSvg);
    const edges = svgElement("g", {}, netSvg);
    state.edges = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      for (let j = 0; j < sizes[l + 1]; j++) {
        for (let k = 0; k < sizes[l]; k++) {
          const a = layout[l][k];
          const b = layout[l + 1][j];
          const index = parameterIndex(sizes, l, j, k);
          const line = svgElement("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: "#ccc", "stroke-width": 0.5 }, edges);
          const title = svgElement("title", {}, line);
          state.edges.push({ line, title, index });
        }
      }
    }
    state.neuronImages = [];
    sizes.forEach((n, l) => {
      state.neuronImages.push([]);
      for (let j = 0; j < n; j++) {
        const { x, y, r } = layout[l][j];
        const id = `clip-${l}-${j}`;
        const clip = svgElement("clipPath", { id }, defs);
        svgElement("circle", { cx: x, cy: y, r }, clip);
        const g = svgElement("g", { class: l > 0 ? "neuron" : "input" }, netSvg);
        svgElement("circle", { cx: x, cy: y, r, fill: "#f4f4f4" }, g);
        const image = svgElement("image", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, "clip-path": `url(#${id})`, preserveAspectRatio: "none" }, g);
        state.neuronImages[l].push(image);
        svgElement("circle", { cx: x, cy: y, r, fill: "none", stroke: "#777", "stroke-width": 1 }, g);
        const last = l === sizes.length - 1;
        const name = l === 0 ? `x${j + 1}` : (last ? `output ${j}` : `h${l - 1}.${j}`);
        svgElement("title", {}, g).textContent = l === 0 ? `${name}: the input` : `${name} (layer ${l - 1}, neuron ${j}): click for its chain rule`;
        if (l === 0 || last) {
          const t = svgElement("text", { x: l === 0 ? x - r - 4 : x + r + 4, y: y + 4, "text-anchor": l === 0 ? "end" : "start", class: "label" }, netSvg);
          t.textContent = l === 0 ? name : (sizes[l] === 1 ? "out" : String(j));
        }
        if (l > 0) g.addEventListener("click", () => send({ type: "explain", neuron: [l - 1, j] }));
      }
    });
  }

  function drawNetwork() {
    const f = state.frame;
    if (!state.setup || !state.edges || !f) return;
    const numbers = state.showGrads ? f.grads : f.values;
    let largest = 0;
    for (const v of numbers) if (v !== null) largest = Math.max(largest, Math.abs(v));
    // Weights: 0.5 px plus 2 px per unit of |w| (at most 7); gradients: relative to the largest.
    const width = (v) => (state.showGrads ? 0.5 + (5 * Math.abs(v)) / (largest || 1) : Math.min(7, 0.5 + 2 * Math.abs(v)));
    const labels = state.setup.labels;
    const titles = state.mapsChanged;  // the hover texts a few times a second is enough
    for (const edge of state.edges) {
      const v = numbers[edge.index];
      const stroke = v === null ? "#ccc" : (v < 0 ? NEGATIVE_EDGE : POSITIVE_EDGE);
      const w = v === null ? "0.5" : width(v).toFixed(1);
      // Only what changed is written: the browser then redraws only those edges.
      if (stroke !== edge.stroke) { edge.line.setAttribute("stroke", stroke); edge.stroke = stroke; }
      if (w !== edge.width) { edge.line.setAttribute("stroke-width", w); edge.width = w; }
      if (titles) edge.title.textContent = `${labels[edge.index]}: ${state.showGrads ? "grad" : "value"} ${formatNumber(v)}`;
    }
    if (state.mapsChanged) {
      state.mapsChanged = false;
      state.neuronMaps.forEach((layer, l) => layer.forEach((url, j) => {
        const image = state.neuronImages[l] && state.neuronImages[l][j];
        if (image) image.setAttribute("href", url);
      }));
    }
  }

  function fillTable(f) {
    const rows = tableBody.children;
    // The table's optimizer columns come with the maps, from another thread: until the
    // first of those arrives, a frame has values and gradients only.
    const table = f.table || {};
    const cols = [f.values, f.grads, ...state.tableCols.map((k) => table[k]), table.update];
    for (let i = 0; i < rows.length; i++) {
      const cells = rows[i].children;
      cols.forEach((values, c) => {
        const v = values ? values[i] : null;
        cells[c + 1].textContent = formatNumber(v);
        if (c === 1) cells[c + 1].style.background = rgb(signColour(Math.tanh(v * 5)), 0.5);
      });
    }
  }

  function onGraph(m) {
    state.replay = null;
    caption.textContent = "";
    explainBox.replaceChildren();
    if (m.sample === null || m.sample === undefined) {
      state.selected = null;
      state.svg = null;
      graphBox.replaceChildren(h("p", { class: "hint" }, "Click a point on the plane."));
      schedule();
      return;
    }
    state.selected = m.sample;
    state.graphCount = m.count;
    state.names = m.names;
    const [x, y, k] = state.setup.train[m.sample];
    graphBox.innerHTML = m.svg;  // the server's own drawing (autograd.viz escapes every label)
    graphBox.prepend(h("p", { class: "hint" }, `Sample ${m.sample} at (${formatNumber(x)}, ${formatNumber(y)}), class ${k}: ${m.count} nodes. Click a node for its chain rule.`));
    state.svg = graphBox.querySelector("svg");
    // Fit the width; the zoom button shows it at its own size (then it scrolls).
    state.svgSize = [state.svg.getAttribute("width"), state.svg.getAttribute("height")];
    fitGraph(state.zoomed);
    for (const node of state.svg.querySelectorAll("g.node[id^='node-']")) {
      const index = Number(node.id.slice(5));
      node.addEventListener("click", () => send({ type: "explain", node: index }));
    }
    schedule();
  }

  function fitGraph(zoomed) {
    state.zoomed = zoomed;
    if (!state.svg) return;
    if (zoomed) {
      state.svg.setAttribute("width", state.svgSize[0]);
      state.svg.setAttribute("height", state.svgSize[1]);
    } else {
      state.svg.setAttribute("width", "100%");
      state.svg.removeAttribute("height");
    }
  }

  function onExplain(m) {
    for (const node of graphBox.querySelectorAll("g.node.explained")) node.classList.remove("explained");
    if (state.svg) {
      const node = state.svg.querySelector(`#node-${m.node}`);
      if (node) node.classList.add("explained");
    }
    explainBox.replaceChildren(
      h("h3", {}, `∂L/∂${m.name}`),
      h("pre", {}, m.lines.join("\n")),
      h("table", {}, h("thead", {}, h("tr", {}, ...["through", "upstream ∂L/∂consumer", "local", "product"].map((t) => h("th", {}, t)))),
        h("tbody", {}, ...m.terms.map((t) => h("tr", {}, h("td", {}, t.consumer_name), h("td", {}, formatNumber(t.upstream)), h("td", {}, formatNumber(t.local)), h("td", {}, formatNumber(t.contribution)))),
          h("tr", { class: "sum" }, h("td", {}, "sum"), h("td", {}), h("td", {}), h("td", {}, formatNumber(m.total))))),
    );
  }

  function onReplay(m) {
    state.replay = m;
    replayTo(0);
  }

  function replayTo(at) {
    const m = state.replay;
    if (!m || !state.svg) return;
    at = Math.max(0, Math.min(m.steps.length - 1, at));
    state.replayAt = at;
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
    updateGraph(state.svg, { grad, changed, partial: [...partial], current: m.steps[at].current });
    caption.textContent = m.steps[at].caption;
  }

  function endReplay() {
    state.replay = null;
    caption.textContent = "";
    if (state.svg) {
      const live = state.frame && state.frame.graph ? state.frame.graph : {};
      updateGraph(state.svg, { ...live, changed: [], partial: [], current: null });
    }
  }

  function download(name, text) {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const a = h("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // A bad config in the URL is reported, and the runner's own set-up shown instead.
  if (options.initialConfig) send({ type: "config", config: options.initialConfig });
  else send({ type: "hello" });
  return { send, state };
}
