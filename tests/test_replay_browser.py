"""The replay page in a real browser: its controls walk every step and show the right
gradients, it makes no network request, and a hostile label is text that runs nothing.

Headless Chromium (Debian's package, /usr/bin/chromium, or $CHROMIUM), driven by
Playwright, which here never downloads a browser of its own. Without either the tests skip,
saying which is missing; `make test` installs both (scripts/ensure-chromium.sh and the dev
extra). The page is rendered with Graphviz's dot, so without dot they skip too.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from autograd import Value, topological_order
from autograd.formatting import format_number
from autograd.replay import BackwardReplay, ReplayState
from autograd.viz import HIGHLIGHT_COLOUR

pytestmark = pytest.mark.requires_dot  # to_html renders every frame to SVG with dot

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the browser test needs Playwright: pip install playwright (in the dev extra)",
)

# As the machine runs Chromium headless: no sandbox (root), and none of the background
# connections that a closed network refuses.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def chromium_executable() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


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


class Visit:
    """A page opened in a fresh browser context, with everything it asked for and did."""

    def __init__(self, browser, path: Path) -> None:
        self.url = path.resolve().as_uri()
        self.context = browser.new_context()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        # Every request is logged, and any but the page itself is refused.
        self.context.route("**/*", self._only_the_page)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dismiss)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(self.url)

    def _only_the_page(self, route) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def _dismiss(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, tmp_path):
    opened = []

    def open_page(html: str) -> Visit:
        path = tmp_path / f"replay{len(opened)}.html"
        path.write_text(html, encoding="utf-8")
        opened.append(Visit(browser, path))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


# --- what the page should show ---------------------------------------------------------------


def labelled_graph() -> Value:
    """Every node labelled, so that a box in the picture is found by its label; x and y
    feed two ops each, so that some steps show a partial sum."""
    x, y = Value(2.0, "x"), Value(-1.5, "y")
    names = iter(["p", "s", "t", "L"])

    def named(v: Value) -> Value:
        v.label = next(names)
        return v

    p = named(x * y)
    s = named(p + x)
    t = named(s.tanh())
    return named(t * y)


def expected_grad(state: ReplayState, node: Value) -> str:
    """The grad cell of a box at this state: "grad ?" until the node's first contribution,
    "+ …" while contributions are missing."""
    if node not in state.grads:
        return "grad ?"
    suffix = " + …" if node in state.partial else ""
    return f"grad {format_number(state.grads[node])}{suffix}"


# The page has one drawing, whose numbers change in place: each box's texts, whether its
# frame is marked, and where its shapes are.
SHOWN = """() => ({
    caption: document.getElementById("caption").textContent,
    formulas: [...document.querySelectorAll("#formulas li")].map((li) => li.textContent),
    boxes: [...document.querySelectorAll("#graph g.node[id^='node-']")].map((g) => ({
        id: g.id,
        texts: [...g.querySelectorAll("text")].map((t) => t.textContent),
        marked: [...g.querySelectorAll(":scope > polygon")].some(
            (shape) => (shape.getAttribute("stroke") || "").toLowerCase() === "%s"),
        box: (() => { const r = g.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })(),
    })),
    figures: document.querySelectorAll("#graph svg").length,
})""" % HIGHLIGHT_COLOUR.lower()


def check_shows(visit: Visit, replay: BackwardReplay, step: int) -> None:
    """The page shows step `step`, with every box's gradient at that step."""
    page = visit.page
    shown = page.evaluate(SHOWN)
    assert shown["figures"] == 1
    state = replay.state(step)
    assert shown["caption"] == replay.caption(step), f"visible frames: caption {shown['caption']!r}, want step {step}"
    assert shown["formulas"] == replay.formulas(step)
    assert page.text_content("#counter") == f"step {step} of {len(replay)}"
    assert page.input_value("#slider") == str(step)
    boxes = {box["texts"][0]: box for box in shown["boxes"] if box["texts"] and box["texts"][0]}
    for node in topological_order(replay.root):
        box = boxes[node.label]
        assert box["texts"][1:] == [f"data {format_number(node.data)}", expected_grad(state, node)], (
            f"step {step}, {node.label}")
        assert box["marked"] == (node is state.current), f"step {step}, {node.label} marked"
    at_start, at_end = step == 0, step == len(replay)
    for button, disabled in (("first", at_start), ("previous", at_start), ("next", at_end), ("last", at_end)):
        assert page.is_disabled(f"#{button}") == disabled, f"step {step}: #{button}"


def walk_every_control(visit: Visit, replay: BackwardReplay) -> None:
    """Every button, the slider and the keys, through every step and back, checking each."""
    page, last = visit.page, len(replay)
    check_shows(visit, replay, 0)
    for step in range(1, last + 1):
        page.click("#next")
        check_shows(visit, replay, step)
    for step in range(last - 1, -1, -1):
        page.click("#previous")
        check_shows(visit, replay, step)
    page.click("#last")
    check_shows(visit, replay, last)
    page.click("#first")
    check_shows(visit, replay, 0)
    # The slider, from the keyboard: one step per key, Home and End to the ends.
    page.focus("#slider")
    for step in range(1, last + 1):
        page.keyboard.press("ArrowRight")
        check_shows(visit, replay, step)
    page.keyboard.press("Home")
    check_shows(visit, replay, 0)
    page.keyboard.press("End")
    check_shows(visit, replay, last)
    # The slider dragged to each step: its value changes, then it fires "input".
    for step in reversed(range(last + 1)):
        page.eval_on_selector(
            "#slider", "(s, v) => { s.value = v; s.dispatchEvent(new Event('input')); }", step)
        check_shows(visit, replay, step)
    # The arrow keys anywhere else on the page.
    page.evaluate("document.activeElement.blur()")
    for step in range(1, last + 1):
        page.keyboard.press("ArrowRight")
        check_shows(visit, replay, step)
    page.keyboard.press("ArrowLeft")
    check_shows(visit, replay, last - 1)


# --- the tests -----------------------------------------------------------------------------


def test_every_control_walks_every_step_showing_the_right_gradients(visit):
    root = labelled_graph()
    replay = BackwardReplay(root)
    assert len(replay) == 4 and any(state.partial for state in replay.states())
    opened = visit(replay.to_html(show_local_grads=True))
    walk_every_control(opened, replay)
    assert opened.errors == [] and opened.dialogs == []
    # The last step shows what backward() computes.
    root.backward()
    final = replay.state(len(replay))
    assert all(final.grads[node] == node.grad for node in topological_order(root))


def test_the_page_makes_no_network_request(visit):
    opened = visit(BackwardReplay(labelled_graph()).to_html())
    opened.page.click("#last")
    opened.page.wait_for_load_state("networkidle")
    assert opened.requests == [opened.url]


HOSTILE_LABELS = [
    '<img src=x onerror="window.__pwned = 1; alert(1)">',
    '"><script>window.__pwned = 2; alert(2)</script>',
    "</figcaption></figure><script>window.__pwned = 3</script>",
]


def test_hostile_labels_show_as_text_and_run_nothing(visit):
    x = Value(1.5, HOSTILE_LABELS[0])
    y = Value(-2.0, HOSTILE_LABELS[1])
    root = x * y + x
    root.label = HOSTILE_LABELS[2]  # in the page's title, heading and every caption
    replay = BackwardReplay(root)
    opened = visit(replay.to_html())
    page = opened.page
    for _ in range(len(replay)):
        page.click("#next")
    texts = page.evaluate(
        "() => [...document.querySelectorAll('#graph text')].map((t) => t.textContent)")
    for label in HOSTILE_LABELS:
        assert label in texts  # drawn as the text it is
    assert HOSTILE_LABELS[2] in page.text_content("h1")
    assert HOSTILE_LABELS[2] in page.title()
    assert HOSTILE_LABELS[2] in page.text_content("#caption")
    assert page.evaluate("window.__pwned") is None
    assert opened.dialogs == [] and opened.errors == []
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.evaluate("document.scripts.length") == 1  # the page's own
    assert opened.requests == [opened.url]  # not even the img's src


def test_the_walk_fails_on_a_page_whose_next_button_does_nothing(visit):
    """The check itself: with the next button's handler gone, walking the page must fail."""
    replay = BackwardReplay(labelled_graph())
    opened = visit(replay.to_html())
    opened.page.evaluate(
        "() => { const b = document.getElementById('next'); b.replaceWith(b.cloneNode(true)); }")
    with pytest.raises(AssertionError, match="visible frames"):
        walk_every_control(opened, replay)


def boxes_at_every_step(visit: Visit, replay: BackwardReplay, first: str) -> list[dict]:
    """Each box's place on the page at every step, walking with the next button."""
    page = visit.page
    page.click(first)
    seen = []
    for step in range(len(replay) + 1):
        if step:
            page.click("#next")
        seen.append({box["id"]: box["box"] for box in page.evaluate(SHOWN)["boxes"]})
    return seen


def test_the_layout_holds_still_from_step_to_step(visit):
    """Values change, nodes do not move: every box keeps its place and size, in the
    backward pass and in the forward pass."""
    replay = BackwardReplay(labelled_graph())
    opened = visit(replay.to_html(show_local_grads=True))
    for first in ("#backward", "#forward"):
        places = boxes_at_every_step(opened, replay, first)
        assert len(places[0]) == len(topological_order(replay.root))
        for step, place in enumerate(places):
            assert place == places[0], f"{first}: a box moved at step {step}"
    assert opened.errors == []


def test_a_layout_that_moves_fails_the_check(visit):
    """The check itself: a page that re-lays its graph (here: moves a box) is caught."""
    replay = BackwardReplay(labelled_graph())
    opened = visit(replay.to_html())
    opened.page.evaluate("""() => {
        const next = document.getElementById("next");
        next.addEventListener("click", () => {
            document.getElementById("node-2").setAttribute("transform", "translate(5 0)");
        });
    }""")
    places = boxes_at_every_step(opened, replay, "#backward")
    assert places[1] != places[0]


def test_the_buttons_icons_have_a_width(visit):
    """The first/previous/next/last buttons show their icons with whatever fonts the
    machine has: each icon has a non-zero width, and so has each button's content."""
    opened = visit(BackwardReplay(labelled_graph()).to_html())
    for button in ("first", "previous", "next", "last"):
        width = opened.page.evaluate(
            "(id) => document.querySelector(`#${id} svg.icon path`).getBoundingClientRect().width",
            button)
        assert width > 4, f"#{button}'s icon is {width} px wide"


def test_a_tanh_step_writes_its_local_derivative_as_a_formula(visit):
    x = Value(0.8813735870195429, "x")  # tanh(x) = 0.7071, so 1 - o² = 0.5
    t = x.tanh()
    t.label = "t"
    L = t * 2
    L.label = "L"
    replay = BackwardReplay(L)
    opened = visit(replay.to_html())
    step = next(k for k, s in enumerate(replay.steps, 1) if s.node is t)
    for _ in range(step):
        opened.page.click("#next")
    formulas = opened.page.evaluate(SHOWN)["formulas"]
    assert formulas == ["x gets 2·0.5 = 1, where tanh: 1 − o² = 1 − 0.7071² = 0.5"]
    # The changed gradient is marked (bold, outlined), the unknown ones show "?".
    marked = opened.page.evaluate("""() => [...document.querySelectorAll("#graph [id$='-grad'] text")]
        .filter((t) => t.getAttribute("font-weight") === "bold").map((t) => t.textContent)""")
    assert marked == ["grad 1"]


def test_the_forward_pass_shows_values_appearing_in_order(visit):
    replay = BackwardReplay(labelled_graph())
    opened = visit(replay.to_html())
    page = opened.page
    page.click("#forward")
    order = topological_order(replay.root)
    computed = [n for n in order if n.parents]
    assert page.text_content("#counter") == f"step 0 of {len(computed)}"
    for step in range(len(computed) + 1):
        if step:
            page.click("#next")
        boxes = {b["texts"][0]: b["texts"] for b in page.evaluate(SHOWN)["boxes"]}
        known = {n for n in order if not n.parents} | set(computed[:step])
        for node in order:
            want = f"data {format_number(node.data)}" if node in known else "data ?"
            assert boxes[node.label][1] == want, f"forward step {step}, {node.label}"
            assert boxes[node.label][2] == "grad ?"


# --- graph_view.js's updateNetwork: the network picture updated in place --------------------


def test_update_network_rewrites_values_and_weights_in_place(visit):
    """A page draws the network once; after a training step, updateNetwork with the
    step's frame shows what a new drawing would: the same values and edge styles."""
    import re as regex

    from autograd.viz import graph_view_script, inline_svg
    from nn import MLP, draw_network
    from nn.draw import network_frame
    from nn.losses import mse
    from nn.optim import SGD

    model = MLP(2, [3, 2], activation="tanh", rng=3)
    x = [0.5, -1.0]
    svg = inline_svg(draw_network(model, x=x).pipe(format="svg", encoding="utf-8"))
    before = network_frame(model, x=x)
    loss = mse(model(x), [1.0, -1.0])
    loss.backward()
    SGD(model.parameters(), lr=0.5).step()
    frame = network_frame(model, x=x)
    assert frame["values"][1:] != before["values"][1:]  # the step changed what is shown
    page_html = (
        f"<!DOCTYPE html><html><body><div id='net'>{svg}</div>"
        f"<script type='module'>{graph_view_script()}\n"
        f"window.done = (updateNetwork(document.querySelector('#net svg'), "
        f"{json.dumps(frame)}), true);</script></body></html>"
    )
    opened = visit(page_html)
    opened.page.wait_for_function("window.done === true")
    shown = opened.page.evaluate("""() => {
        const out = {};
        for (const g of document.querySelectorAll("g.node[id^='neuron-']")) {
            const texts = [...g.querySelectorAll("text")];
            out[g.id] = texts[texts.length - 1].textContent;
        }
        for (const g of document.querySelectorAll("g.edge[id^='weight-']")) {
            const p = g.querySelector("path");
            out[g.id] = [p.getAttribute("stroke"), Number(p.getAttribute("stroke-width"))];
        }
        return out;
    }""")
    redrawn = draw_network(model, x=x).pipe(format="svg", encoding="utf-8").replace("&#45;", "-")
    for k, layer in enumerate(model.layers):
        for j in range(len(layer.neurons)):
            assert shown[f"neuron-{k}-{j}"] == frame["values"][k + 1][j]
            assert f">{frame['values'][k + 1][j]}</text>" in redrawn
    for k, j, i, _colour, width in frame["edges"]:
        block = regex.search(rf'<g id="weight-{k}-{j}-{i}" class="edge">.*?<path[^>]*>', redrawn, regex.S)[0]
        stroke = regex.search(r' stroke="([^"]+)"', block)[1]
        assert shown[f"weight-{k}-{j}-{i}"][0] == stroke
        assert abs(shown[f"weight-{k}-{j}-{i}"][1] - width) < 0.01
    assert opened.errors == []
