"""The arena: every optimizer with its own tuned η0 in one batch, its ranking, gallery, command and page tab;
and the sidebar's "Add family"."""

import csv
import io
import math
from pathlib import Path

import numpy as np
import pytest

import cli
import optimizers
import schedules
from analysis import arena as arena_data
from analysis.batching import MAX_CANDIDATES, BudgetError
from engine.scene import MAX_PAGE_TRAJECTORIES, Scene, SceneError
from engine.simulate import DIVERGED, run, trace_count
from figures.arena import EDGE_MARK, gallery_info, gallery_plot, reach_info
from ui import families
from ui import state as ui_state

SCENE = Scene.build(
    {
        "surface": {"id": "rosenbrock"},
        "starts": [[-2.0, 2.5], [1.5, -0.5]],
        "schedules": [{"id": "step_lr"}, {"id": "cosine_lr"}],
        "steps": 60,
        "dtype": "float64",
    }
)
KINDS = [{"id": "sgd"}, {"id": "adam"}, {"id": "lbfgs"}, {"id": "sam", "inner": {"id": "sgd"}}]
CANDIDATES = 12


@pytest.fixture(scope="module")
def result():
    return arena_data.arena(SCENE, KINDS, schedule=1, candidates=CANDIDATES, low=1e-3, high=10.0)


def test_every_candidate_of_every_optimizer_runs_in_one_batch(result):
    assert result.trajectories == len(KINDS) * CANDIDATES * 2 and result.steps == SCENE.steps
    assert result.schedule.id == "cosine_lr" and result.labels == ("sgd", "adam", "lbfgs", "sam(sgd)")
    assert result.families == tuple(optimizers.FAMILIES[optimizers.OPTIMIZERS[k["id"]].family] for k in KINDS)
    np.testing.assert_allclose(result.candidates, np.geomspace(1e-3, 10.0, CANDIDATES))
    assert result.objective.shape == result.final_loss.shape == (len(KINDS), CANDIDATES)
    assert result.reached.shape == result.steps_to_reach.shape == (len(KINDS), CANDIDATES, 2)
    assert result.paths.shape == (len(KINDS), 2, SCENE.steps + 1, 2)
    # Other η0 values are data: the same arena over another range compiles nothing.
    before = trace_count()
    arena_data.arena(SCENE, KINDS, schedule=1, candidates=CANDIDATES, low=1e-4, high=1.0)
    assert trace_count() == before


def test_the_tuned_eta0_minimises_the_objective_and_its_run_is_the_scene_a_click_loads(result):
    for o in range(len(KINDS)):
        finite = np.isfinite(result.objective[o])
        assert finite.any()
        best = result.best[o]
        assert result.objective[o, best] == result.objective[o, finite].min()
        scene = result.scene_for(o)
        assert scene.optimizers == [result.optimizers[o]] and scene.lr == result.tuned_lr[o]
        assert [spec.id for spec in scene.schedules] == ["cosine_lr"] and scene.steps == SCENE.steps
        alone = run(scene)
        # A line search magnifies the last bits of a differently fused program (engine tests): its first steps only.
        steps = 10 if KINDS[o]["id"] == "lbfgs" else SCENE.steps + 1
        np.testing.assert_allclose(alone.positions[:, :steps], result.paths[o, :, :steps], rtol=1e-6, atol=1e-6)
    edges = result.edge
    last = CANDIDATES - 1
    for edge, best in zip(edges, result.best, strict=True):
        assert (edge == "low") == (best == 0) and (edge == "high") == (best == last)


def test_reaching_the_minimum_is_read_from_the_paths(result):
    goal, radius = result.goal, result.radius
    for o in range(len(KINDS)):
        for p in range(2):
            path = result.paths[o, p]
            near = np.min(np.linalg.norm(path[:, None, :] - goal[None], axis=-1), axis=1) <= radius
            reached = bool(result.at_tuned(result.reached)[o, p])
            assert reached == (bool(near[-1]) and result.path_status[o, p] != DIVERGED)
            if reached:
                first = int(result.at_tuned(result.steps_to_reach)[o, p])
                assert near[first:].all() and (first == 0 or not near[first - 1])
    np.testing.assert_allclose(result.robustness, result.reached.mean(axis=(1, 2)))
    # Plain optimizers spend one gradient evaluation a step, SAM two, a line search more: the same runs counted by
    # evaluations reach the minimum no more often.
    sgd, sam = 0, 3
    np.testing.assert_array_equal(result.reached_evals[sgd], result.reached[sgd])
    evals, steps = result.evals_to_reach[sam], result.steps_to_reach[sam]
    np.testing.assert_array_equal(evals[np.isfinite(evals)], 2 * steps[np.isfinite(steps)])
    assert np.all(result.robustness_evals <= result.robustness)


def test_table_ranks_by_each_measure(result):
    for rank_by in arena_data.RANKINGS:
        rows = arena_data.table(result, rank_by)
        assert [row["rank"] for row in rows] == list(range(1, len(KINDS) + 1))
        assert sorted(row["index"] for row in rows) == list(range(len(KINDS)))
        assert len({tuple(row) for row in rows}) == 1  # every row has the same keys
    tuned = arena_data.table(result, "tuned")
    values = [row["distance2"] if row["distance2"] is not None else math.inf for row in tuned]
    assert values == sorted(values)
    robust = arena_data.table(result, "robustness")
    shares = [row["robustness (steps)"] for row in robust]
    assert shares == sorted(shares, reverse=True)
    lines = arena_data.csv_text(result, "steps").splitlines()
    assert lines[0].startswith("# surface rosenbrock, schedule cosine_lr, 60 steps, 12 η0")
    parsed = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert [row["optimizer"] for row in parsed] == [row["optimizer"] for row in arena_data.table(result, "steps")]
    with pytest.raises(ValueError, match="rank_by"):
        arena_data.table(result, "speed")


def test_an_edge_choice_is_flagged_and_an_optimizer_that_always_diverges_has_no_run():
    scene = Scene.build({"surface": {"id": "quadratic"}, "clip": None, "steps": 30, "dtype": "float64"})
    # SGD on a bowl of curvature 1 is best at the top of [1e-3, 0.5] and diverges everywhere in [3, 10].
    low = arena_data.arena(scene, [{"id": "sgd"}], candidates=6, low=1e-3, high=0.5)
    assert low.edge == ("high",) and low.tuned_lr[0] == pytest.approx(0.5)
    gone = arena_data.arena(scene, [{"id": "sgd"}], candidates=6, low=3.0, high=10.0)
    assert gone.best[0] == -1 and math.isnan(gone.tuned_lr[0]) and gone.edge == ("",)
    assert np.all(np.isnan(gone.paths[0])) and gone.diverged.all()
    with pytest.raises(SceneError, match="diverged at every η0"):
        gone.scene_for(0)
    row = arena_data.table(gone)[0]
    assert row["tuned η0"] is None and row["robustness (steps)"] == 0.0
    info = reach_info(gone)
    assert np.all(np.isnan(info.share))


def test_default_optimizers_are_the_registry_or_its_families():
    every = arena_data.default_optimizers()
    assert [spec.id for spec in every] == list(optimizers.OPTIMIZERS)
    sign = arena_data.default_optimizers(["sign"])
    assert {spec.id for spec in sign} == {k for k, e in optimizers.OPTIMIZERS.items() if e.family == "sign"}
    with pytest.raises(SceneError, match="unknown optimizer family nope; known: sgd"):
        arena_data.default_optimizers(["nope"])


def test_budgets_and_bad_settings_are_refused_before_any_work():
    with pytest.raises(BudgetError, match=f"candidates must be in \\[2, {MAX_CANDIDATES}\\]"):
        arena_data.arena(SCENE, KINDS, candidates=MAX_CANDIDATES + 1)
    with pytest.raises(BudgetError, match="recorded trajectory-steps is over the limit"):
        arena_data.arena(SCENE.replace(steps=2000), None, candidates=1000)
    with pytest.raises(SceneError, match="objective must be one of"):
        arena_data.arena(SCENE, KINDS, objective="speed")
    with pytest.raises(SceneError, match=r"schedule must be an index in \[0, 1\]"):
        arena_data.arena(SCENE, KINDS, schedule=2)
    with pytest.raises(SceneError, match="need 0 < low < high"):
        arena_data.arena(SCENE, KINDS, low=1.0, high=0.1)
    with pytest.raises(SceneError, match=r"optimizers\.1: .*unknown optimizer"):
        arena_data.arena(SCENE, [{"id": "sgd"}, {"id": "nope"}])
    with pytest.raises(BudgetError, match="between 1 and"):
        arena_data.arena(SCENE, [{"id": "sgd"}] * (arena_data.MAX_OPTIMIZERS + 1))


def test_gallery_has_one_panel_per_optimizer_on_one_colour_scale(result):
    order = [row["index"] for row in arena_data.table(result, "tuned")]
    info = gallery_info(result, order=order, ranked_by="tuned")
    assert [panel.index for panel in info.panels] == order
    assert info.title.endswith("ranked by " + arena_data.RANKINGS["tuned"])
    for rank, panel in enumerate(info.panels, start=1):
        assert panel.title.startswith(f"{rank}. {result.labels[panel.index]} · η0 ")
        assert (EDGE_MARK in panel.title) == bool(result.edge[panel.index])
        assert panel.paths.shape[0] == 2 and panel.paths.shape[2] == 2
    figure = gallery_plot(info)
    contours = [trace for trace in figure.data if trace.type == "contour"]
    assert len(contours) == len(order) and {trace.coloraxis for trace in contours} == {"coloraxis"}
    assert figure.layout.coloraxis.cmin == info.zrange[0] and figure.layout.coloraxis.cmax == info.zrange[1]
    clickable = [trace for trace in figure.data if trace.type == "scatter" and trace.customdata is not None]
    assert {int(value) for trace in clickable for value in trace.customdata} == set(order)
    (xmin, xmax) = info.grid.x[0], info.grid.x[-1]
    assert all(list(figure.layout[f"xaxis{'' if k == 0 else k + 1}"].range) == [xmin, xmax] for k in range(4))


def test_cli_arena_prints_the_ranking_and_writes_csv_or_an_image(tmp_path, capsys):
    out = tmp_path / "arena.csv"
    args = ["arena", "--surface", "rosenbrock", "--optimizer", "sgd", "--optimizer", "adamw", "--candidates", "5",
            "--steps", "40", "--rank-by", "robustness", "-o", str(out)]  # fmt: skip
    assert cli.main(args) == 0
    printed = capsys.readouterr().out
    assert "rank\toptimizer\ttuned η0" in printed and "ranked by robustness" in printed
    rows = list(csv.DictReader(io.StringIO("\n".join(out.read_text().splitlines()[1:]))))
    assert sorted(row["optimizer"] for row in rows) == ["adamw", "sgd"]
    assert cli.main(["arena", "--optimizer", "sgd", "-o", str(tmp_path / "x.txt")]) == 2
    assert cli.main(["arena", "--optimizer", "sgd", "--family", "sign"]) == 2
    assert cli.main(["arena", "--schedule-index", "3"]) == 2
    assert "--schedule-index" in capsys.readouterr().err


# --- "Add family" in the sidebar -------------------------------------------------------------------------


def test_a_family_is_added_whole_or_not_at_all():
    values = {"n_opt": 1, "opt.0.id": "sgd", "n_sched": 1, "sched.0.id": "constant_lr", "starts": [[0, 0]]}
    sgd_family = families.plan("opt", "sgd", values)
    assert sgd_family.ok and sgd_family.add == [k for k in families.members("opt", "sgd") if k != "sgd"]
    assert "sgd was there already" in sgd_family.message
    adam = families.plan("opt", "adam", values)
    assert len(families.members("opt", "adam")) > ui_state.MAX_SLOTS  # more than the page holds
    assert not adam.ok and adam.add == [] and "Arena tab" in adam.message
    assert f"the page holds {ui_state.MAX_SLOTS} optimizers and {ui_state.MAX_SLOTS - 1} slots are free" in (
        adam.message
    )
    again = families.plan("sched", "piecewise", {**values, "n_sched": 1, "sched.0.id": "constant_lr"})
    assert again.ok and "constant_lr" not in again.add
    every_sgd = {f"opt.{i}.id": key for i, key in enumerate(families.members("opt", "sgd"))}
    done = families.plan("opt", "sgd", {**values, "n_opt": 5, **every_sgd})
    assert done.ok and done.add == [] and "already" in done.message
    crowded = {**values, "starts": [[0, 0]] * 30, "n_sched": 2}
    too_many = families.plan("opt", "sign", crowded)
    assert not too_many.ok and f"limit of {MAX_PAGE_TRAJECTORIES}" in too_many.message
    assert set(families.members("sched", "budgeted")) == {
        k for k, e in schedules.SCHEDULES.items() if e.family == "budgeted"
    }
    with pytest.raises(ValueError, match="unknown optimizer family"):
        families.plan("opt", "nope", values)


# --- The page ----------------------------------------------------------------------------------------------

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.mark.xdist_group("app")
def test_page_arena_tab_and_add_family():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, at.exception
    # Add family: the sign family fits, the Adam family does not (and says so).
    at.selectbox(key="family.opt").set_value("sign")
    at.button(key="add_family.opt").click().run()
    assert not at.exception, at.exception
    shown = Scene.from_json(at.session_state["last_scene"])
    assert [spec.id for spec in shown.optimizers] == ["sgd", *families.members("opt", "sign")]
    at.selectbox(key="family.opt").set_value("adam")
    at.button(key="add_family.opt").click().run()
    assert any("Arena tab" in warning.value for warning in at.warning)
    assert len(Scene.from_json(at.session_state["last_scene"]).optimizers) == 5

    at.number_input(key="steps").set_value(60).run()
    at.session_state["tab"] = "Arena"
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="arena_choice").set_value("scene").run()
    at.number_input(key="arena_candidates").set_value(5)
    at.toggle(key="arena_on").set_value(True).run()
    assert not at.exception, at.exception
    specs = [element for element in at.get("plotly_chart") if "chart_arena" in element.proto.id]
    assert len(specs) == 2  # the gallery and the reach map
    table = next(frame.value for frame in at.dataframe if "robustness (steps)" in frame.value)
    assert len(table) == 5
    # A click on a panel (its paths carry the optimizer's index) loads that optimizer's tuned run.
    at.session_state["chart_arena"] = {
        "selection": {"points": [{"x": 0, "y": 0, "customdata": 2}], "point_indices": [0], "box": [], "lasso": []}
    }
    at.run()
    assert not at.exception, at.exception
    loaded = Scene.from_json(at.session_state["last_scene"])
    assert [spec.id for spec in loaded.optimizers] == [families.members("opt", "sign")[1]]
    assert len(loaded.schedules) == 1 and "from the arena" in at.info[0].value
