"""The live page's server: a Starlette app that only moves messages.

It serves the page and its ES modules (from `nn/live/static/` and the engine's
`autograd/static/`), and carries JSON messages between the browser and a `Runner` over a
WebSocket at `/ws` (their format: `nn.live.runner`). It trains nothing itself.

Safe by default, as Jupyter is:
- every request needs the launch's random token, as `?token=` or the cookie the first
  request sets; without it: 403;
- the `Host` header must name this server (127.0.0.1, localhost or [::1], or the host it
  was told to serve on, with its port): a DNS-rebinding page gets 403;
- the WebSocket refuses an `Origin` other than the page's own (cross-site WebSocket
  hijacking);
- a message that is not JSON, too big, or malformed gets an "error" reply and changes
  nothing; more than `RATE` messages a second from one page are dropped (a flood), and
  frames to a slow page are merged, never queued without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import time
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

import autograd
from nn.live.frames import dumps
from nn.live.runner import Runner

STATIC = Path(__file__).parent / "static"
ENGINE_STATIC = Path(autograd.__file__).parent / "static"  # graph_view.js, shared
COOKIE = "nn_live_token"
RATE = 100  # messages a second a page may send (a burst of twice that)
MAX_MESSAGE = 256 * 1024  # bytes
MAX_PENDING = 64  # non-frame messages waiting for a slow page
MEDIA = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
}


class Hub:
    """The pages connected now; what the runner emits goes to each (from any thread)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.clients: set[_Client] = set()

    def emit(self, message: dict) -> None:
        """Called from the training thread: hand the message to the event loop."""
        with contextlib.suppress(RuntimeError):  # a closed loop: the server is stopping
            self.loop.call_soon_threadsafe(self._publish, message)

    def _publish(self, message: dict) -> None:
        for client in list(self.clients):
            client.put(message)


class _Client:
    """One page's outbox: frames merged into the latest, other messages bounded."""

    def __init__(self) -> None:
        self.outbox: deque[dict] = deque()
        self.ready = asyncio.Event()

    def put(self, message: dict) -> None:
        last = self.outbox[-1] if self.outbox else None
        if message.get("type") == "frame" and last is not None and last.get("type") == "frame":
            self.outbox[-1] = merge_frames(last, message)
        else:
            if len(self.outbox) >= MAX_PENDING:
                self.outbox.popleft()
            self.outbox.append(message)
        self.ready.set()


def merge_frames(old: dict, new: dict) -> dict:
    """Two frames as one: the new one's numbers, the old one's parts the new lacks (the
    boundary of a heavy frame), and both curves' points."""
    merged = {**old, **new}
    a, b = old.get("curve"), new.get("curve")
    if a and b:
        if b["start"] == a["start"] + len(a["points"]):
            merged["curve"] = {"start": a["start"], "points": a["points"] + b["points"]}
        elif b["start"] > a["start"]:
            keep = b["start"] - a["start"]
            merged["curve"] = {"start": a["start"], "points": a["points"][:keep] + b["points"]}
    return merged


class _Bucket:
    """A token bucket: `RATE` messages a second, bursts of twice that."""

    def __init__(self) -> None:
        self.tokens = 2.0 * RATE
        self.time = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(2.0 * RATE, self.tokens + (now - self.time) * RATE)
        self.time = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


def create_app(
    token: str,
    port: int,
    config: dict[str, Any] | None = None,
    *,
    host: str = "127.0.0.1",
    speed: float = 0.0,
) -> Starlette:
    """The app for one launch: `token` guards it, `port` and `host` name it (the Host
    header is checked against them), `config` is the runner's first set-up."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    if host not in ("0.0.0.0", "::", ""):
        names.add(f"[{host}]" if ":" in host else host)
    allowed_hosts = {f"{name}:{port}" for name in names}
    state: dict[str, Any] = {}

    def authorised(scope_headers: Any, query: Any, cookies: dict) -> str | None:
        """Why the request is refused, or None."""
        if scope_headers.get("host", "") not in allowed_hosts:
            return "unknown Host header"
        given = query.get("token") or cookies.get(COOKIE) or ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            return "a valid token is needed (the one printed at launch)"
        return None

    def guarded(handler):
        async def endpoint(request: Request) -> Response:
            why = authorised(request.headers, request.query_params, request.cookies)
            if why is not None:
                return PlainTextResponse(f"403 Forbidden: {why}", status_code=403)
            response = await handler(request)
            if request.query_params.get("token") == token:
                response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
            response.headers["Cache-Control"] = "no-store"
            response.headers["Content-Security-Policy"] = (
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                "connect-src 'self'"
            )
            return response

        return endpoint

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        folder = STATIC
        if name.startswith("autograd/"):
            folder, name = ENGINE_STATIC, name[len("autograd/") :]
        path = (folder / name).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            return PlainTextResponse("404 Not Found", status_code=404)
        return FileResponse(path, media_type=MEDIA.get(path.suffix, "application/octet-stream"))

    async def channel(websocket: WebSocket) -> None:
        why = authorised(websocket.headers, websocket.query_params, websocket.cookies)
        origin = websocket.headers.get("origin")
        same_site = origin is None or (  # no Origin: not a browser, and it has the token
            origin.startswith("http://") and origin.split("://", 1)[-1] in allowed_hosts
        )
        if why is None and not same_site:
            why = f"foreign Origin {origin!r}"
        if why is not None:
            await websocket.close(code=1008, reason=why[:120])  # before accept: HTTP 403
            return
        await websocket.accept()
        client = _Client()
        hub: Hub = state["hub"]
        hub.clients.add(client)
        runner: Runner = state["runner"]
        sender = asyncio.create_task(_send_loop(websocket, client))
        bucket = _Bucket()
        dropped = False
        try:
            while True:
                text = await websocket.receive_text()
                if not bucket.take():
                    if not dropped:
                        client.put(
                            {"type": "error", "message": "too many messages: some were dropped"}
                        )
                    dropped = True
                    continue
                dropped = False
                if len(text) > MAX_MESSAGE:
                    client.put({"type": "error", "message": f"message over {MAX_MESSAGE} bytes"})
                    continue
                try:
                    message = json.loads(text)
                except ValueError as e:
                    client.put({"type": "error", "message": f"not a JSON message: {e}"})
                    continue
                runner.submit(message)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            hub.clients.discard(client)
            sender.cancel()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        hub = Hub(asyncio.get_running_loop())
        state["hub"] = hub
        runner = Runner(hub.emit, config)
        runner.speed = speed
        state["runner"] = runner.start()
        try:
            yield
        finally:
            runner.stop()

    app = Starlette(
        routes=[
            Route("/", guarded(index)),
            Route("/static/{name:path}", guarded(static)),
            WebSocketRoute("/ws", channel),
        ],
        lifespan=lifespan,
    )
    app.state.live = state
    return app


async def _send_loop(websocket: WebSocket, client: _Client) -> None:
    try:
        while True:
            await client.ready.wait()
            client.ready.clear()
            while client.outbox:
                await websocket.send_text(dumps(client.outbox.popleft()))
    except Exception:  # the page has gone: the receive loop ends the connection
        pass
