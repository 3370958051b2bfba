"""Watch it learn: the live page (`python -m nn.live`) and what it trains.

- `Session(config=None)`: one training run (data, model, loss, optimizer) with `step()`;
  no server in it (`nn.live.session`); its config's keys, limits and check are
  `nn.live.config`'s.
- `nn.live.runner.Runner`: a session trained in a thread, steered and reported by JSON
  messages (their format: `nn.live.messages`); `nn.live.frames` makes what the page
  draws, `nn.live.sample_graph` a sample's loss graph, `nn.live.maps` the maps' thread.
- `nn.live.app`: the Starlette app that only moves those messages between the runner and
  the page (needs the `live` extra: `pip install 'backprop-lens[live]'`).
- The front end, `nn/live/static/`: plain ES modules; `mount(el, transport)` in `ui.js`
  draws the whole page into `el` and talks through `transport = {send, onMessage}`.
- `LiveView(session=None)`: the same page as a notebook widget (`nn.live.widget`; needs
  anywidget, in the `live` extra).
"""

from nn.live.config import DEFAULTS, ConfigError, check_config
from nn.live.session import Session

__all__ = ["DEFAULTS", "ConfigError", "LiveView", "Session", "check_config"]


def __getattr__(name: str) -> object:
    # LiveView (the notebook widget, nn.live.widget) needs anywidget: imported on first use,
    # so that Session and the app work without it.
    if name == "LiveView":
        from nn.live.widget import LiveView

        return LiveView
    raise AttributeError(f"module 'nn.live' has no attribute {name!r}")
