"""The demo runs end to end, quickly, into a temporary directory."""

import pytest

from nn import demo


@pytest.mark.requires_dot  # it writes graph.svg
@pytest.mark.parametrize("dataset", ["students", "moons"])
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


def test_demo_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        demo.main(["--dataset", "mnist"])
    with pytest.raises(SystemExit):
        demo.main(["--steps", "-1"])
    assert "--steps must be >= 0" in capsys.readouterr().err
