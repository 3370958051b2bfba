"""The README's picture of the live page: `python scripts/live_screenshot.py [out.png]`.

Starts `python -m nn.live` on a free loopback port, opens the page in headless Chromium
(Debian's, or $CHROMIUM) with Playwright, trains the moons network for a while, picks a
point and a neuron, and saves a screenshot (default docs/img/live.png).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nn.live.session import Session, config_from_query  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def interesting(page) -> tuple[int, list[int]]:
    """The training sample the model gets most wrong at the page's step, and the neuron of
    the last hidden layer through which most of its gradient flows: a chain rule with
    numbers that are not all 0."""
    url = page.evaluate("location.href")
    session = Session(config_from_query(dict(parse_qsl(urlsplit(url).query))))
    for _ in range(int(page.get_by_label("step", exact=True).text_content())):
        session.step()
    losses = [session.sample_loss(i)[0].data for i in range(len(session.train_xs))]
    sample = max(range(len(losses)), key=losses.__getitem__)
    _, _, layers = session.sample_loss(sample)
    last = len(layers) - 2
    j = max(range(len(layers[last])), key=lambda j: abs(layers[last][j].grad))
    return sample, [last, j]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img" / "live.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        sys.exit("needs Chromium: apt-get install chromium, or set CHROMIUM")
    server = subprocess.Popen(
        [sys.executable, "-m", "nn.live", "--port", "0", "--no-browser", "--lr", "0.05"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        line = server.stdout.readline()
        url = line[line.index("http://") :].strip()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1180, "height": 1180})
            page.goto(url)
            page.wait_for_timeout(1000)
            page.get_by_label("speed", exact=True).select_option("30")
            page.get_by_role("button", name="Play", exact=True).click()
            deadline = time.monotonic() + 60
            while int(page.get_by_label("step", exact=True).text_content()) < 60:
                if time.monotonic() > deadline:
                    raise SystemExit("the page did not train")
                page.wait_for_timeout(100)
            page.get_by_role("button", name="Pause", exact=True).click()
            page.wait_for_timeout(500)
            sample, neuron = interesting(page)
            page.evaluate(f"window.liveTransport.send({{type: 'select', sample: {sample}}})")
            page.wait_for_timeout(1500)
            page.evaluate(f"window.liveTransport.send({{type: 'explain', neuron: {neuron}}})")
            page.wait_for_timeout(800)
            page.screenshot(path=str(out), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
