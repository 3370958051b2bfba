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
FIT_STEPS = 200
FIT_CELL = f"""from IPython.display import display
from nn import MLP, fit
from nn.live import LiveView, Session
from nn.losses import hinge
from nn.optim import SGD

data = Session()
model = MLP(2, [16, 16, 1], rng=7)
view = LiveView()
display(view)
history = fit(model, data.train_xs, data.targets(data.train_ys), hinge,
              SGD(model.parameters(), lr=0.05), steps={FIT_STEPS}, progress=False, live=view)
"""


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


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server for these tests: (base URL, token); stopped afterwards."""
    tmp_path = tmp_path_factory.mktemp("jupyterlab")
    root = tmp_path / "root"
    root.mkdir()
    (root / "live.ipynb").write_text(json.dumps(notebook(CELL)), encoding="utf-8")
    (root / "fit.ipynb").write_text(json.dumps(notebook(FIT_CELL)), encoding="utf-8")
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


@pytest.fixture(scope="module")
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


class Lab:
    """A notebook opened in JupyterLab in a fresh browser context, with what it logged."""

    def __init__(self, browser, base: str, token: str, name: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.off_machine: list[str] = []
        local = ("http://127.0.0.1", "ws://127.0.0.1", "blob:", "data:")
        self.context.on(
            "request", lambda r: None if r.url.startswith(local) else self.off_machine.append(r.url)
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.console: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        # A workspace of its own, reset: no tab of another test is restored beside it.
        workspace = name.replace(".", "-")
        self.url = f"{base}/lab/workspaces/{workspace}/tree/{name}?token={token}&reset"

    def run_first_cell(self):
        """Open the notebook, run its cell; the widget's root element once it shows."""
        page = self.page
        page.goto(self.url, timeout=60_000)
        editor = page.locator(".jp-Notebook .jp-Cell .cm-content").first
        editor.wait_for(timeout=60_000)
        # The kernel is ready when the status bar says so (a cell run before is dropped).
        page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=60_000)
        prompt = page.locator(".jp-Cell .jp-InputPrompt").first
        for _ in range(4):  # a run asked for before the kernel is connected is dropped
            editor.click()
            page.keyboard.press("Shift+Enter")
            try:
                page.wait_for_function(
                    "el => el.textContent.trim() !== '[ ]:'",
                    arg=prompt.element_handle(),
                    timeout=15_000,
                )
                break
            except sync_api.TimeoutError:
                continue
        output = page.locator(".jp-OutputArea-output .nn-live").first
        output.get_by_role("button", name="Play", exact=True).wait_for(timeout=60_000)
        return output

    def check_clean(self) -> None:
        assert not self.off_machine, self.off_machine
        stderr = self.page.locator("[data-mime-type='application/vnd.jupyter.stderr']")
        assert stderr.count() == 0, stderr.all_inner_texts()
        assert not self.errors, self.errors

    def report(self) -> None:
        """On failure: the notebook's text, the console, and a screenshot."""
        cells = self.page.locator(".jp-Notebook").first.inner_text(timeout=5_000)[-2000:]
        shot = Path(os.environ.get("TMPDIR", "/tmp")) / "live_widget_failure.png"
        self.page.screenshot(path=str(shot))
        print("notebook:", cells, "\nconsole:", *self.console[-30:], "\npage errors:",
              *self.errors, sep="\n")  # fmt: skip

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def lab(jupyterlab, browser):
    base, token = jupyterlab
    opened: list[Lab] = []

    def open_notebook(name: str) -> Lab:
        opened.append(Lab(browser, base, token, name))
        return opened[-1]

    yield open_notebook
    for visit in opened:
        visit.close()


def test_the_widget_trains_in_jupyterlab_and_pauses(lab):
    visit = lab("live.ipynb")
    page = visit.page
    try:
        output = visit.run_first_cell()
        step = output.locator("[aria-label='step']")
        loss = output.locator("[aria-label='loss']")
        page.wait_for_function(
            "el => el.textContent.trim() === '0'", arg=step.element_handle(), timeout=30_000
        )
        output.get_by_role("button", name="Play", exact=True).click()
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
        visit.check_clean()
    except Exception:
        visit.report()
        raise


# The widget's step and the cell's prompt ("[*]:" while it runs), read in one go.
STEP_AND_PROMPT = """() => [
    document.querySelector(".jp-OutputArea-output .nn-live [aria-label='step']").textContent,
    document.querySelector(".jp-Cell .jp-InputPrompt").textContent]"""


def test_your_fit_in_a_busy_cell_updates_the_widget_while_it_runs(lab):
    """fit(..., live=view) in the cell itself: the cell is busy until fit returns, and the
    widget's step count still moves all the while (the frames come from the view's own
    thread); at the end it shows fit's last step."""
    visit = lab("fit.ipynb")
    page = visit.page
    try:
        visit.run_first_cell()
        busy_steps = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            step_text, prompt = page.evaluate(STEP_AND_PROMPT)
            if "*" not in prompt:
                break
            if step_text.isdigit() and 0 < int(step_text) < FIT_STEPS:
                busy_steps.add(int(step_text))
            time.sleep(0.05)
        assert len(busy_steps) >= 3, busy_steps  # it moved while the cell was running
        page.wait_for_function(
            f"() => document.querySelector(\".jp-OutputArea-output .nn-live [aria-label='step']\")"
            f".textContent === '{FIT_STEPS}'",
            timeout=30_000,
        )
        visit.check_clean()
    except Exception:
        visit.report()
        raise
