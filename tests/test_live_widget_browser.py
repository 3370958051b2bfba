"""The notebook widget in real JupyterLab and real Chromium: a notebook's cell makes a
`LiveView`, the page's own UI appears in its output, Play makes the step count and the loss
change, and Pause stops them.

JupyterLab runs headless for this test only: bound to 127.0.0.1 on a free port, with a
random token, a temporary root folder (and temporary Jupyter config, data and runtime
folders), no network checks, stopped at the end, every wait bounded in time. Chromium is
Debian's (see test_replay_browser.py), driven by Playwright. Without Chromium, Playwright,
JupyterLab or anywidget the test skips, saying which is missing.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the browser test needs Playwright: pip install playwright (in the dev extra)",
)
pytest.importorskip("anywidget", reason="the widget needs anywidget: pip install '.[live]'")
pytest.importorskip("jupyterlab", reason="this test runs JupyterLab: pip install jupyterlab")
pytest.importorskip("ipykernel", reason="this test runs a Jupyter kernel: pip install ipykernel")

from test_replay_browser import CHROMIUM_FLAGS, chromium_executable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90.0  # seconds for JupyterLab to answer
CELL = "from nn.live import LiveView\nview = LiveView()\nview"


# The page's step and loss, read in one go (a frame may arrive between two reads).
SHOWN = """root => [root.querySelector("[aria-label='step']").textContent,
                    root.querySelector("[aria-label='loss']").textContent]"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook(source: str) -> dict:
    return {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": "live", "metadata": {},
             "outputs": [], "source": source}
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server for this test: (base URL, token); stopped afterwards."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "live.ipynb").write_text(json.dumps(notebook(CELL)), encoding="utf-8")
    token = secrets.token_hex(16)
    port = free_port()
    env = dict(os.environ)
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])]),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
    )
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly", "--ServerApp.open_browser=False",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # as CI's container runs
    log = open(tmp_path / "jupyterlab.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                text = (tmp_path / "jupyterlab.log").read_text(errors="replace")[-3000:]
                why = "stopped" if server.poll() is not None else f"silent {START_TIMEOUT:.0f} s"
                pytest.fail(f"JupyterLab did not start ({why}):\n{text}")
            time.sleep(0.5)
        yield base, token
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # the server and its kernels
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(10)
        log.close()


@pytest.fixture
def browser():
    executable = chromium_executable()
    if executable is None:
        pytest.skip("the browser test needs Chromium: 'make test' installs it "
                    "(scripts/ensure-chromium.sh), or apt-get install chromium, or set CHROMIUM")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def number(text: str) -> float:
    return float(text.replace("−", "-")) if text.strip() else float("nan")


def test_the_widget_trains_in_jupyterlab_and_pauses(jupyterlab, browser):
    base, token = jupyterlab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    off_machine: list[str] = []
    local = ("http://127.0.0.1", "ws://127.0.0.1", "blob:", "data:")
    context.on("request", lambda r: None if r.url.startswith(local) else off_machine.append(r.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    try:
        page.goto(f"{base}/lab/tree/live.ipynb?token={token}", timeout=60_000)
        editor = page.locator(".jp-Notebook .jp-Cell .cm-content").first
        editor.wait_for(timeout=60_000)
        # The kernel is ready when the status bar says so (a cell run before is dropped).
        page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=60_000)
        editor.click()
        page.keyboard.press("Shift+Enter")

        output = page.locator(".jp-OutputArea-output .nn-live").first
        play = output.get_by_role("button", name="Play", exact=True)
        play.wait_for(timeout=60_000)
        step = output.locator("[aria-label='step']")
        loss = output.locator("[aria-label='loss']")
        page.wait_for_function(
            "el => el.textContent.trim() === '0'", arg=step.element_handle(), timeout=30_000
        )
        play.click()
        seen = []  # (step, loss) as the page shows them (read together), twice while it plays
        for _ in range(2):
            after = seen[-1][0] if seen else 4
            page.wait_for_function(
                f"el => Number(el.textContent) > {after}",
                arg=step.element_handle(),
                timeout=60_000,
            )
            step_text, loss_text = output.evaluate(SHOWN)
            seen.append((int(step_text), number(loss_text)))
        (step1, loss1), (step2, loss2) = seen
        assert step2 > step1 and math.isfinite(loss1) and math.isfinite(loss2)
        assert loss2 != loss1  # the loss moves as it trains

        output.get_by_role("button", name="Pause", exact=True).click()
        time.sleep(1.0)  # the last frame after Pause has arrived
        paused = step.text_content()
        paused_loss = loss.text_content()
        time.sleep(1.5)
        assert step.text_content() == paused and loss.text_content() == paused_loss
        assert int(paused or "0") >= step2
        assert not off_machine, off_machine
        stderr = page.locator("[data-mime-type='application/vnd.jupyter.stderr']")
        assert stderr.count() == 0, stderr.all_inner_texts()
        assert not [e for e in errors if "nn-live" in e or "live" in e.lower()], errors
    except Exception:
        cells = page.locator(".jp-Notebook").first.inner_text(timeout=5_000)[-2000:]
        shot = Path(os.environ.get("TMPDIR", "/tmp")) / "live_widget_failure.png"
        page.screenshot(path=str(shot))
        print("notebook:", cells, "\nconsole:", *console[-30:], "\npage errors:", *errors, sep="\n")
        raise
    finally:
        context.close()
