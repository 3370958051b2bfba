"""The live page's server without a browser: the token, the Host and Origin checks, bad
messages, and `python -m nn.live` itself (prints its URL, stops with exit status 0 on
SIGINT and SIGTERM, says what to install without the live extra). All traffic goes to
127.0.0.1 only (Starlette's TestClient calls the app in-process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the server tests need the live extra: pip install -e '.[live]'")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx (in the dev extra)")

from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from nn.live.app import cookie_name, create_app

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-token-123"
PORT = 8765
HOST = f"127.0.0.1:{PORT}"
SAME_ORIGIN = {"host": HOST, "origin": f"http://{HOST}"}


@pytest.fixture
def client():
    app = create_app(TOKEN, PORT, {"dataset": "xor", "layers": [3], "samples": 20})
    with TestClient(app, base_url=f"http://{HOST}") as c:
        yield c


def receive_until(ws, kind, limit=50):
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} message in {limit}")


def test_no_token_is_403(client):
    assert client.get("/").status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    assert client.get("/static/ui.js").status_code == 403


def test_the_token_opens_the_page_and_sets_a_cookie(client):
    response = client.get(f"/?token={TOKEN}")
    assert response.status_code == 200 and "main.js" in response.text
    assert response.cookies.get(cookie_name(PORT)) == TOKEN
    # The cookie alone now opens everything.
    assert client.get("/static/ui.js").status_code == 200
    assert client.get("/static/autograd/graph_view.js").status_code == 200
    assert client.get("/static/../app.py").status_code in (403, 404)


def test_a_foreign_host_header_is_403(client):
    response = client.get(f"/?token={TOKEN}", headers={"host": "evil.example:8765"})
    assert response.status_code == 403
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect(f"/ws?token={TOKEN}", headers={"host": "evil.example"}):
            pass
    assert "Host" in refused.value.reason


def test_the_live_channel_needs_the_token(client):
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/ws", headers={"host": HOST}) as ws:
            ws.receive_json()
    assert refused.value.code == 1008 and "token" in refused.value.reason


def test_a_foreign_origin_is_refused(client):
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect(
            f"/ws?token={TOKEN}", headers={"host": HOST, "origin": "http://evil.example"}
        ) as ws:
            ws.receive_json()
    assert "Origin" in refused.value.reason


def frame_at(ws, step, limit=200):
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == "frame" and message["step"] == step:
            return message
    raise AssertionError(f"no frame of step {step}")


def test_malformed_messages_leave_the_server_alive_and_the_state_unchanged(client):
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=SAME_ORIGIN) as ws:
        ws.send_text('{"type": "hello"}')  # as the page does when it opens
        setup = receive_until(ws, "setup")
        ws.send_text('{"type": "step"}')
        before = frame_at(ws, 1)
        for bad in ["{not json", "[]", '{"type": "config", "config": {"lr": -3}}', "x" * 300_000]:
            ws.send_text(bad)
            assert receive_until(ws, "error")["message"]
        ws.send_text('{"type": "hello"}')
        assert receive_until(ws, "setup")["config"] == setup["config"]
        after = frame_at(ws, 1)
        assert after["values"] == before["values"] and after["loss"] == before["loss"]
        ws.send_text('{"type": "step"}')
        frame_at(ws, 2)


def test_a_message_flood_is_bounded(client):
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=SAME_ORIGIN) as ws:
        ws.send_text('{"type": "hello"}')
        receive_until(ws, "setup")
        for _ in range(600):
            ws.send_text('{"type": "speed", "value": 5}')
        error = receive_until(ws, "error", limit=2000)
        assert "too many" in error["message"]
        time.sleep(1.1)  # the bucket refills
        ws.send_text('{"type": "step"}')
        for _ in range(2000):
            m = ws.receive_json()
            if m["type"] == "frame" and m["step"] == 1:
                break
        else:
            raise AssertionError("the step after the flood never came")


# --- the command line -----------------------------------------------------------------------


def start(*args: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "nn.live", "--port", "0", "--no-browser", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    line = process.stdout.readline()
    assert "http://127.0.0.1:" in line and "/?token=" in line, line
    return process, line[line.index("http://") :].strip()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_prints_its_url_and_stops_cleanly(sig):
    process, url = start("--dataset", "circles")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert response.status == 200
                break
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        bare = url.split("?")[0]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bare, timeout=5)
        assert refused.value.code == 403
        process.send_signal(sig)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_accepts_a_connection_as_soon_as_it_prints_its_url():
    # A script that waits for the line and connects at once must not be refused: the
    # socket listens before the line is printed (the first request waits for the app).
    process, url = start()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            assert response.status == 200
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_stops_cleanly_on_a_signal_right_after_its_url(sig):
    # Before uvicorn has installed its handlers, a stop must still stop (no ignored Ctrl-C).
    process, _ = start()
    try:
        process.send_signal(sig)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_says_what_to_install_without_the_live_extra(tmp_path):
    # A stand-in package that fails to import, as a missing one does.
    for name in ("starlette", "uvicorn"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    result = subprocess.run(
        [sys.executable, "-m", "nn.live", "--no-browser", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'backprop-lens[live]'" in lines[0]


def test_cli_refuses_a_bad_starting_state():
    result = subprocess.run(
        [sys.executable, "-m", "nn.live", "--no-browser", "--lr", "-1"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2 and "lr must be in" in result.stderr


def test_engine_and_nn_import_none_of_the_server():
    code = (
        "import sys, autograd, nn, nn.live, nn.live.runner; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
    )
    assert out.stdout.strip() == "[]", out.stderr
