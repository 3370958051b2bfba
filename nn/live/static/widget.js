// The notebook widget's entry, in anywidget's module format: the live page's own UI
// (ui.js's mount), talking through a transport made from the widget's model instead of a
// WebSocket. Messages travel as the widget's custom messages; the Python side
// (nn/live/widget.py) hands them to the same runner the app uses.
import { mount } from "./ui.js";

// The widget's model as a transport: {send(msg), onMessage(callback)}.
export function modelTransport(model) {
  const listeners = [];
  const onCustom = (message) => { for (const listener of listeners) listener(message); };
  model.on("msg:custom", onCustom);
  return {
    send(message) { model.send(message); },
    onMessage(callback) { listeners.push(callback); },
    close() { model.off("msg:custom", onCustom); },
  };
}

export default {
  render({ model, el }) {
    const transport = modelTransport(model);
    el.classList.add("nn-live-widget");
    mount(el, transport);
    return () => transport.close();  // the view is gone: stop listening
  },
};
