"""`make pictures`: the README's pictures, drawn from the code into docs/img/.

- graph.svg: the lecture's neuron, o = tanh(x1·w1 + x2·w2 + b), every value, gradient and
  local derivative (`autograd.viz.draw`);
- graph-folded.svg: micrograd's moons network (2-16-16-1) before training, one point's
  loss folded one box per neuron, coloured by gradient (dead neurons white);
- network.svg: the same network after training as a network (`nn.draw_network`), with
  each neuron's value for that point;
- replay.html and replay.png: the neuron's backward replay, at its tanh step;
- boundary.png: the moons and the boundary the network learnt (`nn.demo`'s picture).

Needs Graphviz's dot, and for replay.png Chromium (`CHROMIUM`, or chromium on PATH).

    python scripts/pictures.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograd import Value
from autograd.replay import BackwardReplay
from autograd.viz import draw
from nn import draw_network, fit
from nn.demo import TASKS, plot_boundary


def lecture_neuron() -> Value:
    """The neuron of micrograd's lecture: o = tanh(x1·w1 + x2·w2 + b) = 0.7071."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    x1w1 = x1 * w1
    x1w1.label = "x1w1"
    x2w2 = x2 * w2
    x2w2.label = "x2w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def train(task) -> None:
    """Train the moons network as `make demo DATASET=moons` does."""
    schedule = task.lr_schedule

    def callback(step: int, loss: Value) -> None:
        if schedule is not None:
            task.optimizer.lr = schedule(step)

    fit(
        task.model,
        task.xs,
        task.ys,
        task.training_loss,
        task.optimizer,
        task.steps,
        callback=callback,
        progress=False,
    )


def screenshot(page: Path, png: Path, fragment: str) -> None:
    chromium = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if chromium is None:
        print("no Chromium: replay.png not redrawn (apt-get install chromium)", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--window-size=1080,400",
                f"--screenshot={png}",
                page.resolve().as_uri() + fragment,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="docs/img", help="folder for the pictures")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)

    o = lecture_neuron()
    o.backward()
    draw(o, show_local_grads=True).render(outfile=out / "graph.svg", cleanup=True)

    replay = BackwardReplay(lecture_neuron())
    replay.to_html(out / "replay.html", show_local_grads=True)
    tanh_step = next(k for k, step in enumerate(replay.steps, 1) if step.node.op == "tanh")
    screenshot(out / "replay.html", out / "replay.png", f"#backward={tanh_step}")

    # The moons network as it starts: one point's max-margin loss, folded, coloured by
    # gradient (the dead neurons stay white); then trained, drawn as a network.
    make_task, seed = TASKS["moons"]
    task = make_task(100, seed)
    model = task.model
    point = [Value(v, f"x{k}") for k, v in enumerate(task.xs[task.sample])]
    loss = (1 - model(point) * task.ys[task.sample]).relu()
    loss.label = "loss"
    loss.backward()
    draw(loss, groups=model.grouping(), max_nodes=100, color_by_grad=True).render(
        outfile=out / "graph-folded.svg", cleanup=True
    )
    train(task)
    draw_network(model, x=task.xs[task.sample]).render(outfile=out / "network.svg", cleanup=True)
    plot_boundary(task, str(out / "boundary.png"))
    for name in sorted(os.listdir(out)):
        print(out / name)


if __name__ == "__main__":
    main()
