"""The live page under load: `python benchmarks/bench_live.py [--steps 10000]`.

Starts `python -m nn.live` (the moons 2-16-16-1 default, as fast as it goes) on a free
port of 127.0.0.1, opens the page in headless Chromium with every view live (a sample's
graph selected and a neuron's chain rule open, the network, the boundary, the table), and
measures:

- optimizer steps per second while the page is open (the page's own step counter);
- frames per second the page renders (its own counter: renders in the last second that
  drew a new frame from the server), and the frames per second it receives;
- bytes per frame (the WebSocket's "frame" messages, as received);
- the time from pressing Pause to stillness: to the last change on screen (the page's
  `state.lastUpdate`, stamped by every render or message that changed what it shows),
  and, for comparison, to the last frame message received (in the page's clock);
- the server's resident memory after 100 steps and after `--steps` steps.

Targets (issue 22): >= 60 steps/s, >= 30 frames/s, < 100 ms from Pause to stillness,
memory flat. Nothing is asserted: the figures go into docs/live.md with the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def measure(steps: int = 10_000, seconds: float = 10.0) -> dict:
    import psutil
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen(
        [sys.executable, "-m", "nn.live", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    results: dict = {}
    try:
        assert server.stdout is not None  # stdout=PIPE
        line = server.stdout.readline()
        url = line[line.index("http://") :].strip()
        process = psutil.Process(server.pid)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=_chromium(), args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1180, "height": 1200})
            sizes: list[int] = []

            def on_socket(ws):
                ws.on(
                    "framereceived",
                    lambda payload: sizes.append(len(payload))
                    if str(payload).startswith('{"type":"frame"')
                    else None,
                )

            page.on("websocket", on_socket)
            page.goto(url)
            # Polled with evaluate: the page's Content-Security-Policy forbids the eval
            # that wait_for_function's string predicates use.
            while not page.evaluate("() => Boolean(window.liveView && window.liveView.state.setup)"):
                page.wait_for_timeout(50)
            page.evaluate(
                """() => {
                    window.lastFrameAt = 0;
                    window.liveTransport.onMessage((m) => {
                        if (m.type === 'frame') window.lastFrameAt = performance.now();
                    });
                    window.liveTransport.send({type: 'select', sample: 3});
                    window.liveTransport.send({type: 'explain', neuron: [1, 0]});
                }"""
            )
            page.wait_for_selector("[aria-label='sample graph'] svg")
            def shown(label: str) -> int:  # the number an element labelled so shows
                return int(page.get_by_label(label, exact=True).text_content() or "")

            step = lambda: shown("step")  # noqa: E731
            play = page.get_by_role("button", name="Play", exact=True)

            # Memory after the first 100 steps.
            play.click()
            while step() < 100:
                page.wait_for_timeout(20)
            results["rss_100"] = process.memory_info().rss

            # Steady state: steps/s, the page's fps, bytes per frame.
            page.wait_for_timeout(1000)
            sizes.clear()
            first, start = step(), time.monotonic()
            fps = []
            while time.monotonic() - start < seconds:
                page.wait_for_timeout(500)
                fps.append(shown("fps"))
            elapsed = time.monotonic() - start
            results["steps_per_s"] = (step() - first) / elapsed
            results["fps"] = statistics.median(fps)
            results["bytes_per_frame"] = statistics.mean(sizes) if sizes else float("nan")
            results["frames_per_s_received"] = len(sizes) / elapsed

            # Pause to stillness, five times.
            stills, received = [], []
            for _ in range(5):
                play.click()
                page.wait_for_timeout(700)
                pressed = page.evaluate(
                    """() => {
                        const t = performance.now();
                        [...document.querySelectorAll('button')]
                            .find((b) => b.textContent === 'Pause').click();
                        return t;
                    }"""
                )
                page.wait_for_timeout(1000)
                stills.append(page.evaluate("window.liveView.state.lastUpdate") - pressed)
                received.append(page.evaluate("window.lastFrameAt") - pressed)
            results["pause_ms"] = stills
            results["pause_received_ms"] = received

            # Memory after `steps` steps.
            play.click()
            deadline = time.monotonic() + 1800
            while step() < steps and time.monotonic() < deadline:
                page.wait_for_timeout(500)
            results["steps_reached"] = step()
            results["rss_end"] = process.memory_info().rss
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def report(r: dict, steps: int) -> str:
    mb = 1024 * 1024
    pauses = ", ".join(f"{v:.0f}" for v in r["pause_ms"])
    received = ", ".join(f"{v:.0f}" for v in r["pause_received_ms"])
    return "\n".join(
        [
            "### The live page (moons 2-16-16-1, every view live, headless Chromium)",
            "",
            "| measure | result | target |",
            "|---|---:|---:|",
            f"| optimizer steps per second, page open | {r['steps_per_s']:.0f} | >= 60 |",
            f"| frames per second the page renders (its counter, median) | {r['fps']:.0f} | >= 30 |",
            f"| frames per second received | {r['frames_per_s_received']:.0f} | |",
            f"| bytes per frame (mean) | {r['bytes_per_frame']:.0f} | |",
            f"| Pause to stillness (last change on screen), ms (5 tries) | {pauses} | < 100 |",
            f"| Pause to the last frame received, ms | {received} | |",
            f"| server memory after 100 steps | {r['rss_100'] / mb:.1f} MB | |",
            f"| server memory after {r['steps_reached']} steps | {r['rss_end'] / mb:.1f} MB "
            "| flat |",
        ]
    )


def run(steps: int = 10_000) -> str:
    """The Markdown section for `make bench` (a note when Chromium or the extra is missing)."""
    try:
        import playwright  # noqa: F401
        import starlette  # noqa: F401
    except ImportError:
        return "### The live page\n\nSkipped: needs the live extra and Playwright."
    if _chromium() is None:
        return "### The live page\n\nSkipped: needs Chromium (apt-get install chromium)."
    return report(measure(steps), steps)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000, help="steps before the last memory")
    parser.add_argument("--seconds", type=float, default=10.0, help="steady-state window")
    args = parser.parse_args()
    print(report(measure(args.steps, args.seconds), args.steps))
