"""The live server attacked as an outsider would: headers, Host and Origin variants, the
token's cookie, and hostile messages on the live channel. Each hostile message must get a
clear "error" reply, leave the connection and the server up, and the training state as it
was (the runner's session compared before and after). All traffic is in-process
(Starlette's TestClient) or to 127.0.0.1, bounded in count and time."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip(
    "starlette", reason="the server tests need the live extra: pip install -e '.[live]'"
)
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx (in the dev extra)")

from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from nn.live import ConfigError, Session, check_config
from nn.live import app as app_module
from nn.live.app import create_app

TOKEN = "test-token-456"
PORT = 8766
HOST = f"127.0.0.1:{PORT}"
SAME_ORIGIN = {"host": HOST, "origin": f"http://{HOST}"}
CONFIG = {"dataset": "xor", "layers": [3], "samples": 20}


@pytest.fixture
def app():
    return create_app(TOKEN, PORT, CONFIG)


@pytest.fixture
def client(app):
    with TestClient(app, base_url=f"http://{HOST}") as c:
        yield c


def runner_of(app):
    return app.state.live["runner"]


def training_state(app):
    """What a hostile message must not change: the session, its step, every parameter,
    the optimizer's state and the config."""
    runner = runner_of(app)
    runner.wait_idle()
    session = runner.session
    buffers = getattr(session.optimizer, "_buffers", None)
    return (
        id(session),
        session.steps,
        [p.data for p in session.params],
        None if buffers is None else list(buffers),
        session.config,
    )


def receive_until(ws, kind, limit=200):
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} message in {limit}")


def frame_at(ws, step, limit=200):
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == "frame" and message["step"] == step:
            return message
    raise AssertionError(f"no frame of step {step}")


# --- HTTP: headers, paths, Host, cookie ------------------------------------------------------


def test_every_response_carries_the_safety_headers(client):
    responses = {
        "page": client.get(f"/?token={TOKEN}"),
        "module": client.get("/static/ui.js"),  # by the cookie the page set
        "no token": client.get("/?token=wrong"),
        "missing file": client.get("/static/nothing.js"),
        "unknown path": client.get("/nothing"),
    }
    for what, response in responses.items():
        headers = response.headers
        assert headers["referrer-policy"] == "no-referrer", what  # the token is in the URL
        assert headers["x-content-type-options"] == "nosniff", what
        assert headers["x-frame-options"] == "DENY", what
        assert headers["cache-control"] == "no-store", what
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, what
    assert responses["page"].status_code == 200


def test_every_path_needs_the_token(app):
    with TestClient(app, base_url=f"http://{HOST}") as fresh:  # no cookie yet
        for path in ["/", "/nothing", "/static/nothing.js", "/static/ui.js", "/ws"]:
            assert fresh.get(path).status_code == 403, path
        assert fresh.get(f"/nothing?token={TOKEN}").status_code == 404


def test_no_response_carries_the_token_but_its_cookie(client):
    for path in ["/", "/nothing", f"/?token={TOKEN}", "/static/main.js", "/static/nothing.js"]:
        response = client.get(path)
        assert TOKEN not in response.text, path
        header_text = " ".join(
            f"{k}: {v}" for k, v in response.headers.items() if k != "set-cookie"
        )
        assert TOKEN not in header_text, path


def test_odd_static_paths_are_404_never_a_server_error(app):
    with TestClient(app, base_url=f"http://{HOST}", raise_server_exceptions=False) as c:
        for name in [
            "%00",
            "ui.js%00.png",
            "a" * 5000,
            "..%2fapp.py",
            "autograd/..%2f..%2fnn%2flive%2fapp.py",
            "%2fetc%2fpasswd",
            ".hidden",
            "autograd",
            "",
        ]:
            response = c.get(f"/static/{name}?token={TOKEN}")
            assert response.status_code == 404, name
        assert c.get(f"/static/autograd/graph_view.js?token={TOKEN}").status_code == 200


def test_the_cookie_is_named_after_the_port(client):
    # Cookies are shared by every port of a host: two servers (or another local app) must
    # not overwrite or read each other's by name.
    response = client.get(f"/?token={TOKEN}")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"nn_live_token_{PORT}={TOKEN};")
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    # The cookie of a server on another port opens nothing here.
    other = f"nn_live_token_{PORT + 1}={TOKEN}"
    with TestClient(create_app(TOKEN, PORT, CONFIG), base_url=f"http://{HOST}") as fresh:
        assert fresh.get("/", headers={"cookie": other}).status_code == 403


@pytest.mark.parametrize(
    "host", [HOST, f"localhost:{PORT}", f"LOCALHOST:{PORT}", f"localhost.:{PORT}", f"[::1]:{PORT}"]
)
def test_host_names_of_this_server_are_accepted(client, host):
    assert client.get(f"/?token={TOKEN}", headers={"host": host}).status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        f"evil.example:{PORT}",
        f"localhost.evil.example:{PORT}",
        f"127.0.0.1.nip.io:{PORT}",
        "127.0.0.1",  # the port is not 80
        f"127.0.0.1:{PORT + 1}",
        f"127.0.0.1:0{PORT}",
        f"127.0.0.1:{PORT}:{PORT}",
        f"[::1]x:{PORT}",
        f":{PORT}",
        "",
    ],
)
def test_other_host_headers_are_403(client, host):
    response = client.get(f"/?token={TOKEN}", headers={"host": host})
    assert response.status_code == 403 and "Host" in response.text


def test_two_host_headers_are_403(client):
    for hosts in [(HOST, "evil.example"), ("evil.example", HOST), (HOST, HOST)]:
        response = client.get(f"/?token={TOKEN}", headers=[("host", h) for h in hosts])
        assert response.status_code == 403, hosts


def test_a_wildcard_host_accepts_the_machines_address_and_still_checks_host():
    # --host 0.0.0.0: the page is opened from another machine by this one's address
    # (the address the connection came in on) or its name; any other Host is still 403.
    app = create_app(TOKEN, PORT, CONFIG, host="0.0.0.0")
    lan = f"192.0.2.7:{PORT}"
    with TestClient(app, base_url=f"http://{lan}") as c:  # the connection comes in on it
        assert c.get(f"/?token={TOKEN}").status_code == 200
        assert c.get(f"/?token={TOKEN}", headers={"host": HOST}).status_code == 200
        name = f"{socket.gethostname()}:{PORT}"
        assert c.get(f"/?token={TOKEN}", headers={"host": name}).status_code == 200
        assert (
            c.get(f"/?token={TOKEN}", headers={"host": f"evil.example:{PORT}"}).status_code == 403
        )
        assert c.get(f"/?token={TOKEN}", headers={"host": f"192.0.2.8:{PORT}"}).status_code == 403
        c.cookies.clear()
        assert c.get("/").status_code == 403  # and the token is still needed
        origin = {"host": lan, "origin": f"http://{lan}"}
        with c.websocket_connect(f"ws://{lan}/ws?token={TOKEN}", headers=origin) as ws:
            ws.send_text('{"type": "hello"}')
            receive_until(ws, "setup")
    # Served on loopback, the same address is not this server's name.
    with TestClient(create_app(TOKEN, PORT, CONFIG), base_url=f"http://{lan}") as c:
        assert c.get(f"/?token={TOKEN}").status_code == 403


def test_a_named_host_is_accepted_beside_loopback():
    app = create_app(TOKEN, PORT, CONFIG, host="192.0.2.7")
    with TestClient(app, base_url=f"http://192.0.2.7:{PORT}") as c:
        assert c.get(f"/?token={TOKEN}").status_code == 200
        assert c.get(f"/?token={TOKEN}", headers={"host": HOST}).status_code == 200
        assert c.get(f"/?token={TOKEN}", headers={"host": f"192.0.2.8:{PORT}"}).status_code == 403


# --- the live channel: who may open it ------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        f"http://evil.example:{PORT}",
        "null",  # a sandboxed frame or a file:// page
        f"https://{HOST}",
        f"http://{HOST}.evil.example",
        f"http://127.0.0.1:{PORT + 1}",
    ],
)
def test_the_live_channel_refuses_a_foreign_origin(client, origin):
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(f"/ws?token={TOKEN}", headers={"host": HOST, "origin": origin}),
    ):
        pass
    assert refused.value.code == 1008 and "Origin" in refused.value.reason


@pytest.mark.parametrize(
    "origin", [f"http://{HOST}", f"http://localhost:{PORT}", f"http://[::1]:{PORT}", None]
)
def test_the_live_channel_opens_for_this_servers_pages(client, origin):
    headers = {"host": HOST} if origin is None else {"host": HOST, "origin": origin}
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=headers) as ws:
        ws.send_text('{"type": "hello"}')
        receive_until(ws, "setup")


def test_the_live_channel_needs_the_token_in_its_url_or_cookie(app):
    with TestClient(app, base_url=f"http://{HOST}") as fresh:
        for query in ["", "?token=", "?token=x", f"?token={TOKEN[:-1]}", f"?token={TOKEN}x"]:
            with pytest.raises(WebSocketDisconnect) as refused:
                with fresh.websocket_connect("/ws" + query, headers=SAME_ORIGIN):
                    pass
            assert "token" in refused.value.reason, query
        # Offered as a subprotocol, it is not accepted either (only query or cookie).
        with pytest.raises(WebSocketDisconnect):
            with fresh.websocket_connect("/ws", headers=SAME_ORIGIN, subprotocols=[TOKEN]):
                pass
        cookie = fresh.get(f"/?token={TOKEN}").headers["set-cookie"].split(";")[0]
        # (TestClient's jar does not send it to ws:// URLs; a browser does.)
        with fresh.websocket_connect("/ws", headers={**SAME_ORIGIN, "cookie": cookie}) as ws:
            ws.send_text('{"type": "hello"}')
            receive_until(ws, "setup")


def test_at_most_max_pages_connect_at_once(client, monkeypatch):
    monkeypatch.setattr(app_module, "MAX_PAGES", 2)
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=SAME_ORIGIN) as first:
        with client.websocket_connect(f"/ws?token={TOKEN}", headers=SAME_ORIGIN):
            with client.websocket_connect(f"/ws?token={TOKEN}", headers=SAME_ORIGIN) as third:
                assert "too many pages" in receive_until(third, "error")["message"]
                with pytest.raises(WebSocketDisconnect):
                    third.receive_json()
        first.send_text('{"type": "hello"}')  # the others are served on
        receive_until(first, "setup")


# --- the live channel: hostile messages -------------------------------------------------------

HOSTILE = {
    "type as a list": '{"type": ["play"]}',
    "type as an object": '{"type": {}}',
    "type null": '{"type": null}',
    "a number": "5",
    "null": "null",
    "speed NaN": '{"type": "speed", "value": NaN}',
    "speed Infinity": '{"type": "speed", "value": Infinity}',
    "speed huge": '{"type": "speed", "value": 1e308}',
    "lr negative": '{"type": "config", "config": {"lr": -1}}',
    "lr NaN": '{"type": "config", "config": {"lr": NaN}}',
    "lr absurd": '{"type": "config", "config": {"lr": 1e300}}',
    "lr as text": '{"type": "config", "config": {"lr": "0.1"}}',
    "1000 layers": json.dumps({"type": "config", "config": {"layers": [4] * 1000}}),
    "a million neurons": '{"type": "config", "config": {"layers": [1000000]}}',
    "too much work": json.dumps(
        {"type": "config", "config": {"layers": [32] * 6, "samples": 1000}}
    ),
    "unknown dataset": '{"type": "config", "config": {"dataset": "mnist"}}',
    "huge samples": '{"type": "config", "config": {"samples": 1000000000}}',
    "config null": '{"type": "config", "config": null}',
    "unknown key": '{"type": "config", "config": {"__class__": 1}}',
    "CSV with NaN": '{"type": "config", "config": {"dataset": "custom", "points": [[NaN, 0, 0]]}}',
    "CSV with inf": '{"type": "config", "config": {"dataset": "custom", "points": [[1, Infinity, 0]]}}',
    "CSV with text": '{"type": "config", "config": {"dataset": "custom", "points": [["x", 0, 0]]}}',
    "CSV too long": json.dumps(
        {"type": "config", "config": {"dataset": "custom", "points": [[0.5, 0.5, 1]] * 1001}}
    ),
    "add a point at NaN": '{"type": "add_point", "x": NaN, "y": 0, "class": 0}',
    "select a huge sample": '{"type": "select", "sample": 1000000000000}',
    "explain a missing node": '{"type": "explain", "node": 100000000}',
    "download a path": '{"type": "download", "what": "../../etc/passwd"}',
    "a private message": '{"type": "_use", "session": null}',
    "malformed JSON": "{not json",
    "empty": "",
    "nested too deep": "[" * 100_000 + "]" * 100_000,
    "a huge integer": "9" * 10_000,
    "a huge value echoed": json.dumps({"type": "config", "config": {"dataset": "A" * 200_000}}),
    "over the size limit": "x" * 300_000,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_message_gets_a_clear_error_and_changes_nothing(app, client, name):
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=SAME_ORIGIN) as ws:
        ws.send_text('{"type": "step"}')
        frame_at(ws, 1)
        before = training_state(app)
        ws.send_text(HOSTILE[name])
        error = receive_until(ws, "error")
        assert 10 < len(error["message"]) <= 300, error["message"][:400]
        if name.startswith("type as"):  # the runner's own refusal, as in the widget
            assert error["message"].startswith("unknown message type"), error["message"]
        assert training_state(app) == before
        ws.send_text('{"type": "step"}')  # the connection and the server work on
        frame_at(ws, 2)


def test_a_refusal_and_a_download_go_to_the_page_that_asked_alone(app, client):
    # Another page open on the same server sees the state change (the frame of a step),
    # never the refusal of someone else's malformed message, nor their file.
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=SAME_ORIGIN) as sender:
        with client.websocket_connect(f"/ws?token={TOKEN}", headers=SAME_ORIGIN) as other:
            other.send_text('{"type": "hello"}')
            receive_until(other, "setup")
            asked = [
                '{"type": "boom"}',  # refused on arrival
                '{"type": "select", "sample": 100000}',  # refused by the training thread
                '{"type": "download", "what": "model"}',
            ]
            for text in asked:
                sender.send_text(text)
            sender.send_text('{"type": "step"}')
            seen = []
            for _ in range(200):
                message = sender.receive_json()
                seen.append(message["type"])
                if message["type"] == "frame" and message["step"] == 1:
                    break
            assert seen.count("error") == 2 and "download" in seen, seen
            others = []
            for _ in range(200):
                message = other.receive_json()
                others.append(message["type"])
                if message["type"] == "frame" and message["step"] == 1:
                    break
            assert "error" not in others and "download" not in others, others


def test_a_binary_frame_gets_a_clear_error_and_changes_nothing(app, client):
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=SAME_ORIGIN) as ws:
        before = training_state(app)
        ws.send_bytes(b"\x00\x01 not text")
        assert "binary" in receive_until(ws, "error")["message"]
        assert training_state(app) == before
        ws.send_text('{"type": "hello"}')
        receive_until(ws, "setup")


def test_a_slow_page_costs_bounded_memory():
    # A page that never reads: its frames are merged into the latest, everything else
    # is capped, whatever the runner emits.
    client = app_module._Client()
    for step in range(20_000):
        client.put({"type": "frame", "step": step, "values": [step] * 50})
        if step % 2:
            client.put({"type": "error", "message": "x" * 100_000})
    assert len(client.outbox) <= app_module.MAX_PENDING + 1
    frames = [m for m in client.outbox if m["type"] == "frame"]
    assert frames and frames[-1]["step"] == 19_999
    assert all(
        len(m["message"]) <= app_module.MAX_ERROR for m in client.outbox if m["type"] == "error"
    )


# --- the config's limits ----------------------------------------------------------------------


def test_a_set_up_too_big_to_train_live_is_refused_saying_why():
    # Each limit at its maximum is fine; all of them at once (seconds a step, and tens of
    # seconds and hundreds of MB to trace, here) is refused before anything is built.
    with pytest.raises(ConfigError, match="too big to train live"):
        Session({"layers": [32] * 6, "samples": 1000})
    assert Session({"layers": [32] * 6, "samples": 100}).config["layers"] == [32] * 6
    assert check_config({"samples": 1000})["samples"] == 1000
    big_spiral = {"dataset": "spiral", "loss": "cross_entropy", "samples": 1000, "layers": [32, 32]}
    assert check_config(big_spiral)["layers"] == [32, 32]
    points = [[0.1 * (i % 10), 0.1 * (i // 10), i % 2] for i in range(1000)]
    with pytest.raises(ConfigError, match="too big"):
        check_config({"dataset": "moons", "samples": 1000, "points": points, "layers": [32] * 3})


def test_error_messages_never_echo_a_huge_value():
    for config in [
        {"dataset": "A" * 100_000},
        {"lr": "9" * 100_000},
        {"layers": [1] * 100_000},
        {"A" * 100_000: 1},
        {"points": [["x" * 100_000, 0, 0]]},
    ]:
        with pytest.raises(ConfigError) as refused:
            check_config(config)
        assert len(str(refused.value)) < 200


def test_the_traced_code_is_traced_once_per_session(monkeypatch):
    # Downloading the code of an engine-step session traces the full batch: asked again
    # (a page pressing the button in a loop), it must not trace again.
    import nn.live.session as session_module

    made = []
    real = session_module.TracedLoss

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(session_module, "TracedLoss", counting)
    session = Session({"dataset": "spiral", "loss": "cross_entropy", "samples": 30, "layers": [4]})
    assert session.step_mode == "engine"
    first = session.traced_source
    assert session.traced_source == first and len(made) == 1


# --- the command line: --host ---------------------------------------------------------------


def test_the_printed_address_opens_the_page_whatever_the_host():
    from nn.live.__main__ import is_loopback, page_url

    assert page_url("127.0.0.1", 8765, "t") == "http://127.0.0.1:8765/?token=t"
    assert page_url("0.0.0.0", 8765, "t") == "http://127.0.0.1:8765/?token=t"
    assert page_url("::", 8765, "t") == "http://[::1]:8765/?token=t"  # not [::], refused as Host
    assert page_url("::1", 8765, "t") == "http://[::1]:8765/?token=t"
    assert page_url("192.0.2.7", 8765, "t") == "http://192.0.2.7:8765/?token=t"
    assert page_url("fd00::2", 8765, "t") == "http://[fd00::2]:8765/?token=t"
    assert all(is_loopback(h) for h in ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
    assert not any(is_loopback(h) for h in ["0.0.0.0", "::", "", "192.0.2.7", "example.org"])


def _serve(*args: str):
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "nn.live", "--port", "0", "--no-browser", "--dataset", "xor", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
        cwd=root,
    )
    line = process.stdout.readline()
    assert "/?token=" in line, line + process.stderr.read()
    return process, line[line.index("http://") :].strip()


def _get(address: str, port: int, path: str, host: str, family=socket.AF_INET) -> int:
    """The status of a GET to `address` (loopback) with the given Host header."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.socket(family) as s:
                s.settimeout(10)
                s.connect((address, port))
                s.sendall(
                    f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
                )
                return int(s.recv(64).split()[1])
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _stop(process) -> str:
    process.terminate()
    try:
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    return process.stderr.read()


def test_cli_on_a_wildcard_host_warns_and_accepts_the_machines_name():
    process, url = _serve("--host", "0.0.0.0")
    try:
        assert url.startswith("http://127.0.0.1:")
        port = int(url.split(":")[2].split("/")[0])
        path = url[url.index("/?") :]
        assert _get("127.0.0.1", port, path, f"127.0.0.1:{port}") == 200
        assert _get("127.0.0.1", port, path, f"{socket.gethostname()}:{port}") == 200
        assert _get("127.0.0.1", port, path, f"evil.example:{port}") == 403  # Host still checked
        assert _get("127.0.0.1", port, "/", f"127.0.0.1:{port}") == 403  # and the token
    finally:
        stderr = _stop(process)
    assert "warning: nn.live is serving on every interface" in stderr


def test_cli_on_ipv6_loopback_prints_a_bracketed_address_that_opens():
    if not socket.has_ipv6:
        pytest.skip("this machine has no IPv6")
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("this machine cannot listen on ::1")
    process, url = _serve("--host", "::1")
    try:
        assert url.startswith("http://[::1]:")
        port = int(url.split("]:")[1].split("/")[0])
        path = url[url.index("/?") :]
        assert _get("::1", port, path, f"[::1]:{port}", socket.AF_INET6) == 200
        assert _get("::1", port, path, f"evil.example:{port}", socket.AF_INET6) == 403
    finally:
        stderr = _stop(process)
    assert "warning" not in stderr  # ::1 is loopback


def test_cli_serves_the_page_beside_many_half_open_connections():
    # Slowloris from this machine: 110 connections that never finish their request must
    # not lock the page out (a connection limit would answer the user 503).
    process, url = _serve()
    port = int(url.split(":")[2].split("/")[0])
    path = url[url.index("/?") :]
    held = []
    try:
        assert _get("127.0.0.1", port, path, f"127.0.0.1:{port}") == 200  # the server is up
        for _ in range(110):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1")
            held.append(s)
        assert _get("127.0.0.1", port, path, f"127.0.0.1:{port}") == 200
    finally:
        for s in held:
            s.close()
        _stop(process)
