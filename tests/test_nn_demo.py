"""The demo runs end to end, quickly, into a temporary directory."""

import pytest

from nn import demo


@pytest.mark.requires_dot  # it writes graph.svg
@pytest.mark.parametrize("dataset", ["students", "moons", "spiral"])
def test_demo_writes_its_three_pictures(tmp_path, capsys, dataset):
    demo.main(["--dataset", dataset, "--steps", "3", "--out", str(tmp_path)])
    for name in ("graph.svg", "loss.png", "boundary.png"):
        path = tmp_path / name
        assert path.is_file() and path.stat().st_size > 0, name
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    for name in ("loss.png", "boundary.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "L0.N0.w0" in printed and "gradient" in printed  # the first step's table
    assert "training accuracy" in printed


@pytest.mark.requires_dot
def test_demo_table_lists_every_parameter_of_the_student_network(tmp_path, capsys):
    demo.main(["--steps", "0", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    for label in ["L0.N0.w0", "L0.N0.w1", "L0.N0.b", "L0.N1.w0", "L0.N1.w1", "L0.N1.b",
                  "L1.N0.w0", "L1.N0.w1", "L1.N0.b"]:
        assert f"\n{label} " in printed


@pytest.mark.requires_dot  # it writes graph.svg
def test_spiral_demo_trains_three_classes_and_draws_a_sample_with_its_logits(tmp_path, capsys):
    demo.main(["--dataset", "spiral", "--steps", "2", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "spiral: 300 samples" in printed and "2-16-16-3" in printed
    svg = (tmp_path / "graph.svg").read_text()
    assert "sample 150 (label 1)" in svg  # halfway along arm 1, not the centre point
    assert ">exp<" in svg and ">log<" in svg  # softmax cross-entropy's nodes


def test_demo_accuracy_uses_argmax_for_several_outputs(tmp_path):
    task = demo.spiral_task(0, 0)
    assert task.threshold is None
    # untrained: about a third right, by argmax over the three logits
    assert 0.1 < demo.accuracy(task) < 0.6


def test_demo_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        demo.main(["--dataset", "mnist"])
    with pytest.raises(SystemExit):
        demo.main(["--steps", "-1"])
    assert "--steps must be >= 0" in capsys.readouterr().err
