// A graph laid out once and updated in place: the boxes stay, their numbers change.
//
// `svg` is autograd.viz.draw()'s SVG, in which value node k (its index in
// topological_order(root)) is the element `node-<k>`, and its value and gradient cells
// are `node-<k>-data` and `node-<k>-grad`. `updateGraph(svg, {data, grad, changed})`
// writes data[k] and grad[k] (numbers; null leaves a gradient blank) into those cells for
// every k in `changed` (all nodes when it is missing). Nothing moves: no layout runs.

const cache = new WeakMap();

function cells(svg) {
  let found = cache.get(svg);
  if (!found) {
    found = new Map();
    for (const el of svg.querySelectorAll("[id^='node-']")) found.set(el.id, el);
    cache.set(svg, found);
  }
  return found;
}

// A number as autograd.formatting.format_number writes it: 4 significant digits.
export function formatNumber(x) {
  if (x === null || x === undefined) return "";
  if (x === 0) return "0";
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e4) return String(Number(x.toPrecision(4)));
  const [m, e] = x.toExponential(3).split("e");
  const mantissa = String(Number(m));
  const exponent = Number(e);
  return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

function write(el, value) {
  if (!el) return;
  const text = el.textContent;
  const space = text.indexOf(" ");
  const prefix = space < 0 ? text : text.slice(0, space);  // "data", "out" or "grad"
  el.textContent = value === null || value === undefined ? prefix : `${prefix} ${formatNumber(value)}`;
}

export function updateGraph(svg, { data, grad, changed }) {
  const found = cells(svg);
  const count = Math.max(data ? data.length : 0, grad ? grad.length : 0);
  const indices = changed || Array.from({ length: count }, (_, k) => k);
  for (const k of indices) {
    if (data && k < data.length) write(found.get(`node-${k}-data`), data[k]);
    if (grad && k < grad.length) write(found.get(`node-${k}-grad`), grad[k]);
  }
}
