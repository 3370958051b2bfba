"""`make demo` (`python -m nn.demo`): train a small network and draw what happened.

Default, 002's student network: 2 inputs (hours studied, hours slept), 2 ReLU hidden
neurons, a sigmoid output, binary cross-entropy, Adam (lr 0.05), full batch. It prints every
parameter's value and gradient at the first step (a bigger model's first 20, and how many
more), shows the loss in a progress bar, prints the loss and the training accuracy, and
writes into `--out` (default `out/<dataset>/`, so that each dataset keeps its own pictures):

- `graph.svg`: the first student's loss graph at the first step, with values and gradients;
- `loss.png`: the loss curve;
- `boundary.png`: the decision boundary (p = 0.5) over the data.

`--dataset moons` trains micrograd's demo instead: 100 two-moons points, a 2-16-16-1 ReLU
MLP with a linear output, the max-margin loss relu(1 - y * score) (y in {-1, +1}) plus
1e-4 * L2, SGD with lr = 1.0 - 0.9 * step / 100, to 100% training accuracy.

`--dataset spiral` trains a three-class network: CS231n's spiral (300 points, 100 per
arm), a 2-16-16-3 ReLU MLP whose three linear outputs are the logits of softmax,
cross-entropy, Adam (lr 0.05), 100 steps, to about 99% training accuracy. The boundary
picture then shows three regions, each class where its logit is the largest.

    python -m nn.demo --dataset moons --steps 100      # into out/moons/
    python -m nn.demo --dataset spiral --out pictures  # into pictures/

The plots need matplotlib: `pip install 'backprop-lens[demo]'`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autograd import Value, no_grad
from autograd.viz import draw
from nn.data import make_moons, spiral, students
from nn.losses import bce, cross_entropy, hinge, l2
from nn.metrics import accuracy as accuracy_of
from nn.module import MLP
from nn.optim import SGD, Adam, Optimizer
from nn.train import fit

TABLE_ROWS = 20  # a bigger model's table is cut after this many parameters


@dataclass
class Task:
    """Everything one demo run needs: the data, the model, and how to train and judge it."""

    name: str
    xs: Sequence[Sequence[float]]  # (x1, x2) per sample
    ys: list[int]  # the labels as the loss wants them
    model: MLP
    loss: Callable[[list, Sequence[int]], Value]  # the data loss
    optimizer: Optimizer
    steps: int
    # One output: above `threshold` is class 1 (label 1 or +1). Several outputs (None): the
    # class is the one with the largest output.
    threshold: float | None
    class_names: tuple[str, ...]  # of labels 0 (or -1), 1 (or +1), ..., for the legend
    axis_names: tuple[str, str] = ("x1", "x2")
    lr_schedule: Callable[[int], float] | None = None
    penalty: Callable[[], Value] | None = None  # added to the data loss in training
    sample: int = 0  # the sample whose loss graph is drawn

    def training_loss(self, predictions: list[Value | list[Value]], ys: Sequence[int]) -> Value:
        loss = self.loss(predictions, ys)
        return loss if self.penalty is None else loss + self.penalty()


def student_task(steps: int | None, seed: int) -> Task:
    xs, ys = students()
    model = MLP(2, [2, 1], activation="relu", output_activation="sigmoid", rng=seed)
    return Task(
        name="students",
        xs=xs,
        ys=ys,
        model=model,
        loss=bce,
        optimizer=Adam(model.parameters(), lr=0.05),
        steps=300 if steps is None else steps,
        threshold=0.5,
        class_names=("failed (0)", "passed (1)"),
        axis_names=("hours studied", "hours slept"),
    )


def moons_task(steps: int | None, seed: int) -> Task:
    xs, labels = make_moons(100, noise=0.1, rng=seed)
    ys = [2 * y - 1 for y in labels]  # the max-margin loss wants -1 / +1
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", rng=seed)
    params = model.parameters()
    return Task(
        name="moons",
        xs=xs,
        ys=ys,
        model=model,
        loss=hinge,
        optimizer=SGD(params, lr=1.0),
        steps=100 if steps is None else steps,
        threshold=0.0,
        class_names=("upper moon (-1)", "lower moon (+1)"),
        lr_schedule=lambda step: 1.0 - 0.9 * step / 100,
        penalty=lambda: 1e-4 * l2(params),
    )


def spiral_task(steps: int | None, seed: int) -> Task:
    n_per_class = 100
    xs, ys = spiral(n_per_class, classes=3, noise=0.2, seed=seed)
    model = MLP(2, [16, 16, 3], activation="relu", output_activation="linear", rng=seed)
    return Task(
        name="spiral",
        xs=xs,
        ys=ys,
        model=model,
        loss=cross_entropy,  # softmax of the three logits, against the class index
        optimizer=Adam(model.parameters(), lr=0.05),
        steps=100 if steps is None else steps,
        threshold=None,
        class_names=("class 0", "class 1", "class 2"),
        # Halfway along arm 1: sample 0 is the centre (0, 0), whose inputs pass no
        # gradient to the first layer's weights.
        sample=n_per_class + n_per_class // 2,
    )


# Each task with a default seed: for the students, one whose two hidden ReLUs both start
# (and stay) alive, so the first step's table shows every gradient of 002's formulas.
TASKS = {"students": (student_task, 21), "moons": (moons_task, 1), "spiral": (spiral_task, 0)}


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse(argv)
    _pyplot()  # before any work: without matplotlib, say which extra installs it
    make_task, default_seed = TASKS[args.dataset]
    task = make_task(args.steps, default_seed if args.seed is None else args.seed)
    out = os.path.join("out", task.name) if args.out is None else args.out
    os.makedirs(out, exist_ok=True)
    print(f"{task.name}: {len(task.xs)} samples, model {task.model!r}")

    graph_path = os.path.join(out, "graph.svg")
    write_sample_graph(task, graph_path)

    print_first_step(task)

    callback: Callable[[int, Value], None] | None = None
    lr_schedule = task.lr_schedule  # a local stays narrowed to not-None inside schedule
    if lr_schedule is not None:

        def schedule(step: int, loss: Value) -> None:
            task.optimizer.lr = lr_schedule(step)

        callback = schedule
    history = fit(
        task.model,
        task.xs,
        task.ys,
        task.training_loss,
        task.optimizer,
        task.steps,
        callback=callback,
    )
    if history:
        print(f"loss: {history[0]:.6f} at step 0, {history[-1]:.6f} at step {len(history) - 1}")
    print(f"training accuracy after {task.steps} steps: {accuracy(task):.1%}")

    plot_loss(history, task, os.path.join(out, "loss.png"))
    plot_boundary(task, os.path.join(out, "boundary.png"))
    print(
        f"wrote {graph_path}, {os.path.join(out, 'loss.png')}, {os.path.join(out, 'boundary.png')}"
    )


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m nn.demo", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dataset",
        choices=sorted(TASKS),
        default="students",
        help="002's students (default), micrograd's two moons, or CS231n's three-class spiral",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help="training steps (default: 300 for students, 100 for moons and spiral)",
    )
    parser.add_argument(
        "--out", default=None, help="directory for the pictures (default: out/<dataset>)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the weights and the data (default: one that trains well)",
    )
    args = parser.parse_args(argv)
    if args.steps is not None and args.steps < 0:
        parser.error(f"--steps must be >= 0, got {args.steps}")
    return args


def print_first_step(task: Task) -> None:
    """The loss and every parameter's value and gradient at the first step (the same
    forward and backward as fit's step 0, done here so the table prints before the bar)."""
    model = task.model
    loss = task.training_loss([model(x) for x in task.xs], task.ys)
    model.zero_grad()
    loss.backward()
    count = len(model.parameters())
    which = "every parameter's" if count <= TABLE_ROWS else f"the first {TABLE_ROWS} parameters'"
    print(f"\nstep 0: loss {loss.data:.6f}; {which} value and gradient:")
    print(parameter_table(model) + "\n")
    model.zero_grad()


def parameter_table(model: MLP) -> str:
    """Each parameter's label, value and gradient, one per row (cut after TABLE_ROWS)."""
    params = model.parameters()
    lines = [f"{'parameter':<12} {'value':>12} {'gradient':>12}"]
    lines += [f"{p.label:<12} {p.data:>12.6f} {p.grad:>12.6f}" for p in params[:TABLE_ROWS]]
    if len(params) > TABLE_ROWS:
        lines.append(f"... and {len(params) - TABLE_ROWS} more parameters")
    return "\n".join(lines)


def accuracy(task: Task) -> float:
    """The model's training accuracy (nn.metrics: threshold or argmax, by output count)."""
    with no_grad():
        outputs = [task.model(x) for x in task.xs]
    return accuracy_of(outputs, task.ys, threshold=task.threshold)


def write_sample_graph(task: Task, path: str) -> None:
    """The first sample's data loss graph at the initial weights, with values and
    gradients (a penalty on every parameter would tie them all to one node)."""
    model = task.model
    i = task.sample
    # The inputs as labelled Values, so that the picture shows them (and dL/dx) like the
    # articles' diagrams; the network itself would fold plain numbers in as constants.
    xs = [Value(v, f"x{k + 1}") for k, v in enumerate(task.xs[i])]
    prediction = model(xs)
    if isinstance(prediction, Value):
        prediction.label = "prediction"
    else:  # one logit per class
        for k, logit in enumerate(prediction):
            logit.label = f"z{k}"
    loss = task.loss([prediction], task.ys[i : i + 1])
    loss.label = "loss"
    model.zero_grad()
    loss.backward()
    penalty = "" if task.penalty is None else " (without the L2 term)"
    title = f"{task.name}: the loss of sample {i} (label {task.ys[i]}) at the first step{penalty}"
    # A big network's graph folds each neuron into one box; 002's shows every node.
    graph = draw(loss, title=title, groups=model.grouping(), max_nodes=120)
    with open(path, "wb") as f:
        f.write(graph.pipe(format="svg"))
    model.zero_grad()


def plot_loss(history: list[float], task: Task, path: str) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(range(len(history)), history, color="tab:blue")
    if history and min(history) > 0:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss" + (" (log scale)" if ax.get_yscale() == "log" else ""))
    ax.set_title(f"{task.name}: {task.model!r}", fontsize=9)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_boundary(task: Task, path: str, resolution: int = 60) -> None:
    """The model's class over a grid around the data, the boundary lines, and the data."""
    plt = _pyplot()
    xs0 = [x for x, _ in task.xs]
    xs1 = [y for _, y in task.xs]
    # The students' hours need half an hour around them; the spiral's unit disc far less.
    margin = 0.5 if task.threshold is not None else 0.1
    pad0 = 0.15 * (max(xs0) - min(xs0)) + margin
    pad1 = 0.15 * (max(xs1) - min(xs1)) + margin
    lo0, hi0, lo1, hi1 = min(xs0) - pad0, max(xs0) + pad0, min(xs1) - pad1, max(xs1) + pad1
    if task.threshold is None:
        # Curved arms need a finer grid for their boundaries to look like the model's.
        resolution = max(resolution, 120)
    grid0 = [lo0 + (hi0 - lo0) * i / (resolution - 1) for i in range(resolution)]
    grid1 = [lo1 + (hi1 - lo1) * j / (resolution - 1) for j in range(resolution)]
    with no_grad():
        outputs = [[_data(task.model([a, b])) for a in grid0] for b in grid1]

    fig, ax = plt.subplots(figsize=(6, 5))
    if task.threshold is None:
        _fill_classes(ax, grid0, grid1, outputs, len(task.class_names))
    else:
        classes = [[1.0 if v > task.threshold else 0.0 for v in row] for row in outputs]
        ax.contourf(
            grid0,
            grid1,
            classes,
            levels=[-0.5, 0.5, 1.5],
            colors=[FILL_COLOURS[0], FILL_COLOURS[1]],
            alpha=0.6,
        )
        ax.contour(grid0, grid1, outputs, levels=[task.threshold], colors="black", linewidths=1.2)
    size = 50 if len(task.xs) < 20 else 25
    for k, name in enumerate(task.class_names):
        points = [x for x, y in zip(task.xs, task.ys) if _label_class(task, y) == k]
        colour, marker = _point_style(k)
        ax.scatter(
            [p[0] for p in points],
            [p[1] for p in points],
            c=colour,
            marker=marker,
            edgecolors="black",
            linewidths=0.6,
            s=size,
            label=name,
        )
    ax.set_xlabel(task.axis_names[0])
    ax.set_ylabel(task.axis_names[1])
    ax.legend(loc="upper left", fontsize=8)
    if task.threshold is None:
        ax.set_aspect("equal")  # a spiral is round
    ax.set_title(
        f"{task.name}: decision boundary, training accuracy {accuracy(task):.0%}", fontsize=10
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# Class k's colours: light for its region, dark for its points (ColorBrewer's red, blue,
# green, then matplotlib's tab10 for more classes).
FILL_COLOURS = ("#f4a582", "#92c5de", "#a6dba0")
POINT_COLOURS = ("#b2182b", "#2166ac", "#1b7837")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _point_style(k: int) -> tuple[str, str]:
    colour = POINT_COLOURS[k] if k < len(POINT_COLOURS) else f"C{k % 10}"
    return colour, MARKERS[k % len(MARKERS)]


def _fill_colour(k: int) -> str:
    return FILL_COLOURS[k] if k < len(FILL_COLOURS) else f"C{k % 10}"


def _label_class(task: Task, y: int) -> int:
    """The class a label names: itself for class indices, 0/1 for binary labels (-1/+1)."""
    if task.threshold is None:
        return y
    return 1 if y > 0 else 0


def _data(output):
    """A model output as numbers: a float, or a list of floats (one per class)."""
    return output.data if isinstance(output, Value) else [v.data for v in output]


def _fill_classes(ax, grid0: list[float], grid1: list[float], outputs, count: int) -> None:
    """Each class's region, where its output is the largest, and the lines between them.

    Each region is drawn from a smooth margin, class k's output minus the largest other
    one, which is 0 exactly on the region's edge; so the edges are interpolated lines, not
    the grid's steps.
    """
    for k in range(count):
        margins = [
            [row[k] - max(v for j, v in enumerate(row) if j != k) for row in line]
            for line in outputs
        ]
        top = max(max(line) for line in margins)
        if top > 0:  # the class wins somewhere on the grid
            ax.contourf(
                grid0, grid1, margins, levels=[0.0, top], colors=[_fill_colour(k)], alpha=0.6
            )
            ax.contour(grid0, grid1, margins, levels=[0.0], colors="black", linewidths=1.0)


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            "nn.demo draws its plots with matplotlib, which is not installed: "
            "pip install 'backprop-lens[demo]' (in a checkout: pip install -e '.[demo]')"
        ) from None

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    return plt


if __name__ == "__main__":
    main()
