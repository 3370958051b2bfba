// The page's controls: the top bar (Play, Pause, Step, Reset, speed, the counters), the
// data panel and the network's settings. They send messages; they draw nothing live.
import { rgb, NEGATIVE, POSITIVE } from "./draw.js";

const SPEEDS = [[0, "max"], [100, "100/s"], [30, "30/s"], [10, "10/s"], [3, "3/s"], [1, "1/s"]];

export function h(tag, attrs = {}, ...children) {
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

export function field(text, control) {
  return h("label", { class: "field" }, h("span", {}, text), control);
}

// actions: {play, pause, step, reset, showGrads(on)}; returns the elements and fill(setup).
export function makeControls(send, actions) {
  const setConfig = (patch) => send({ type: "config", config: patch });
  let setup = null;
  const controls = { pointClass: 1 };

  const counters = {
    step: h("output", { "aria-label": "step", class: "big" }, "0"),
    loss: h("output", { "aria-label": "loss", class: "big" }, ""),
    rate: h("output", { "aria-label": "steps per second" }, ""),
    fps: h("output", { "aria-label": "fps", title: "frames drawn in the last second, each with a new step from the server" }, ""),
    mode: h("span", { class: "mode" }, ""),
  };
  const speed = select("speed", "speed", SPEEDS.map(([v, t]) => [String(v), t]),
    (v) => send({ type: "speed", value: Number(v) }));
  controls.speed = speed;
  controls.counters = counters;
  controls.bar = h("header", { class: "bar" },
    h("h1", {}, "backprop-lens ", h("span", {}, "watch it learn")),
    h("button", { type: "button", onclick: actions.reset, title: "back to step 0" }, "Reset"),
    h("button", { type: "button", class: "primary", onclick: actions.play }, "Play"),
    h("button", { type: "button", onclick: actions.pause }, "Pause"),
    h("button", { type: "button", onclick: actions.step, title: "exactly one optimizer step" }, "Step"),
    field("speed", speed),
    h("div", { class: "counter" }, h("span", {}, "step"), counters.step),
    h("div", { class: "counter" }, h("span", {}, "loss"), counters.loss),
    h("div", { class: "small" }, counters.rate, " steps/s · ", counters.fps, " fps · ", counters.mode),
  );

  // --- data ---------------------------------------------------------------------------
  const dataset = select("dataset", "dataset",
    [["moons", "moons"], ["circles", "circles"], ["xor", "xor"], ["spiral", "spiral (3 classes)"],
      ["students", "students (002)"], ["custom", "your own points"]],
    (v) => {
      const patch = { dataset: v, points: [], removed: [] };
      if (v === "spiral") patch.loss = "cross_entropy";
      else if (setup && setup.config.loss === "cross_entropy") patch.loss = "hinge";
      setConfig(patch);
    });
  const samples = numberInput("samples", "samples", { min: 4, max: 1000, step: 10 }, (v) => setConfig({ samples: Number(v) }));
  const noise = numberInput("noise", "noise", { min: 0, max: 2, step: 0.05 }, (v) => setConfig({ noise: Number(v) }));
  const split = numberInput("train fraction", "split", { min: 0.1, max: 1, step: 0.1 }, (v) => setConfig({ split: Number(v) }));
  const pointClass = select("class of a new point", "class", [["1", "blue (1)"], ["0", "orange (0)"], ["2", "green (2)"]],
    (v) => { controls.pointClass = Number(v); });
  const csv = h("input", { type: "file", accept: ".csv,text/csv", "aria-label": "load CSV" });
  csv.addEventListener("change", () => loadCsv(csv.files[0]));
  controls.dataPanel = h("section", { class: "panel data" },
    h("h2", {}, "Data"),
    field("dataset", dataset), field("samples", samples), field("noise", noise), field("train fraction", split),
    h("button", { type: "button", onclick: () => setConfig({ data_seed: (setup.config.data_seed + 1) % 2147483647, removed: [] }) }, "Regenerate"),
    h("p", { class: "hint" }, "Click the plane to add a point of this class; shift-click removes one; click a point to see its graph."),
    field("new point", pointClass),
    field("CSV (x,y,class)", csv),
    h("h2", {}, "Take it away"),
    h("button", { type: "button", onclick: () => send({ type: "download", what: "model" }) }, "Model JSON"),
    h("button", { type: "button", onclick: () => send({ type: "download", what: "code" }) }, "Traced step code"),
  );

  // The server's limits (setup.limits) checked here first, saying why; the server checks
  // again whatever comes.
  function loadCsv(file) {
    if (!file) return;
    const limits = setup ? setup.limits : null;
    if (limits && file.size > 10 * limits.message) {  // not read: too big for its rows
      controls.showMessage(`that file is ${Math.ceil(file.size / 1024)} kB, too big for a CSV of at most ${limits.points} rows: nothing was loaded`);
      csv.value = "";
      return;
    }
    file.text().then((text) => {
      csv.value = "";  // the same file chosen again is loaded again
      const points = [];
      for (const line of text.split(/\r?\n/)) {
        const cells = line.split(/[,;\t]/).map((c) => c.trim());
        if (cells.length < 3 || cells.slice(0, 3).some((c) => c === "" || Number.isNaN(Number(c)))) continue;
        points.push([Number(cells[0]), Number(cells[1]), Number(cells[2])]);
      }
      if (!points.length) { controls.showMessage("no x,y,class rows in that file"); return; }
      if (limits && points.length > limits.points) {
        controls.showMessage(`that CSV has ${points.length} points, over the ${limits.points} the page takes: nothing was loaded`);
        return;
      }
      const three = points.some((p) => p[2] === 2);
      const current = setup ? setup.config.loss : "hinge";
      const patch = { dataset: "custom", points, removed: [], loss: three ? "cross_entropy" : (current === "cross_entropy" ? "hinge" : current) };
      const size = JSON.stringify({ type: "config", config: patch }).length;
      if (limits && size > limits.message) {
        controls.showMessage(`those points make a ${Math.ceil(size / 1024)} kB message, over the ${Math.floor(limits.message / 1024)} kB the server takes: nothing was loaded`);
        return;
      }
      setConfig(patch);
    });
  }

  // --- the network's settings ------------------------------------------------------------
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
  toggle.addEventListener("change", () => actions.showGrads(toggle.checked));
  controls.modelText = h("span", { class: "model" }, "");
  controls.networkHead = [
    h("h2", {}, "Network ", controls.modelText),
    h("div", { class: "row" }, field("activation", activation), field("loss", loss), field("optimizer", optimizer)),
    h("div", { class: "row" }, field("learning rate", lr), field("momentum", momentum), field("L2", l2), field("batch", batch), field("seed", seed)),
    layerControls,
  ];
  controls.networkLegend = h("div", { class: "legend" },
    h("span", { class: "swatch", style: `background:${rgb(NEGATIVE)}` }), " negative ",
    h("span", { class: "swatch", style: `background:${rgb(POSITIVE)}` }), " positive · edge width: |weight| ",
    h("label", {}, toggle, " show gradients instead"),
    h("br"), "Each neuron: its output over the plane. Click one for its chain rule.");

  function buildLayerControls() {
    const layers = setup.config.layers;
    const limits = setup.limits;
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

  // The controls show a new set-up (a "setup" message).
  controls.fill = (m) => {
    setup = m;
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
    controls.modelText.textContent = m.model_text;
    counters.mode.textContent = m.step_mode === "traced" ? "traced step" : "engine step";
    counters.mode.title = m.trace_note || (m.step_mode === "traced" ? "the loss's graph traced once, replayed as code (nn.traced)" : "forward, zero_grad, backward on the engine");
    buildLayerControls();
  };

  controls.message = h("div", { class: "message", role: "alert", "aria-label": "message" }, "");
  let messageTimer = null;
  controls.showMessage = (text) => {
    controls.message.textContent = text;
    controls.message.classList.add("shown");
    clearTimeout(messageTimer);
    messageTimer = setTimeout(() => controls.message.classList.remove("shown"), 8000);
  };
  return controls;
}
