"""The command line, as a person types it."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cli
from landscapes import SURFACES
from optimizers import OPTIMIZERS
from schedules import SCHEDULES

ROOT = Path(__file__).resolve().parent.parent
ISSUE_COMMAND = [
    "run", "--surface", "rosenbrock", "--start", "-2,2.5", "--optimizer", "sgd",
    "--schedule", "constant_lr", "--schedule", "step_lr", "--schedule", "cosine_lr",
    "--schedule", "cosineclr_lr", "--schedule", "lwarmcosine_lr",
    "--lr", "0.001", "--steps", "500", "--clip", "1",
]  # fmt: skip


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    ("what", "registry"), [("surfaces", SURFACES), ("schedules", SCHEDULES), ("optimizers", OPTIMIZERS)]
)
def test_list_prints_every_id_with_name_and_parameters(what, registry, capsys):
    assert cli.main(["list", what]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == list(registry)
    for line, entry in zip(lines, registry.values(), strict=True):
        _, name, params = line.split("\t")
        assert name == entry.name
        for param in entry.params:
            assert f"{param}=" in params


def test_the_issue_command_writes_5_by_501_finite_rows_deterministically(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (first, second):
        done = _cli(*ISSUE_COMMAND, "-o", str(out))
        assert done.returncode == 0, done.stderr
    assert first.read_bytes() == second.read_bytes()
    rows = list(csv.DictReader(io.StringIO(first.read_text())))
    assert len(rows) == 5 * 501
    assert list(rows[0]) == [
        "run",
        "optimizer",
        "schedule",
        "start_x",
        "start_y",
        "step",
        "x",
        "y",
        "loss",
        "lr",
        "status",
        "grad_evals",
    ]
    assert [r["schedule"] for r in rows[::501]] == [
        "constant_lr",
        "step_lr",
        "cosine_lr",
        "cosineclr_lr",
        "lwarmcosine_lr",
    ]
    numbers = np.array([[float(r[c]) for c in ("x", "y", "loss")] for r in rows])
    assert np.all(np.isfinite(numbers))
    assert rows[0]["step"] == "0" and (float(rows[0]["x"]), float(rows[0]["y"])) == (-2.0, 2.5)
    assert rows[500]["lr"] == "" and float(rows[499]["lr"]) == pytest.approx(0.001)  # constant_lr; last row has no step
    assert float(rows[501 + 5]["lr"]) == pytest.approx(0.001 * 0.95)  # step_lr at k = 5


def test_scene_file_round_trip_and_flags_override(tmp_path):
    scene_file = tmp_path / "scene.json"
    optimizer = "lookahead:inner=yogi,k=4,inner.eps=0.01"
    schedule = "step_lr:gamma=0.9,step_size=10"
    args = ["scene", "--surface", "saddle", "--optimizer", optimizer, "--schedule", schedule, "--lr", "0.02"]
    assert cli.main([*args, "-o", str(scene_file)]) == 0
    from engine.scene import Scene

    scene = Scene.from_json(scene_file.read_text())
    assert scene.surface.id == "saddle" and scene.starts == [tuple(map(float, SURFACES["saddle"].starts[0]))]
    assert scene.optimizers[0].inner.id == "yogi" and scene.optimizers[0].params == {"k": 4}
    assert scene.optimizers[0].inner.params == {"eps": 0.01}
    assert scene.schedules[0].params == {"gamma": 0.9, "step_size": 10}
    out = tmp_path / "out.csv"
    assert cli.main(["run", "--scene", str(scene_file), "--steps", "20", "-o", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 1 + 21


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["run", "--surface", "nope"], "unknown surface 'nope'"),
        (["run", "--start", "1"], "expected two numbers X,Y"),
        (["run", "--lr", "abc"], "invalid float value"),
        (["run", "--schedule", "step_lr:gamma"], "expected name=value"),
        (["run", "--schedule", "step_lr:gamma=7"], "gamma: must be in"),
        (["run", "--steps", "0"], "steps"),
        (["run", "--scene", "/no/such/file.json"], "no such file"),
        (["run", "--clip", "x"], "--clip"),
        (["list", "things"], "invalid choice"),
        (["dance"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, hint, capsys):
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert hint in err, err


def test_bad_arguments_from_a_real_shell_show_no_traceback():
    done = _cli("run", "--optimizer", "adam:b1=2")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_presets_lists_every_preset(capsys):
    from presets import PRESETS

    assert cli.main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == list(PRESETS)


def test_preset_flag_starts_from_the_preset_and_flags_override(tmp_path, capsys):
    from engine.scene import Scene
    from presets import PRESETS

    out = tmp_path / "s.json"
    assert cli.main(["scene", "--preset", "fig3-saddle", "--steps", "77", "-o", str(out)]) == 0
    scene = Scene.from_json(out.read_text())
    assert scene == PRESETS["fig3-saddle"].build().replace(steps=77)
    assert cli.main(["scene", "--preset", "nope"]) == 2
    assert "unknown preset 'nope'" in capsys.readouterr().err


@pytest.mark.xdist_group("browser")
def test_render_writes_each_format(tmp_path):
    pytest.importorskip("kaleido")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("static export needs Debian's chromium: apt-get install -y chromium")
    base = ["render", "--preset", "fig3-saddle", "--steps", "60"]
    png, svg, html, pdf = tmp_path / "c.png", tmp_path / "l.svg", tmp_path / "p.html", tmp_path / "l.pdf"
    size = ["--width", "600", "--height", "400", "--scale", "1"]
    assert cli.main([*base, "--view", "contour", *size, "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png.read_bytes()[16:20], "big") == 600
    assert cli.main([*base, "--view", "lr", "-o", str(svg)]) == 0
    assert b"<svg" in svg.read_bytes()[:2000]
    assert cli.main([*base, "--view", "loss", "-o", str(html)]) == 0
    assert "plotly" in html.read_text() and '<script type="application/json" id="scene"' in html.read_text()
    assert cli.main([*base, "--view", "lr", "-o", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert cli.main([*base, "--view", "lr", "-o", str(tmp_path / "x.gif")]) == 2
    assert cli.main([*base, "--view", "lr", "-o", str(tmp_path / "x.bmp")]) == 2


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["--layout", "paper", "--view", "lr"], "--view picks one view for --layout single"),
        (["--layout", "slide", "--column", "one"], "a slide is 1920 × 1080 pixels"),
        (["--dpi", "300"], "--dpi goes with a printed width"),
        (["--layout", "paper", "--width", "800"], "--width and --height size a single view"),
        (["--column", "one", "--width-mm", "80"], "give a column or a width in mm, not both"),
        (["--width-mm", "5"], "30–400 mm"),
        (["--view", "lr", "--camera", "1,1,1"], "--view lr has none"),
        (["--camera", "1,1"], "expected an eye"),
        (["--layout", "paper", "--format", "gif"], "a GIF shows one view"),
        (["--format", "pdf", "-o", "x.png"], "disagree"),
        (["-o", "-"], "render writes a file"),
        (["-o", "no/such/folder/"], "no such folder"),
        (["--layout", "paper", "--view", "basins"], "--view picks one view"),
    ],
)
def test_render_rejects_flags_that_mean_nothing(args, hint, capsys):
    assert cli.main(["render", "--preset", "fig3-saddle", "--steps", "20", *args]) == 2
    err = capsys.readouterr().err
    assert hint in err and err.count("\n") == 1, err


@pytest.mark.xdist_group("browser")
def test_render_names_files_after_the_preset_and_embeds_the_scene(tmp_path, capsys, monkeypatch):
    """Export → ``cli.py run --scene exported.png`` → the same Scene (and the same trajectories)."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("static export needs Debian's chromium: apt-get install -y chromium")
    from engine.scene import Scene
    from presets import PRESETS

    monkeypatch.chdir(tmp_path)
    small = ["render", "--preset", "fig3-saddle", "--view", "contour", "--width", "300", "--height", "200"]
    assert cli.main(small) == 2  # no room for the plot under its title, ticks and legend: said, not a traceback
    error = capsys.readouterr().err
    assert "use at least" in error and len(error.strip().splitlines()) == 1
    assert cli.main([*small[:-4], "--width", "500", "--height", "400"]) == 0
    assert Path("fig3-saddle_contour.png").is_file(), "no -o: named after the preset and the view, here"
    assert "fig3-saddle_contour.png (500 × 400 px × 2)" in capsys.readouterr().out
    base = ["render", "--preset", "fig3-saddle", "--steps", "40"]  # edited: no longer the preset as it ships
    assert cli.main([*base, "--layout", "paper", "--column", "one", "--dpi", "150", "-o", str(tmp_path)]) == 0
    png = tmp_path / "custom-saddle_paper-85mm.png"
    assert f"{png} (85 × " in capsys.readouterr().out and png.is_file()
    from PIL import Image

    image = Image.open(png)
    assert image.size[0] == round(85 / 25.4 * 150) and image.info["dpi"] == pytest.approx((150, 150), abs=0.05)
    assert "--layout paper" in image.text["Comment"] and "--width-mm 85 --dpi 150" in image.text["Comment"]
    expected = PRESETS["fig3-saddle"].build().replace(steps=40)
    for exported in (png,):
        out = tmp_path / "again.json"
        assert cli.main(["scene", "--scene", str(exported), "-o", str(out)]) == 0
        assert Scene.from_json(out.read_text()) == expected
    csv_again, csv_direct = tmp_path / "again.csv", tmp_path / "direct.csv"
    assert cli.main(["run", "--scene", str(png), "-o", str(csv_again)]) == 0
    assert cli.main(["run", "--preset", "fig3-saddle", "--steps", "40", "-o", str(csv_direct)]) == 0
    assert csv_again.read_text() == csv_direct.read_text()
    assert (
        cli.main([*base, "--layout", "slide", "--format", "pdf", "--camera", "1.8,-1.2,0.8", "-o", str(tmp_path)]) == 0
    )
    pdf = tmp_path / "custom-saddle_slide.pdf"
    assert cli.main(["scene", "--scene", str(pdf), "-o", str(tmp_path / "p.json")]) == 0
    assert Scene.from_json((tmp_path / "p.json").read_text()) == expected
    gif = tmp_path / "g.gif"
    assert cli.main([*base, "--view", "contour", "-o", str(gif)]) == 0
    assert Scene.from_json((tmp_path / "g.scene.json").read_text()) == expected, "a GIF's scene is its side-car"
    capsys.readouterr()
    assert cli.main(["run", "--scene", str(gif)]) == 2
    error = capsys.readouterr().err
    assert "neither a scene JSON file nor an exported" in error and "g.scene.json" in error
