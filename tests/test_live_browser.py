"""The live page in real Chromium: Play, Pause, Step, Reset, a point's graph, a neuron
added, a malformed message, and the safety checks, against `python -m nn.live` started
on a free port of 127.0.0.1.

Headless Chromium (Debian's package, or $CHROMIUM) driven by Playwright, which never
downloads a browser here; without either, or without the live extra, the test skips and
says which is missing. The sample's graph is drawn with Graphviz's dot.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from autograd import topological_order
from autograd.formatting import format_number
from nn.live import Session
from nn.live.session import config_from_query

pytestmark = pytest.mark.requires_dot

pytest.importorskip("starlette", reason="the live page needs the live extra: pip install -e '.[live]'")
pytest.importorskip("uvicorn", reason="the live page needs the live extra: pip install -e '.[live]'")
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the browser test needs Playwright: pip install playwright (in the dev extra)",
)

from tests.test_replay_browser import CHROMIUM_FLAGS, chromium_executable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "nn.live", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    line = process.stdout.readline()
    assert "http://127.0.0.1:" in line, line + process.stderr.read()
    url = line[line.index("http://") :].strip()
    yield url
    process.terminate()
    status = process.wait(timeout=30)
    print("server's stderr:", process.stderr.read())  # shown when a test fails
    assert status == 0


@pytest.fixture(scope="module")
def browser():
    executable = chromium_executable()
    if executable is None:
        pytest.skip(
            "the browser test needs Chromium: 'make test' installs it "
            "(scripts/ensure-chromium.sh), or apt-get install chromium, or set CHROMIUM"
        )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def number(page, label: str) -> float:
    return float(page.get_by_label(label, exact=True).text_content())


def wait_for(predicate, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        time.sleep(0.05)


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def playing(page) -> bool:
    """Whether the last frame said the runner is playing (the bar's class says so)."""
    return page.evaluate("document.querySelector('.bar').classList.contains('playing')")


def page_config(page) -> dict:
    """The config the page's URL states (the token left out)."""
    url = page.evaluate("location.href")  # page.url waits for Playwright's event loop
    return config_from_query(dict(parse_qsl(urlsplit(url).query)))


def test_the_live_page(server, browser):
    origin = server.split("/?")[0]
    port = urlsplit(server).port
    context = browser.new_context(viewport={"width": 1200, "height": 1300})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    traffic: list[str] = []
    page.on(
        "websocket",
        lambda ws: (
            ws.on("framesent", lambda f: traffic.append("> " + str(f)[:80])),
            ws.on("framereceived", lambda f: traffic.append("< " + str(f)[:80])
                  if not str(f).startswith('{"type":"frame"') else None),
        ),
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server)
    wait_for(lambda: page.get_by_label("loss", exact=True).text_content() != "", what="a frame")
    # The token is out of the address bar once the page is served (its cookie opens it).
    assert "token" not in page.evaluate("location.href")

    # Play: the step count rises and the loss falls.
    first_loss = number(page, "loss")
    button(page, "Play").click()
    wait_for(lambda: number(page, "step") >= 30, what="30 steps")
    assert number(page, "loss") < first_loss

    # Pause: nothing moves any more. The page stamps state.lastUpdate whenever a render
    # or a message changes what it shows: after the pause's own frame, it stays.
    button(page, "Pause").click()
    wait_for(lambda: not playing(page), what="the pause")
    page.wait_for_timeout(300)
    paused = (number(page, "step"), number(page, "loss"))
    still = page.evaluate("window.liveView.state.lastUpdate")
    page.wait_for_timeout(700)
    assert (number(page, "step"), number(page, "loss")) == paused
    assert page.evaluate("window.liveView.state.lastUpdate") == still

    # Reset, then Step k times: exactly k steps, and the loss of Session(config) after k.
    button(page, "Reset").click()
    wait_for(lambda: number(page, "step") == 0, what="the reset")
    for k in range(1, 4):
        button(page, "Step").click()
        wait_for(lambda k=k: number(page, "step") == k, what=f"step {k}")
    page.wait_for_timeout(300)
    assert number(page, "step") == 3
    reference = Session(page_config(page))
    expected = [reference.step() for _ in range(3)][-1]
    shown = page.get_by_label("loss", exact=True)
    assert float(shown.get_attribute("data-value")) == expected
    assert float(shown.text_content()) == float(f"{expected:.6g}")

    # Click a training point: its loss's graph, with the engine's numbers.
    sample = 0
    x, y = page.evaluate(
        """(i) => {
            const s = window.liveView.state.setup;
            const [lo0, hi0, lo1, hi1] = s.bounds;
            const [x, y] = s.train[i];
            const c = document.querySelector("canvas.plane").getBoundingClientRect();
            return [c.left + (x - lo0) / (hi0 - lo0) * c.width,
                    c.top + (hi1 - y) / (hi1 - lo1) * c.height];
        }""",
        sample,
    )
    page.mouse.click(x, y)
    loss, _, _ = reference.sample_loss(sample)
    k = len(topological_order(loss)) - 1  # the loss node, last in topological order
    page.wait_for_selector(f"[aria-label='sample graph'] svg g#node-{k}", timeout=30_000)
    wait_for(
        lambda: page.text_content(f"#node-{k}-data text") == f"data {format_number(loss.data)}",
        what="the graph's values",
    )
    assert page.text_content(f"#node-{k}-grad text") == "grad 1"

    # Click a node: its chain rule, as autograd.explain states it.
    page.click("#node-" + str(k - 1))
    page.wait_for_selector("[aria-label='chain rule'] pre")
    assert "∂L/∂" in page.text_content("[aria-label='chain rule'] pre")

    # The last hidden layer is folded into one box; a click unfolds it into its neurons,
    # each a box with its output's data and grad: the engine's numbers.
    loss, _, layers = reference.sample_loss(sample)  # a new graph: its own nodes
    order = topological_order(loss)
    last_hidden = layers[-2]
    # A folded box is named by its group's last node in topological order.
    layer_box = max(order.index(h) for h in last_hidden)
    page.click(f"[aria-label='sample graph'] #fold-{layer_box}")
    neuron = last_hidden[0]
    box = order.index(neuron)
    page.wait_for_selector(f"[aria-label='sample graph'] #fold-{box}", timeout=30_000)
    expected_out = f"out {format_number(neuron.data)}, grad {format_number(neuron.grad)}"
    wait_for(
        lambda: page.text_content(f"#fold-{box}-out text") == expected_out,
        what=lambda: f"{page.text_content(f'#fold-{box}-out text')!r} to be {expected_out!r}",
    )

    # Add a neuron: a new model, traced again, and training goes on.
    button(page, "add a neuron to layer 1").click()
    wait_for(
        lambda: page_config(page)["layers"][0] == 17,
        what=lambda: "the new neuron: "
        + page.get_by_label("message", exact=True).text_content()
        + page.url,
    )
    assert "2-17-16-1" in page.text_content(".model")
    assert "token" not in page.evaluate("location.href")  # the set-up's link: a safe share
    button(page, "Play").click()
    wait_for(lambda: number(page, "step") >= 10, what="training after the change")
    button(page, "Pause").click()
    wait_for(lambda: not playing(page), what=lambda: "the pause: " + "\n".join(traffic[-30:]))

    # A malformed message: an error in the page, the server alive, the state as it was.
    page.wait_for_timeout(300)
    before = (number(page, "step"), page.get_by_label("loss", exact=True).get_attribute("data-value"))
    page.evaluate("window.liveTransport.sendRaw('{not json')")
    page.evaluate("window.liveTransport.sendRaw(JSON.stringify({type: 'config', config: {lr: -5}}))")
    page.evaluate("window.liveTransport.sendRaw(JSON.stringify({type: 'config', config: {layers: Array(1000).fill(8)}}))")
    wait_for(
        lambda: "layers" in page.get_by_label("message", exact=True).text_content(),
        what=lambda: "the refusals in the page, which says: "
        + page.get_by_label("message", exact=True).text_content(),
    )
    after = (number(page, "step"), page.get_by_label("loss", exact=True).get_attribute("data-value"))
    assert after == before and page_config(page)["layers"][0] == 17
    button(page, "Step").click()
    wait_for(lambda: number(page, "step") == before[0] + 1, what="a step after the bad messages")

    # A CSV over the points limit the server announces: the page says so, sends nothing.
    page.evaluate(
        """() => { window.sentTypes = []; const send = window.liveTransport.send;
            window.liveTransport.send = (m) => { window.sentTypes.push(m.type); send(m); }; }"""
    )
    limit = page.evaluate("window.liveView.state.setup.limits.points")
    rows = "".join(f"{0.001 * i},{-0.001 * i},{i % 2}\n" for i in range(limit + 1))
    page.get_by_label("load CSV").set_input_files(
        files=[{"name": "points.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    wait_for(
        lambda: "nothing was loaded" in page.get_by_label("message", exact=True).text_content(),
        what=lambda: "the CSV's refusal: " + page.get_by_label("message", exact=True).text_content(),
    )
    assert f"{limit + 1} points" in page.get_by_label("message", exact=True).text_content()
    assert page.evaluate("window.sentTypes") == [] and page_config(page)["dataset"] == "moons"

    # Reload: the address has no token; the cookie opens the page and its channel.
    page.reload()
    wait_for(lambda: page.get_by_label("loss", exact=True).text_content() != "", what="a frame")
    assert "token" not in page.evaluate("location.href") and page_config(page)["layers"][0] == 17
    step = number(page, "step")
    button(page, "Step").click()
    wait_for(lambda: number(page, "step") == step + 1, what="a step after the reload")

    # A page refused by the server (too many open) shows the server's reason, not
    # "restart the server". This page opens the other 15 of the 16 allowed.
    page.evaluate(
        """() => { window.extra = [];
            for (let i = 0; i < 15; i++) window.extra.push(new WebSocket(`ws://${location.host}/ws`)); }"""
    )
    wait_for(
        lambda: page.evaluate("window.extra.every((ws) => ws.readyState === WebSocket.OPEN)"),
        what="15 more pages",
    )
    refused = context.new_page()
    refused.goto(origin + "/")
    wait_for(
        lambda: "too many pages" in refused.get_by_label("message", exact=True).text_content(),
        what=lambda: "the refusal's reason: "
        + refused.get_by_label("message", exact=True).text_content(),
    )
    shown = refused.get_by_label("message", exact=True).text_content()
    assert shown.startswith("the server closed the connection") and "restart" not in shown
    page.evaluate("window.extra.forEach((ws) => ws.close())")

    # Nothing was asked of any other machine.
    local = (origin, f"ws://127.0.0.1:{port}/", "data:", "blob:")
    assert requests and all(url.startswith(local) for url in requests), requests
    assert not errors, errors
    context.close()


def test_no_token_is_403_and_a_foreign_origin_is_refused(server, browser):
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(server.split("?")[0])
    assert response.status == 403
    # A page of another site (served here by Playwright, never fetched) that knows the
    # token and opens the live channel: the server refuses its Origin.
    token = dict(parse_qsl(urlsplit(server).query))["token"]
    port = urlsplit(server).port
    context.route(
        "http://evil.example/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>hi</p>"),
    )
    page.goto("http://evil.example/")
    outcome = page.evaluate(
        """([port, token]) => new Promise((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
            ws.onopen = () => resolve("open");
            ws.onerror = () => resolve("refused");
            setTimeout(() => resolve("timeout"), 10000);
        })""",
        [port, token],
    )
    assert outcome == "refused"
    context.close()
