// The live page's UI: `mount(el, transport, options)` draws it into `el` and talks to the
// runner through `transport = {send(message), onMessage(callback)}` (a WebSocket in the
// app, the widget's model in a notebook). The messages are documented in
// nn/live/runner.py. Every number drawn here came from Python.
//
// options: initialConfig (a config to start with, else the runner's), onConfig(config)
// (called with each new set-up: the app writes it into the URL).
//
// Drawing: a message only records what it brings and marks what it changed; the page
// draws once per animation frame, the latest numbers only, and each view only when its
// data changed (the maps come a few times a second, the steps up to 40 times). Pause
// stops the drawing at once: frames still on their way from before it are dropped, and
// the runner's answer, one frame with everything, is the last update.
import { CLASS_COLOURS, decodeBytes, drawCurves, drawPlane, paintMap, rgb, setupCanvas } from "./draw.js";
import { formatNumber } from "./autograd/graph_view.js";
import { h, makeControls } from "./controls.js";
import { NetworkView } from "./network.js";
import { ChainPanel } from "./chain.js";
import { ParameterTable } from "./table.js";

const PLANE = 300;
const CURVE_W = 300;
const CURVE_H = 130;
const NET_W = 470;
const NET_H = 440;

export function mount(el, transport, options = {}) {
  const state = {
    setup: null, frame: null, curve: [], showGrads: false,
    holding: false,  // Pause (or Step) pressed: frames of the playing runner are dropped
    fps: [],  // the times of the renders that drew a new frame, over the last second
    fresh: false, dirty: {}, pending: false,
    lastUpdate: 0,  // performance.now() of the last change on screen (bench_live reads it)
    boundaryCanvas: document.createElement("canvas"),
  };
  const send = (m) => transport.send(m);
  const controls = makeControls(send, {
    play() { state.holding = false; send({ type: "play" }); },
    pause() { state.holding = true; send({ type: "pause" }); },
    step() { state.holding = true; send({ type: "step" }); },
    reset() { send({ type: "reset" }); },
    showGrads(on) { state.showGrads = on; state.dirty.edges = true; schedule(); },
  });
  const { counters } = controls;
  const network = new NetworkView(NET_W, NET_H, (layer, neuron) => send({ type: "explain", neuron: [layer, neuron] }));
  const chain = new ChainPanel(send);
  const table = new ParameterTable();

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
  const netPanel = h("section", { class: "panel network" }, ...controls.networkHead, network.el, controls.networkLegend);

  el.classList.add("nn-live");
  el.replaceChildren(controls.bar, controls.message,
    h("main", { class: "grid" }, controls.dataPanel, netPanel, outPanel, chain.el, table.el));

  // --- the plane: click a point for its graph, elsewhere to add one ---------------------
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
    send({ type: "add_point", x, y, class: controls.pointClass });
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

  // --- messages from the runner --------------------------------------------------------
  transport.onMessage((m) => {
    if (m.type === "frame") onFrame(m);
    else if (m.type === "setup") onSetup(m);
    else if (m.type === "graph") { chain.show(m, state.setup); state.dirty.plane = true; touched(); schedule(); }
    else if (m.type === "explain") { if (!state.holding) { chain.explain(m); touched(); } }
    else if (m.type === "replay") { chain.startReplay(m); touched(); }
    else if (m.type === "download") download(m.name, m.text);
    else if (m.type === "error") { state.holding = false; controls.showMessage(m.message); }
  });

  function touched() {
    state.lastUpdate = performance.now();
  }

  function onSetup(m) {
    state.setup = m;
    state.curve = [];
    state.frame = null;
    controls.fill(m);
    if (m.trace_note) controls.showMessage(m.trace_note);
    table.build(m);
    network.build(m);
    state.dirty = { plane: true, curve: true, edges: true };
    if (options.onConfig) options.onConfig(m.config);
    touched();
    schedule();
  }

  function onFrame(m) {
    if (m.curve) {  // kept even from a dropped frame: the next one sends only what is new
      if (m.curve.start > state.curve.length) send({ type: "hello" });
      else if (m.curve.points.length || m.curve.start < state.curve.length) {
        state.curve = state.curve.slice(0, m.curve.start).concat(m.curve.points);
        state.dirty.curve = true;
      }
    }
    if (state.holding && m.playing) return;  // sent before the runner saw Pause: stale
    if (!m.playing) state.holding = false;
    // A frame without the maps keeps the last ones.
    state.frame = state.frame ? Object.assign(state.frame, m) : { ...m };
    const dirty = state.dirty;
    dirty.light = dirty.edges = true;
    if (m.boundary) dirty.maps = dirty.plane = true;
    if (m.metrics) dirty.metrics = true;
    if (m.graph) dirty.graph = true;
    state.fresh = true;
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
    if (!state.setup) return;
    const f = state.frame;
    const dirty = state.dirty;
    state.dirty = {};
    if (state.fresh) {  // the page's own counter: renders that drew a new frame
      state.fresh = false;
      state.fps.push(now);
      while (state.fps.length && state.fps[0] < now - 1000) state.fps.shift();
      setText(counters.fps, String(state.fps.length));
    }
    if (f && dirty.light) {
      setText(counters.step, String(f.step));
      setText(counters.loss, f.loss === null ? "nan" : Number(f.loss.toPrecision(6)).toString());
      counters.loss.dataset.value = f.loss === null ? "nan" : String(f.loss);
      setText(counters.rate, String(Math.round(f.steps_per_s)));
      if (controls.speed.value !== String(f.speed)) controls.speed.value = String(f.speed);
      controls.bar.classList.toggle("playing", f.playing);
    }
    if (f && dirty.maps && f.boundary) {
      paintMap(state.boundaryCanvas, decodeBytes(f.boundary), state.setup.grid, f.winner ? decodeBytes(f.winner) : null, 0.8);
      network.paintMaps(f.neurons, state.setup.neuron_grid);
    }
    if (dirty.plane) {
      drawPlane(planeCtx, PLANE, f && f.boundary ? state.boundaryCanvas : null, state.setup, chain.selected);
    }
    if (dirty.curve) drawCurves(curvesCtx, CURVE_W, CURVE_H, state.curve);
    if (f && dirty.metrics) {
      const [trainLoss, testLoss, trainAcc, testAcc] = f.metrics;
      const pct = (v) => (v === null ? "–" : `${(100 * v).toFixed(1)}%`);
      metrics.textContent = `train loss ${formatNumber(trainLoss)} · test loss ${testLoss === null ? "–" : formatNumber(testLoss)} · accuracy train ${pct(trainAcc)}, test ${pct(testAcc)}`;
    }
    if (f && dirty.edges) network.drawEdges(f.values, f.grads, state.showGrads, Boolean(dirty.maps));
    if (f && dirty.graph && f.graph) chain.update(f.graph);
    // The table at most twice a second (a throttled one catches up with the next frame).
    const wrote = f && (dirty.light || table.stale) ? table.update(f, now, !f.playing) : false;
    if (wrote || Object.keys(dirty).length) touched();
  }

  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
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
  return { send, state, chain };
}
