// The app's entry: a WebSocket transport, the URL state, and the one UI (ui.js).
// The notebook widget mounts the same UI with a transport made from its model.
import { mount } from "./ui.js";

const LIST_KEYS = ["layers", "removed"];
const STRING_KEYS = ["dataset", "activation", "loss", "optimizer"];

// The config a URL describes (nn.live.session.config_from_query is its Python twin).
export function configFromQuery(search) {
  const params = new URLSearchParams(search);
  const config = {};
  for (const [key, text] of params) {
    if (key === "token") continue;
    if (LIST_KEYS.includes(key)) {
      config[key] = text.split(",").filter((v) => v.trim() !== "").map(jsonNumber);
    } else if (key === "points") {
      try { config[key] = JSON.parse(text); } catch { config[key] = text; }
    } else if (STRING_KEYS.includes(key)) {
      config[key] = text;
    } else {
      config[key] = jsonNumber(text);
    }
  }
  return config;
}

function jsonNumber(text) {
  try { return JSON.parse(text); } catch { return text; }
}

// Never the token: the URL is the set-up a teacher shares (the cookie opens the page).
export function configToQuery(config) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(config)) {
    if (LIST_KEYS.includes(key)) params.set(key, value.join(","));
    else if (key === "points") { if (value.length) params.set(key, JSON.stringify(value)); }
    else params.set(key, String(value));
  }
  return "?" + params.toString();
}

// A WebSocket as a transport: {send(msg), onMessage(callback)}; messages sent before the
// socket opens wait for it, and a closed socket is reported to the page.
export function webSocketTransport(url) {
  const socket = new WebSocket(url);
  const waiting = [];
  const listeners = [];
  socket.addEventListener("open", () => { for (const m of waiting.splice(0)) socket.send(m); });
  socket.addEventListener("message", (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    for (const listener of listeners) listener(message);
  });
  socket.addEventListener("close", (event) => {
    // The server's reason when it gave one (too many pages open, ...): restarting the
    // server is the advice only when it is gone.
    const message = event.reason
      ? `the server closed the connection: ${event.reason}`
      : "the connection to the server closed: restart python -m nn.live and reload";
    for (const listener of listeners) listener({ type: "error", message });
  });
  return {
    send(message) {
      const text = JSON.stringify(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else waiting.push(text);
    },
    sendRaw(text) { socket.send(text); },  // for tests: any text, as a crafted client would
    onMessage(callback) { listeners.push(callback); },
  };
}

const token = new URLSearchParams(location.search).get("token") || "";
const wsUrl = `ws://${location.host}/ws` + (token ? `?token=${encodeURIComponent(token)}` : "");
const transport = webSocketTransport(wsUrl);
const initial = configFromQuery(location.search);
// The response that served this page set the token's cookie: the address bar (copied,
// shared, bookmarked) loses the token at once, and a reload opens with the cookie.
if (token) {
  const rest = new URLSearchParams(location.search);
  rest.delete("token");
  history.replaceState(null, "", location.pathname + (rest.toString() ? "?" + rest : ""));
}
window.liveTransport = transport;  // for tests and the console
window.liveView = mount(document.getElementById("app"), transport, {
  initialConfig: Object.keys(initial).length ? initial : null,
  onConfig(config) {
    history.replaceState(null, "", configToQuery(config));
  },
});
