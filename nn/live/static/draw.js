// Drawing helpers: the colour scale (sign and magnitude), the boundary, the curves and
// the network. They draw numbers Python sent; none computes a model.

// TensorFlow Playground's quiet pair: orange for negative (class 0), blue for positive
// (class 1); green for a third class.
export const NEGATIVE = [245, 147, 34];
export const POSITIVE = [8, 119, 189];
export const THIRD = [89, 161, 79];
export const NEUTRAL = [232, 234, 235];
export const CLASS_COLOURS = [NEGATIVE, POSITIVE, THIRD];

export function rgb(c, alpha = 1) {
  return alpha === 1 ? `rgb(${c[0]},${c[1]},${c[2]})` : `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}

function mix(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}

// v in [-1, 1]: orange through the light neutral to blue.
export function signColour(v) {
  if (v === null || Number.isNaN(v)) return NEUTRAL;
  const t = Math.pow(Math.min(1, Math.abs(v)), 0.6);  // small values still show their sign
  return mix(NEUTRAL, v < 0 ? NEGATIVE : POSITIVE, t);
}

export function decodeBytes(b64) {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const byteToSigned = (b) => b / 127.5 - 1;

// A size x size map of bytes (0..255 for -1..1) onto a small canvas, to be scaled up.
export function paintMap(canvas, bytes, size, winner, strength = 1) {
  if (canvas.width !== size) canvas.width = size;  // setting it clears and reallocates
  if (canvas.height !== size) canvas.height = size;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    let c;
    if (winner) {
      const confidence = (byteToSigned(bytes[i]) + 1) / 2;  // the winner's probability
      c = mix(NEUTRAL, CLASS_COLOURS[winner[i]] || NEUTRAL, Math.max(0, (confidence - 0.33) * 1.2 * strength));
    } else {
      c = signColour(byteToSigned(bytes[i]) * strength);
    }
    image.data[4 * i] = c[0];
    image.data[4 * i + 1] = c[1];
    image.data[4 * i + 2] = c[2];
    image.data[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

export function setupCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

// The plane: the boundary map, then the points (test points hollow).
export function drawPlane(ctx, size, map, setup, selected) {
  ctx.clearRect(0, 0, size, size);
  if (map) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(map, 0, 0, size, size);
  }
  const [lo0, hi0, lo1, hi1] = setup.bounds;
  const toPx = (x, y) => [((x - lo0) / (hi0 - lo0)) * size, ((hi1 - y) / (hi1 - lo1)) * size];
  const radius = setup.train.length + setup.test.length > 200 ? 3 : 4;
  for (const [x, y, k] of setup.test) {
    const [px, py] = toPx(x, y);
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fillStyle = "white";
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = rgb(CLASS_COLOURS[k]);
    ctx.stroke();
  }
  setup.train.forEach(([x, y, k], i) => {
    const [px, py] = toPx(x, y);
    ctx.beginPath();
    ctx.arc(px, py, i === selected ? radius + 3 : radius, 0, 2 * Math.PI);
    ctx.fillStyle = rgb(CLASS_COLOURS[k]);
    ctx.fill();
    ctx.lineWidth = i === selected ? 3 : 1;
    ctx.strokeStyle = i === selected ? "#222" : "white";
    ctx.stroke();
  });
  return toPx;
}

// The loss curves: train (solid) and test (dashed), against the step.
export function drawCurves(ctx, width, height, points) {
  ctx.clearRect(0, 0, width, height);
  const pad = { left: 44, right: 8, top: 8, bottom: 22 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const values = points.flatMap((p) => [p[1], p[2]]).filter((v) => v !== null && Number.isFinite(v));
  const top = values.length ? Math.max(...values) * 1.05 || 1 : 1;
  const last = points.length ? points[points.length - 1][0] : 1;
  const x = (s) => pad.left + (last > 0 ? (s / last) * w : 0);
  const y = (v) => pad.top + h - (v / top) * h;
  ctx.strokeStyle = "#ccc";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(pad.left, pad.top);
  ctx.lineTo(pad.left, pad.top + h);
  ctx.lineTo(pad.left + w, pad.top + h);
  ctx.stroke();
  ctx.fillStyle = "#555";
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.fillText(top.toPrecision(2), pad.left - 4, pad.top + 8);
  ctx.fillText("0", pad.left - 4, pad.top + h);
  ctx.textAlign = "center";
  ctx.fillText(`step ${last}`, pad.left + w - 24, height - 6);
  const line = (index, colour, dash) => {
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let started = false;
    for (const p of points) {
      const v = p[index];
      if (v === null || !Number.isFinite(v)) continue;
      if (!started) ctx.moveTo(x(p[0]), y(v));
      else ctx.lineTo(x(p[0]), y(v));
      started = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line(1, "#333", []);
  line(2, rgb(NEGATIVE), [5, 3]);
}

const SVG = "http://www.w3.org/2000/svg";

export function svgElement(name, attrs = {}, parent = null) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}

// The network's geometry: one column per layer (inputs first), neurons top to bottom.
export function networkLayout(sizes, width, height) {
  const columns = sizes.length;
  const radius = Math.max(8, Math.min(22, (height - 20) / (2.25 * Math.max(...sizes))));
  const xs = sizes.map((_, i) => 36 + ((width - 80) * i) / Math.max(1, columns - 1));
  return sizes.map((n, i) =>
    Array.from({ length: n }, (_, j) => ({
      x: xs[i],
      y: height / 2 + (j - (n - 1) / 2) * Math.min(2.6 * radius, (height - 2 * radius - 4) / Math.max(1, n - 1)),
      r: radius,
    })),
  );
}

// The index of weight k of neuron j in model layer l, in parameters() order.
export function parameterIndex(sizes, l, j, k) {
  let offset = 0;
  for (let i = 0; i < l; i++) offset += sizes[i + 1] * (sizes[i] + 1);
  return offset + j * (sizes[l] + 1) + k;
}
