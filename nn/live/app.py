"""The live page's server: a Starlette app that only moves messages.

It serves the page and its ES modules (from `nn/live/static/` and the engine's
`autograd/static/`), and carries JSON messages between the browser and a `Runner` over a
WebSocket at `/ws` (their format: `nn.live.runner`). It trains nothing itself.

Safe by default, as Jupyter is (docs/live.md, "Security: safe by default", says it for users):
- every request, whatever its path, and the live channel need the launch's random token,
  as `?token=` or the cookie the first request sets (named after the port, so two
  servers do not overwrite each other's); without it: 403. It is compared in constant
  time.
- the `Host` header must name this server (127.0.0.1, localhost or [::1] with its port,
  any case, a trailing dot allowed; or the host it was told to serve on; on a wildcard
  host, also the machine's name and the address the request came in on): a DNS-rebinding
  page gets 403.
- the WebSocket refuses an `Origin` that is not one of those (cross-site WebSocket
  hijacking); no `Origin` at all is a client that is not a browser, with the token.
- every response says `Referrer-Policy: no-referrer` (the token is in the URL that opens
  the page), `Cache-Control: no-store`, `X-Content-Type-Options: nosniff`, and may not be
  framed; the page's Content-Security-Policy lets it load and connect to nothing but this
  server.
- a message that is not JSON, binary, too big, too deep or malformed gets an "error"
  reply and changes nothing; more than `RATE` messages a second from one page are dropped
  (a flood), at most `MAX_PAGES` pages are connected at once, and frames to a slow page
  are merged, never queued without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import re
import socket
import time
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers, QueryParams
from starlette.middleware import Middleware
from starlette.requests import Request, cookie_parser
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

import autograd
from nn.live.config import MAX_MESSAGE, MAX_POINTS, cut  # uvicorn: 4 MB (__main__)
from nn.live.frames import dumps
from nn.live.runner import Runner

STATIC = Path(__file__).parent / "static"
ENGINE_STATIC = Path(autograd.__file__).parent / "static"  # graph_view.js, shared
RATE = 100  # messages a second a page may send (a burst of twice that)
MAX_PENDING = 64  # non-frame messages waiting for a slow page
MAX_PAGES = 16  # pages connected at once
MAX_ERROR = 300  # characters of an error message sent to the page
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
STATIC_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")  # the files' names: one level
MEDIA = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
}
# The page needs nothing but this server: no CDN, no network. Inline styles are the
# graph's SVG (Graphviz's) and the page's own element styles; no inline script runs.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = [
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"content-security-policy", CSP.encode()),
]


def cookie_name(port: int) -> str:
    """The token's cookie: one per port, as cookies are shared by every port of a host."""
    return f"nn_live_token_{port}"


def host_name(header: str, port: int) -> str | None:
    """The host a `Host` header (or an Origin's host part) names, lower-cased, without
    a trailing dot, when its port is `port` (none: 80); else None."""
    header = header.strip().lower()
    if header.startswith("["):  # an IPv6 address: [::1]:port
        address, bracket, rest = header.partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        name, port_text = address + bracket, rest[1:]
    else:
        name, _, port_text = header.partition(":")
        name = name.rstrip(".")
    ours = port_text == str(port) or (port_text == "" and port == 80)  # 80: not written
    return name if name and ours else None


class _Guard:
    """The checks every request goes through before any route: Host, token, Origin (on
    the WebSocket); and the headers every HTTP response gets, the 403s included."""

    def __init__(self, app: ASGIApp, token: str, port: int, host: str) -> None:
        self.app = app
        self.token = token.encode()
        self.port = port
        self.cookie = cookie_name(port)
        self.names = set(LOOPBACK_NAMES)
        self.wildcard = host in WILDCARD_HOSTS
        if self.wildcard:  # reachable by the machine's names and each of its addresses
            for name in (socket.gethostname(), socket.getfqdn()):
                self.names.add(name.lower().rstrip("."))
        else:
            self.names.add(f"[{host.lower()}]" if ":" in host else host.lower().rstrip("."))

    def known(self, name: str | None, scope: Scope) -> bool:
        if name is None:
            return False
        if name in self.names:
            return True
        if self.wildcard and scope.get("server"):
            # The address the connection came in on names this machine.
            address = str(scope["server"][0]).lower()
            if address.startswith("::ffff:") and "." in address:
                address = address[len("::ffff:") :]  # IPv4 on a dual-stack socket
            return name == (f"[{address}]" if ":" in address else address)
        return False

    def refusal(self, scope: Scope) -> str | None:
        """Why the request is refused, or None."""
        headers = Headers(scope=scope)
        hosts = headers.getlist("host")
        if len(hosts) != 1 or not self.known(host_name(hosts[0], self.port), scope):
            return "unknown Host header"
        if not hmac.compare_digest(self.given_token(scope, headers), self.token):
            return "a valid token is needed (the one printed at launch)"
        if scope["type"] == "websocket":
            origin = headers.get("origin")
            if origin is not None and not (
                origin.lower().startswith("http://")
                and self.known(host_name(origin[len("http://") :], self.port), scope)
            ):
                return f"foreign Origin {cut(repr(origin))}"
        return None

    def given_token(self, scope: Scope, headers: Headers) -> bytes:
        query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
        given = query.get("token") or cookie_parser(headers.get("cookie", "")).get(self.cookie)
        return (given or "").encode("utf-8", "surrogateescape")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):  # the lifespan
            await self.app(scope, receive, send)
            return
        why = self.refusal(scope)
        if scope["type"] == "websocket":
            if why is not None:
                await WebSocket(scope, receive, send).close(code=1008, reason=why)  # HTTP 403
                return
            await self.app(scope, receive, send)
            return
        query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
        set_cookie = why is None and query.get("token") is not None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"
                ]
                headers += SECURITY_HEADERS
                if set_cookie:
                    cookie = (
                        f"{self.cookie}={self.token.decode()}; HttpOnly; Path=/; SameSite=Strict"
                    )
                    headers.append((b"set-cookie", cookie.encode()))
                message = {**message, "headers": headers}
            await send(message)

        if why is not None:
            response = PlainTextResponse(f"403 Forbidden: {why}", status_code=403)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


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
        if message.get("type") == "error":  # never a huge value echoed back
            message = {**message, "message": cut(str(message.get("message")), MAX_ERROR)}
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
    state: dict[str, Any] = {}

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        folder = STATIC
        if name.startswith("autograd/"):
            folder, name = ENGINE_STATIC, name[len("autograd/") :]
        if not STATIC_NAME.fullmatch(name):  # a NUL byte or a huge name made resolve() fail
            return PlainTextResponse("404 Not Found", status_code=404)
        path = (folder / name).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            return PlainTextResponse("404 Not Found", status_code=404)
        return FileResponse(path, media_type=MEDIA.get(path.suffix, "application/octet-stream"))

    async def channel(websocket: WebSocket) -> None:  # the token, Host, Origin: _Guard's
        await websocket.accept()
        hub: Hub = state["hub"]
        if len(hub.clients) >= MAX_PAGES:
            why = f"too many pages open (at most {MAX_PAGES}): close one and reload"
            await websocket.send_text(dumps({"type": "error", "message": why}))
            await websocket.close(code=1008, reason=why)
            return
        client = _Client()
        hub.clients.add(client)
        sender = asyncio.create_task(_send_loop(websocket, client))
        try:
            await _receive_loop(websocket, client, state["runner"])
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
            Route("/", index),
            Route("/static/{name:path}", static),
            WebSocketRoute("/ws", channel),
        ],
        middleware=[Middleware(_Guard, token=token, port=port, host=host)],
        lifespan=lifespan,
    )
    app.state.live = state
    return app


async def _receive_loop(websocket: WebSocket, client: _Client, runner: Runner) -> None:
    """The page's messages to the runner; whatever they are, the connection stays and
    a bad one gets an "error" reply."""
    bucket = _Bucket()
    dropped = False
    loop = asyncio.get_running_loop()

    def reply(message: dict) -> None:
        """To this page alone (from the training thread too): its message's refusal."""
        with contextlib.suppress(RuntimeError):  # a closed loop: the server is stopping
            loop.call_soon_threadsafe(client.put, message)

    while True:
        received = await websocket.receive()
        if received["type"] == "websocket.disconnect":
            return
        if not bucket.take():
            if not dropped:
                client.put({"type": "error", "message": "too many messages: some were dropped"})
            dropped = True
            continue
        dropped = False
        text = received.get("text")
        if text is None:
            client.put({"type": "error", "message": "a binary message: send JSON text"})
            continue
        if len(text) > MAX_MESSAGE:
            why = f"a message over {MAX_MESSAGE // 1024} kB (a CSV: {MAX_POINTS} rows at most)"
            client.put({"type": "error", "message": why})
            continue
        try:
            message = json.loads(text)
        except (ValueError, RecursionError) as e:  # RecursionError: nested too deep
            why = "nested too deep" if isinstance(e, RecursionError) else str(e)
            client.put({"type": "error", "message": f"not a JSON message: {why}"})
            continue
        try:
            runner.submit(message, reply)
        except Exception as e:  # the runner refuses with a reply; this is a last guard
            client.put({"type": "error", "message": f"message refused: {e}"})


async def _send_loop(websocket: WebSocket, client: _Client) -> None:
    try:
        while True:
            await client.ready.wait()
            client.ready.clear()
            while client.outbox:
                await websocket.send_text(dumps(client.outbox.popleft()))
    except Exception:  # the page has gone: the receive loop ends the connection
        pass
