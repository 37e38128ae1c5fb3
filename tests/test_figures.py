"""Figures: exact tests of the data functions, a few attributes of each figure, and the exports.

Data tests use hand-made Results (no simulation) so that every expected number is written out;
figure tests use one short real run. Export tests share one kaleido session and are skipped
when no Chromium is installed.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import shutil
import struct
import xml.etree.ElementTree as ET

import jax
import jax.numpy as jnp
import numpy as np
import plotly.graph_objects as go
import pytest

import landscapes
from analysis.lrsearch import LRSearch
from analysis.outcomes import DIVERGED as GONE  # the map's outcome code, not the run status DIVERGED
from analysis.outcomes import SADDLE, STALLED
from engine.scene import Scene
from engine.simulate import CONVERGED, DIVERGED, RUNNING, Result, RunLabel, run
from figures import (
    COLUMNS,
    PALETTE,
    VIEWS,
    contour_figure,
    effective_lr_figure,
    internals_figure,
    loss_figure,
    lr_figure,
    playback_figure,
    run_colors,
    shared_label,
    short_labels,
    step_sizes,
    summary_table,
    surface_figure,
    surface_grid,
    theme,
)
from figures.claims import (
    ROBUSTNESS_EXPLAINED,
    VERDICT_COLORS,
    ClaimInfo,
    EvidenceLine,
    claim_info,
    claim_plot,
    claims_markdown,
    reason_items,
    robustness_text,
)
from figures.paths import DEFAULT_CAMERA, DRAWABLE, clip_to_box, loss_curves, path_region, run_names, run_styles
from figures.playback import contour_image, playback_steps, redraw_frame
from figures.summary import HEADERS, PAGE_COLUMNS, page_rows
from figures.sweeps import OTHER_COLORS, categories, lr_search_info, lr_search_plot


def label(index: int, schedule: str = "constant_lr", optimizer: str = "sgd", start=(-2.0, 2.5), perturbation=(0, 0)):
    return RunLabel(
        index=index,
        start_index=0,
        perturbation_index=0,
        optimizer_index=0,
        schedule_index=0,
        start=start,
        perturbation=perturbation,
        optimizer=optimizer,
        schedule=schedule,
    )


def hand_made(surface: str, positions, runs, *, loss=None, lr=None, grad_norm=None, status=None, status_step=None):
    """A Result built by hand: ``positions`` is [B, T + 1, 2]; the rest defaults to simple values. Its scene lists
    the runs' schedules and optimizers (each id once, in order), so that runs are named as on the page."""
    positions = np.asarray(positions, np.float64)
    size, points = positions.shape[:2]
    schedule_ids = list(dict.fromkeys(run.schedule for run in runs))
    optimizer_ids = list(dict.fromkeys(run.optimizer for run in runs))
    runs = [
        dataclasses.replace(
            run, schedule_index=schedule_ids.index(run.schedule), optimizer_index=optimizer_ids.index(run.optimizer)
        )
        for run in runs
    ]
    scene = {
        "surface": {"id": surface},
        "steps": points - 1,
        "schedules": [{"id": schedule} for schedule in schedule_ids],
        "optimizers": [{"id": optimizer} for optimizer in optimizer_ids],
    }
    return Result(
        scene=Scene.build(scene),
        runs=tuple(runs),
        positions=positions,
        loss=np.asarray(loss if loss is not None else np.ones((size, points)), np.float64),
        grad_norm=np.asarray(grad_norm if grad_norm is not None else np.ones((size, points)), np.float64),
        lr=np.asarray(lr if lr is not None else np.full((size, points - 1), 0.1), np.float64),
        status=np.asarray(status if status is not None else [RUNNING] * size, np.int8),
        status_step=np.asarray(status_step if status_step is not None else [-1] * size, np.int64),
    )


# --- summary_table -----------------------------------------------------------------------------------


def test_summary_table_rosenbrock_by_hand():
    # Window (-2, 2) × (-1, 3): larger side 4, so tol = 0.04 and the "nearest" radius = 0.2.
    # Run 0: (-1, 0) -> (0.5, 0.5) -> (0.97, 1.0) -> (0.995, 1.0); distance to (1, 1): …, 0.03, 0.005.
    # Run 1: (-2, 2.5) -> (-2, 2.5) -> (3, 3) (frozen there, diverged at step 2).
    result = hand_made(
        "rosenbrock",
        [[(-1, 0), (0.5, 0.5), (0.97, 1.0), (0.995, 1.0)], [(-2, 2.5), (-2, 2.5), (3, 3), (3, 3)]],
        [label(0, "constant_lr", start=(-1.0, 0.0)), label(1, "cosine_lr", start=(-2.0, 2.5))],
        loss=[[404, 6.5, 0.0018, 2.5e-5], [409, 409, 3604, 3604]],
        grad_norm=[[1, 1, 0.5, 1e-3], [1, 1, math.inf, math.nan]],
        status=[CONVERGED, DIVERGED],
        status_step=[3, 2],
    )
    rows = summary_table(result, readable=False)
    json.dumps(rows, allow_nan=False)  # JSON-safe
    assert [list(row) for row in rows] == [list(COLUMNS)] * 2
    assert rows[0] == {
        "run": 0,
        "label": "Constant · start (−1, 0)",  # names as people picked them, rounded, a typographic minus
        "name": "constant_lr · sgd · start (-1, 0)",
        "optimizer": "sgd",
        "schedule": "constant_lr",
        "start": [-1.0, 0.0],
        "final_x": 0.995,
        "final_y": 1.0,
        "final_loss": 2.5e-5,
        "final_grad_norm": 1e-3,
        "distance": pytest.approx(0.005),
        "nearest_kind": "minimizer",
        "nearest_point": [1.0, 1.0],
        "nearest_distance": pytest.approx(0.005),
        "steps_to_tol": 2,
        "status": "converged",
        "status_step": 3,
    }
    assert rows[1] == {
        "run": 1,
        "label": "Cosine annealing · start (−2, 2.5)",
        "name": "cosine_lr · sgd · start (-2, 2.5)",  # the ids stay in the data (and the exports)
        "optimizer": "sgd",
        "schedule": "cosine_lr",
        "start": [-2.0, 2.5],
        "final_x": 3.0,
        "final_y": 3.0,
        "final_loss": 3604.0,
        "final_grad_norm": None,
        "distance": pytest.approx(math.hypot(2, 2)),
        "nearest_kind": "none",
        "nearest_point": None,
        "nearest_distance": None,
        "steps_to_tol": None,
        "status": "diverged",
        "status_step": 2,
    }
    # A looser tolerance arrives earlier; a zero radius names no critical point.
    assert summary_table(result, tol=0.75, readable=False)[0]["steps_to_tol"] == 1  # |(0.5, 0.5) − (1, 1)| = 0.707
    assert summary_table(result, radius=0.0, readable=False)[0]["nearest_kind"] == "none"
    # The page's table (st.dataframe of the default rows) heads its columns with words, not identifiers.
    shown = summary_table(result)
    json.dumps(shown, allow_nan=False)
    assert list(shown[0]) == [HEADERS[c] for c in COLUMNS] and list(shown[0].values()) == list(rows[0].values())
    assert shown[0]["final loss"] == 2.5e-5 and shown[0]["‖∇f‖ at the end"] == 1e-3
    assert shown[1]["steps to converge / diverge"] == 2 and shown[1]["status"] == "diverged"
    assert len(set(HEADERS.values())) == len(COLUMNS) == len(HEADERS)
    assert not any("_" in header for header in HEADERS.values())
    with pytest.raises(ValueError, match="tol=0"):
        summary_table(result, tol=0)


def test_summary_table_measures_to_the_target_without_minimizers():
    # x² − y² has no minimizer: distances go to its target (0, 4); the saddle (0, 0) is the nearest point.
    result = hand_made("saddle", [[(-4, 0), (-1, 0), (0.01, 0)]], [label(0, start=(-4.0, 0.0))])
    (row,) = summary_table(result, readable=False)
    assert row["distance"] == pytest.approx(math.hypot(0.01, 4))
    assert (row["nearest_kind"], row["nearest_point"]) == ("saddle", [0.0, 0.0])
    assert row["nearest_distance"] == pytest.approx(0.01)
    assert (row["steps_to_tol"], row["status"], row["status_step"]) == (None, "running", None)
    assert row["label"] == "Constant · SGD · start (−4, 0)"  # a lone run keeps its full name
    assert row["name"] == "constant_lr · sgd · start (-4, 0)"


# --- labels ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("runs", "expected", "shared"),
    [
        (
            [label(0, "constant_lr"), label(1, "cosine_lr")],
            ["Constant", "Cosine annealing"],
            "SGD · start (−2, 2.5)",
        ),
        (
            [label(0, optimizer="sgd", start=(0.57, 0.8)), label(1, optimizer="momentum", start=(0.4, 1.0))],
            ["SGD · start (0.57, 0.8)", "SGD + momentum · start (0.4, 1)"],
            "Constant",
        ),
        (
            [label(0, start=(2.0, 0.0)), label(1, start=(2.0, 0.0), perturbation=(0.0, 0.1))],
            ["start (2, 0)", "start (2, 0.1)"],  # the perturbation is part of where a run starts
            "Constant · SGD",
        ),
        ([label(0)], ["Constant · SGD · start (−2, 2.5)"], "Constant · SGD · start (−2, 2.5)"),
        (
            [label(0, "step_lr"), label(1, "cosine_lr"), label(2, "step_lr")],
            ["Step decay #0", "Cosine annealing", "Step decay #2"],
            "SGD · start (−2, 2.5)",
        ),
        (  # starts rounded to 2 digits, more where two would read the same
            [label(0, start=(-0.983051, -0.559322)), label(1, start=(-0.981, -0.56)), label(2, start=(2.5, 2.0))],
            ["start (−0.983, −0.559)", "start (−0.981, −0.56)", "start (2.5, 2)"],
            "Constant · SGD",
        ),
    ],
)
def test_short_labels_drop_the_shared_parts(runs, expected, shared):
    result = hand_made("rosenbrock", np.zeros((len(runs), 2, 2)), runs)
    assert short_labels(result) == expected
    assert shared_label(result) == shared


# --- step sizes --------------------------------------------------------------------------------------


def test_step_sizes_by_hand():
    # Steps of length 5 (3-4-5) then 0; η = 0.5, 0.25; ‖g‖ = 10, 0 (the second is undefined).
    result = hand_made("rosenbrock", [[(0, 0), (3, 4), (3, 4)]], [label(0)], lr=[[0.5, 0.25]], grad_norm=[[10, 0, 0]])
    sizes = step_sizes(result)
    np.testing.assert_allclose(sizes.length, [[5, 0]])
    np.testing.assert_allclose(sizes.per_lr, [[10, 0]])
    np.testing.assert_allclose(sizes.effective_lr, [[0.5, np.nan]])


# --- figures of a real run ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result() -> Result:
    scene = Scene.build(
        {
            "surface": {"id": "rosenbrock"},
            "optimizers": [{"id": "sgd"}, {"id": "adam"}],
            "schedules": [{"id": "constant_lr"}, {"id": "cosine_lr"}],
            "lr": 0.01,
            "steps": 150,
        }
    )
    return run(scene, inspect=True)


@pytest.fixture(scope="module")
def grid(result):
    surface = landscapes.SURFACES[result.scene.surface.id]
    return surface_grid(surface.id, {}, surface.window, resolution=40)


def run_traces(fig, run: int):
    return [t for t in fig.data if t.legendgroup == str(run)]


def test_trace_counts_and_legends(result, grid):
    runs = result.num_runs
    assert len(surface_figure(result, grid).data) == 1 + 3 * runs  # outline, path, start/end
    contour = contour_figure(result, grid)
    assert len(contour.data) == 1 + 2 * runs + 1  # + the minimizer
    assert [t.name for t in contour.data if t.showlegend is not False][-1] == "minimizer"
    assert [t.name for t in contour.data[1::2][:runs]] == short_labels(result)
    assert contour.layout.legend.title.text == "start (−2, 2.5)"
    for fig in (lr_figure(result), loss_figure(result), loss_figure(result, distance=True)):
        assert len(fig.data) == runs
        assert [t.name for t in fig.data] == [
            "Constant · SGD",
            "Cosine annealing · SGD",
            "Constant · Adam",
            "Cosine annealing · Adam",
        ]
        assert "constant_lr · adam" in fig.data[2].hovertemplate  # the ids in the tooltip
    assert len(effective_lr_figure(result).data) == 2 * runs
    assert len(effective_lr_figure(result, show_lr=False).data) == runs
    # start circle and end diamond per run, in 2-D and 3-D
    for fig in (contour, surface_figure(result, grid)):
        ends = run_traces(fig, 0)[-1]
        assert list(ends.marker.symbol) == ["circle", "diamond"]


def test_clickable_grid_and_fixed_ranges(result, grid):
    fig = contour_figure(result, grid, clickable_grid=True)
    (pick,) = [t for t in fig.data if t.name == "pick"]
    assert (pick.mode, pick.marker.opacity, pick.marker.size, pick.hoverinfo) == ("markers", 0, 8, "none")
    assert pick.showlegend is False
    assert (min(pick.x), max(pick.x), min(pick.y), max(pick.y)) == (-2, 2, -1, 3)
    assert list(fig.layout.xaxis.range) == [-2, 2] and list(fig.layout.yaxis.range) == [-1, 3]
    assert "pick" not in [t.name for t in contour_figure(result, grid).data]


def test_axis_titles_and_scales(result, grid):
    contour = contour_figure(result, grid)
    assert (contour.layout.xaxis.title.text, contour.layout.yaxis.title.text) == ("x", "y")
    scene = surface_figure(result, grid, log_z=True).layout.scene
    assert (scene.xaxis.title.text, scene.yaxis.title.text) == ("x", "y")
    assert scene.zaxis.title.text.startswith("log₁₀")
    assert surface_figure(result, grid).layout.scene.zaxis.title.text == "f(x, y)"
    lr = lr_figure(result)
    assert (lr.layout.xaxis.title.text, lr.layout.yaxis.type) == ("step k", "linear")
    assert "η" in lr.layout.yaxis.title.text
    assert lr_figure(result, log_y=True).layout.yaxis.type == "log"
    assert loss_figure(result).layout.yaxis.type == "log"
    assert loss_figure(result, log_y=False).layout.yaxis.type == "linear"
    distance = loss_figure(result, distance=True)
    assert "θ*" in distance.layout.yaxis.title.text and distance.layout.yaxis.type == "log"
    np.testing.assert_allclose(distance.data[0].y[-1], np.linalg.norm(result.positions[0, -1] - [1, 1]), rtol=1e-6)
    effective = effective_lr_figure(result)
    assert effective.layout.yaxis.type == "log" and effective.layout.xaxis.title.text == "step k"


def test_log_loss_uses_the_gap_to_the_minimum_or_falls_back_to_linear():
    # peaks_ref has f* = −1.468…: a log axis shows f − f*, computed in float64 at the recorded positions (not the
    # float32 loss the run recorded, here deliberately wrong). x² − y² is unbounded below: linear axis.
    peaks = hand_made("peaks_ref", [[(0.57, 0.8), (0.5, 0.5)]], [label(0)], loss=[[0.0, -1.0]])
    fig = loss_figure(peaks)
    assert fig.layout.yaxis.type == "log" and "f*" in fig.layout.yaxis.title.text
    surface = landscapes.SURFACES["peaks_ref"]
    minimum = landscapes.critical_points(surface).min_value
    with jax.enable_x64(True):
        exact = [float(surface.fn(jnp.asarray(p, jnp.float64))) - minimum for p in ((0.57, 0.8), (0.5, 0.5))]
    np.testing.assert_allclose(fig.data[0].y, exact, rtol=1e-12)
    saddle = hand_made("saddle", [[(-4, 0), (0, 3)]], [label(0)])  # f = 16, then −9
    assert loss_figure(saddle).layout.yaxis.type == "linear"


def test_colours_agree_across_figures(result, grid):
    surface, contour = surface_figure(result, grid), contour_figure(result, grid)
    lr, loss, effective = lr_figure(result), loss_figure(result), effective_lr_figure(result)
    playback = playback_figure(result, grid)
    for i in range(result.num_runs):
        colour = PALETTE[i]
        surface_lines = [t for t in run_traces(surface, i) if t.mode == "lines"]
        assert [t.line.color for t in surface_lines] == ["white", colour]  # a white outline under the path
        assert {t.line.color for t in run_traces(contour, i) if t.mode == "lines"} == {colour}
        assert lr.data[i].line.color == loss.data[i].line.color == effective.data[i].line.color == colour
        colours = {t.line.color if t.mode == "lines" else t.marker.color for t in run_traces(playback, i)}
        assert colours == {colour, "white"}  # the 3-D path's outline is white


def test_playback_frames_move_the_markers_of_both_views(result, grid):
    fig = playback_figure(result, grid, log_z=True)
    runs = result.num_runs
    steps = playback_steps(result.positions.shape[1])
    assert len(fig.frames) == len(steps) == 100 and steps[0] == 0 and steps[-1] == result.scene.steps
    markers = list(fig.frames[0].traces)
    assert len(markers) == 2 * runs
    assert [fig.data[i].type for i in markers] == ["scatter3d"] * runs + ["scatter"] * runs
    assert all(fig.data[i].scene == "scene" for i in markers[:runs])
    assert all((fig.data[i].xaxis, fig.data[i].yaxis) == ("x", "y") for i in markers[runs:])
    for frame, step in zip(fig.frames, steps, strict=True):
        assert list(frame.traces) == markers and frame.name == str(step)
        assert [d.type for d in frame.data] == ["scatter3d"] * runs + ["scatter"] * runs
        for i in range(runs):
            x, y = result.positions[i, step]
            assert (frame.data[i].x[0], frame.data[i].y[0]) == (x, y)  # 3-D marker
            assert (frame.data[runs + i].x[0], frame.data[runs + i].y[0]) == (x, y)  # contour marker
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["▶ play", "❚❚ pause"]
    assert fig.layout.scene.domain.x[1] <= fig.layout.xaxis.domain[0]  # 3-D left, contour right


def test_playback_steps_are_clipped_sorted_and_at_most_100():
    assert list(playback_steps(151, [5, 3, 3, 1000, -2])) == [0, 3, 5, 150]
    assert len(playback_steps(1001, range(1001))) == 100
    with pytest.raises(ValueError, match="at least one step"):
        playback_steps(10, [])


def test_internals_figure(result):
    adam = internals_figure(result, 2)
    names = {t.name for t in adam.data}
    assert {"first_moment (x)", "first_moment (y)", "second_moment (x)", "second_moment (y)"} <= names
    assert not [a for a in adam.layout.annotations if "not " in a.text]
    assert adam.layout.yaxis.type == "log" and adam.layout.yaxis2.type == "log"  # step per LR, step length
    assert adam.layout.yaxis4.type == "log"  # the second moment
    assert adam.layout.xaxis4.title.text == "step k"
    assert "‖Δθ<sub>k</sub>‖ / η<sub>k</sub>" in adam.layout.annotations[0].text
    assert {t.line.color for t in adam.data if t.line.dash != "dot"} == {run_colors(result)[2]}
    sgd_notes = [a.text for a in internals_figure(result, 0).layout.annotations if "not " in a.text]
    assert sgd_notes == ["not used by this optimizer (sgd)"] * 2
    unrecorded = dataclasses.replace(result, internals={})
    notes = [a.text for a in internals_figure(unrecorded, 3).layout.annotations if "not " in a.text]
    assert notes == ["not recorded: run the scene with inspect=True"] * 2
    with pytest.raises(ValueError, match="run_index"):
        internals_figure(result, 9)


# --- The view lookup -------------------------------------------------------------------------------------


def test_views_draw_their_figures(result, grid):
    assert list(VIEWS) == ["3d", "contour", "lr", "loss", "playback"]  # the command line's --view, in order
    assert all(key == view.id and view.name for key, view in VIEWS.items())
    expected = {
        "3d": surface_figure(result, grid, log_z=True),
        "contour": contour_figure(result, grid, log_z=True),
        "lr": lr_figure(result),
        "loss": loss_figure(result),
        "playback": playback_figure(result, grid, log_z=True),
    }
    for view in VIEWS.values():
        assert view.draw(result, grid, True).to_json() == expected[view.id].to_json(), view.id
        assert view.animated == bool(expected[view.id].frames)  # the page exports the others as images
    assert [v.id for v in VIEWS.values() if v.on_surface] == ["3d", "contour", "playback"]


# --- Sweep and claim figures: their data, exactly --------------------------------------------------------


def test_theme_panel_row_is_plotly_s_subplot_geometry():
    from plotly.subplots import make_subplots

    parts = theme.panel_row(["a", "b", "c"], shared_yaxes=True, horizontal_spacing=0.05)
    reference = make_subplots(
        rows=1, cols=3, subplot_titles=["a", "b", "c"], shared_yaxes=True, horizontal_spacing=0.05
    )
    assert parts == {key: value for key, value in reference.layout.to_plotly_json().items() if key != "template"}
    assert [a["text"] for a in parts["annotations"]] == ["a", "b", "c"] and parts["yaxis3"]["matches"] == "y"
    assert theme.panel_axes(1) == {"xaxis": "x", "yaxis": "y"} and theme.panel_axes(3) == {"xaxis": "x3", "yaxis": "y3"}
    assert theme.marker_line(0.5, col=2) == {
        "type": "line",
        "x0": 0.5,
        "x1": 0.5,
        "xref": "x2",
        "y0": 0,
        "y1": 1,
        "yref": "y2 domain",
        "line": {"color": "#555555", "dash": "dash", "width": 1},
    }


def test_series_colours_leave_black_and_yellow_to_the_map_outcomes():
    assert set(theme.SERIES) <= set(PALETTE) and len(theme.SERIES) == 12
    assert theme.BLACK not in theme.SERIES and theme.YELLOW not in theme.SERIES
    assert [theme.series_color(k) for k in (0, 12, 13)] == [theme.SERIES[0], theme.SERIES[0], theme.SERIES[1]]


def test_map_categories_order_colour_and_legend():
    names = {SADDLE: "saddle", 1: "min b", GONE: "diverged", 0: "min a", STALLED: "stalled"}
    cats = categories(names)
    assert cats.codes == [0, 1, GONE, SADDLE, STALLED]  # minimizers first, then the other outcomes
    assert cats.names == ["min a", "min b", "diverged", "saddle", "stalled"]
    assert cats.colors == [theme.SERIES[0], theme.SERIES[1], theme.BLACK, theme.YELLOW, OTHER_COLORS[STALLED]]
    outcome = np.array([[1, SADDLE], [1, 0]])
    np.testing.assert_array_equal(cats.index(outcome), [[1, 3], [1, 0]])
    assert cats.legend(outcome) == [("min a", theme.SERIES[0]), ("min b", theme.SERIES[1]), ("saddle", theme.YELLOW)]


def hand_made_search(objective, chosen, mode="shared", name="distance2") -> LRSearch:
    objective = np.asarray(objective, np.float64)
    return LRSearch(
        scene=Scene.build({"surface": {"id": "rosenbrock"}, "schedules": [{"id": "constant_lr"}, {"id": "step_lr"}]}),
        objective_name=name,
        mode=mode,
        steps=200,
        candidates=np.array([0.01, 0.1, 1.0, 10.0]),
        objective=objective,
        distance2=objective,
        best=np.asarray(chosen),
        chosen=np.asarray(chosen),
        reference=0,
        schedule_labels=("constant_lr", "step_lr"),
        trajectories=8,
        trajectory_steps=1600,
        calls=1,
        compilations=0,
        seconds=0.1,
    )


def test_lr_search_info_by_hand():
    inf = math.inf
    info = lr_search_info(hand_made_search([[4.0, 1.0, 0.0, inf], [3.0, 2.0, inf, inf]], [0.1, 0.1]))
    assert info.log_y  # some values are positive
    np.testing.assert_array_equal(info.curves[0].values, [4.0, 1.0, np.nan, np.nan])  # 0 and inf: not on a log axis
    assert [(c.label, c.chosen, c.chosen_value, c.edge) for c in info.curves] == [
        ("Constant", 0.1, 1.0, None),  # the schedules' names, not their ids
        ("Step decay", 0.1, 2.0, None),
    ]
    assert info.shared == 0.1 and info.diverged == (10.0, 10.0)  # every run diverges at η0 = 10 only
    assert info.title == "LR search: 4 candidates from 0.01 to 10 × 200 steps — shared η0 = 0.1 (Constant's best)"
    assert info.y_title == "squared final distance to the minimum"
    assert info.warnings == []  # 0.1 is inside the range
    steps = lr_search_info(
        hand_made_search([[5, 9, 201, 201], [7, 3, 201, 201]], [0.01, 0.1], "per_schedule", "steps_to_tol")
    )
    assert not steps.log_y and steps.shared is None and steps.diverged is None
    assert [c.chosen_value for c in steps.curves] == [5, 3] and steps.title.endswith("η0 per schedule")
    fig = lr_search_plot(info)
    assert [t.name for t in fig.data] == ["Constant", "Constant: η0 = 0.1", "Step decay", "Step decay: η0 = 0.1"]
    assert [shape.type for shape in fig.layout.shapes] == ["line", "rect"]
    assert fig.layout.annotations[0].text == "every run diverges"
    nothing = lr_search_info(hand_made_search([[inf] * 4, [inf] * 4], [math.nan, math.nan]))
    assert nothing.shared is None and all(math.isnan(c.chosen_value) for c in nothing.curves)
    assert len(lr_search_plot(nothing).data) == 2  # no star where nothing was chosen


def test_lr_search_says_when_the_choice_is_at_the_edge_of_the_range():
    # Fig. 5's search picked η0 = 0.368 for every schedule: the top of the reference's range. Say so, and mark it.
    top = lr_search_info(hand_made_search([[4.0, 3.0, 2.0, 1.0], [4.0, 3.0, 2.0, 1.5]], [10.0, 10.0]))
    assert [c.edge for c in top.curves] == ["high", "high"]
    assert top.warnings == [  # one warning: the schedules share the choice
        "The shared η0 is the top of the range (10): the best may lie beyond it; raise the largest η0 and search again."
    ]
    bottom = lr_search_info(
        hand_made_search([[1.0, 2.0, 3.0, 4.0], [3.0, 1.0, 2.0, 4.0]], [0.01, 0.1], mode="per_schedule")
    )
    assert [c.edge for c in bottom.curves] == ["low", None]
    assert bottom.warnings == [
        "Constant: the best η0 is the bottom of the range (0.01): the best may lie beyond it; lower the smallest η0 "
        "and search again."
    ]
    fig = lr_search_plot(top)
    stars = [t for t in fig.data if t.mode == "markers"]
    assert [s.marker.symbol for s in stars] == ["star-open", "star-open"]
    assert [a.name for a in fig.layout.annotations] == ["edge"]


def test_claim_plot_from_hand_made_data():
    info = ClaimInfo(
        lines=[EvidenceLine("constant_lr · sgd", np.array([2.0, 1.0, 0.0]))],
        from_saddle=False,
        lrs=np.array([0.1, 1.0, 10.0]),
        verdicts=[("holds", "holds in part", "does not hold")],
        paper_lr=1.0,
        title="C0 (Fig. 0): holds — robust over 33% of the η0 sweep",
    )
    fig = claim_plot(info)
    line, squares, *legend = fig.data
    assert list(line.y) == [2.0, 1.0, 1e-12] and line.xaxis == "x"  # a zero distance stays on the log axis
    assert list(squares.marker.color) == [VERDICT_COLORS[v] for v in info.verdicts[0]] and squares.xaxis == "x2"
    assert [t.name for t in legend] == list(VERDICT_COLORS)
    assert fig.layout.shapes[0].x0 == 1.0 and fig.layout.shapes[0].xref == "x2"
    assert fig.layout.yaxis2.visible is False  # one seed: no seed axis
    assert fig.layout.annotations[0].text == "distance to the known minimum (the reference's 'loss')"
    saddle = claim_plot(info._replace(from_saddle=True, verdicts=info.verdicts * 2))
    assert saddle.layout.annotations[0].text.startswith("distance from the saddle")
    assert saddle.layout.yaxis2.visible is True and len([t for t in saddle.data if t.xaxis == "x2"]) == 2 + 3


# --- exports -----------------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None, reason="image export needs Debian's chromium")


@pytest.fixture(scope="module")
def export():
    from figures import export

    yield export
    export.shutdown()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@needs_chromium
def test_png_and_svg(export, result, grid):
    assert png_size(export.to_png(contour_figure(result, grid, clickable_grid=True), 480, 360, scale=2)) == (960, 720)
    root = ET.fromstring(export.to_svg(lr_figure(result), width=400, height=300))
    assert root.tag.endswith("svg") and root.get("width") == "400"


@needs_chromium
def test_concurrent_exports_each_get_their_own_image(export, result):
    # Streamlit serves sessions in threads: requests to the shared browser must not be mixed up.
    from concurrent.futures import ThreadPoolExecutor

    figure = lr_figure(result)
    with ThreadPoolExecutor(3) as pool:
        sizes = list(pool.map(lambda w: png_size(export.to_png(figure, w, 300)), (400, 410, 420)))
    assert sizes == [(400, 300), (410, 300), (420, 300)]


def test_html_is_self_contained(result, grid):
    from figures.export import to_html

    html = to_html(playback_figure(result, grid))
    assert "plotly" in html and '<script src="http' not in html and len(html) > 3_000_000  # plotly.js inline
    assert "Plotly.addFrames" in html and '"type":"scatter3d"' in html
    assert json.dumps("constant_lr · sgd")[1:-1] in html  # trace names, JSON-escaped


@needs_chromium
def test_gif(export, result, grid):
    from PIL import Image, ImageChops

    calls = []
    gif = export.to_gif(result, grid, frames=5, size=(480, 320), progress=lambda i, n: calls.append((i, n)))
    assert gif[:6] == b"GIF89a" and calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    image = Image.open(io.BytesIO(gif))
    assert (image.n_frames, image.size) == (5, (480, 320))
    # The GIF has the legend the page has (it had none): every run named, under the contour.
    layout = export.gif_frames(result, grid, 2, (800, 500)).background["layout"]
    names = [
        t["name"] for t in export.gif_frames(result, grid, 2, (800, 500)).background["data"] if t.get("showlegend")
    ]
    assert layout["showlegend"] is True and names == short_labels(result)
    assert layout["legend"]["yref"] == "container" and layout["legend"]["y"] == 0  # inside the image, at its foot
    assert layout["margin"]["b"] >= layout["legend"]["maxheight"]

    # The markers Pillow draws sit where Plotly draws its own (overlay=False renders every frame).
    data = export.gif_frames(result, grid, 2, (480, 320))
    colors = PALETTE[: result.num_runs]
    background = Image.open(io.BytesIO(export.render(data.background, "png", 480, 320))).convert("RGB")
    plotly_frame = Image.open(io.BytesIO(export.render(export._marker_figure(data, 1, colors), "png", 480, 320)))
    pillow_frame = export._draw_markers(background, data.area.to_pixels(data.positions)[:, 1], colors, data.area)

    def changed(frame):
        diff = np.asarray(ImageChops.difference(frame.convert("RGB"), background)).sum(axis=-1)
        ys, xs = np.nonzero(diff > 60)
        return xs.mean(), ys.mean(), len(xs)

    px, py, n_plotly = changed(plotly_frame)
    qx, qy, n_pillow = changed(pillow_frame)
    assert n_plotly > 50 and abs(n_pillow - n_plotly) < 0.3 * n_plotly
    assert abs(px - qx) < 1.5 and abs(py - qy) < 1.5

    slow = export.to_gif(result, grid, frames=2, size=(480, 320), overlay=False)
    assert Image.open(io.BytesIO(slow)).n_frames == 2


def test_missing_chromium_says_how_to_install_it(monkeypatch):
    from figures import export

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    monkeypatch.setattr("shutil.which", lambda *args, **kwargs: None)
    renderer = export._Renderer()
    with pytest.raises(export.ExportError, match=r"apt-get install -y chromium"):
        renderer.submit({"data": [], "layout": {}}, {"format": "png", "width": 10, "height": 10})
    assert not renderer.running


# --- what a person sees: values that cannot be drawn, diverged paths, legends, names, precision ----------------


def overflowing_result():
    scene = Scene.build(
        {
            "surface": {"id": "custom", "params": {"formula": "exp(100*x) + y"}},
            "starts": [[2.5, 2.0], [-2.0, 0.0]],
            "lr": 0.01,
            "steps": 50,
        }
    )
    return run(scene)


def _finite_numbers(value) -> bool:
    """Whether every number in a figure's JSON is finite (Plotly writes NaN and ±inf as NaN/null)."""
    text = json.dumps(value)
    return "Infinity" not in text


def test_a_surface_that_overflows_is_drawn_clipped_and_says_so():
    # exp(100 x) overflows float32 for x > 0.89: 35 % of the window. It broke WebGL for the rest of the session.
    result = overflowing_result()
    surface = landscapes.SURFACES["custom"]
    grid = surface_grid("custom", result.scene.surface.params, surface.window, resolution=60)
    assert np.all(np.abs(grid.z) <= DRAWABLE) and np.isfinite(grid.z).all()
    assert grid.z.max() == DRAWABLE  # clipped, not dropped
    share = np.mean(grid.x > math.log(DRAWABLE) / 100)  # where exp(100 x) passes the drawable limit
    assert grid.note == f"f overflows on {share:.0%} of the window: clipped at ±1.8×10¹⁹".replace("%", " %")
    for fig in (surface_figure(result, grid), contour_figure(result, grid), playback_figure(result, grid)):
        assert grid.note in fig.layout.title.text  # said on the chart itself
        spec = fig.to_plotly_json()
        assert _finite_numbers(spec)
    scene = surface_figure(result, grid).layout.scene
    assert all(math.isfinite(v) for v in scene.zaxis.range) and scene.zaxis.range[1] <= 1.1 * DRAWABLE
    # A formula that is undefined on part of the window leaves a hole there, and says so.
    holes = surface_grid("custom", {"formula": "sqrt(x) + y"}, surface.window, resolution=60)
    assert np.isnan(holes.z[:, holes.x < 0]).all() and np.isfinite(holes.z[:, holes.x >= 0]).all()
    assert holes.note == "f is not a number on 50 % of the window: left blank"
    assert surface_grid("rosenbrock", {}, ((-2, 2), (-1, 3)), resolution=30).note == ""


def test_clip_to_box_by_hand():
    steps = np.arange(5.0)
    # (0, 0) → (2, 0) leaves the box [−1, 1]² at (1, 0), half-way through step 0 → 1; it never comes back.
    out = clip_to_box(np.array([[0.0, 0.0], [2.0, 0.0], [3.0, 0.0], [4.0, 0.0], [5.0, 0.0]]), steps, (-1, -1), (1, 1))
    np.testing.assert_allclose(out.points[:2], [[0, 0], [1, 0]])
    assert np.isnan(out.points[2:]).all() and out.left_at == 0.5
    # Out and back in: cut at both edges, a break between; an overflow (inf) has no edge: the path ends before it.
    back = clip_to_box(np.array([[0.0, 0], [0, 3], [0, 0.5], [np.inf, 0], [0, 0]]), steps, (-1, -1), (1, 1))
    rows = [tuple(p) if np.isfinite(p).all() else None for p in back.points]
    assert rows == [(0, 0), (0, 1), None, (0, 1), (0, 0.5), None, (0, 0)]
    np.testing.assert_allclose(back.steps[[1, 3]], [1 / 3, 1.8])
    assert back.left_at is None  # it ends inside
    inside = clip_to_box(np.zeros((3, 2)), steps[:3], (-1, -1), (1, 1))
    assert inside.left_at is None and inside.points.shape == (3, 2)


def test_a_diverged_path_does_not_flatten_the_3d_view():
    # "Too large an LR": η = 2.1 leaves the window and flies to f ≈ 10⁵; the view stays on the surface.
    from presets import PRESETS

    result = run(PRESETS["lr-too-large"].build())
    surface = landscapes.SURFACES[result.scene.surface.id]
    grid = surface_grid(surface.id, result.scene.surface.params, surface.window, resolution=60)
    fig = surface_figure(result, grid)
    low, high = fig.layout.scene.zaxis.range
    assert high < 2 * grid.z.max() and low >= grid.z.min() - 0.1 * np.ptp(grid.z)
    for trace in fig.data[1:]:
        z = np.asarray(trace.z, float)
        assert np.all(z[np.isfinite(z)] <= high) and np.all(z[np.isfinite(z)] >= low)
    (ends,) = [t for t in fig.data[1:] if t.mode == "markers" and t.name == short_labels(result)[2]]
    assert ends.marker.symbol[-1] == "x" and "left the view at step" in ends.text[-1] and "diverged" in ends.text[-1]
    assert max(abs(ends.x[-1]), abs(ends.y[-1])) == pytest.approx(5.0) or ends.z[-1] == pytest.approx(high)
    contour = contour_figure(result, grid)
    (ends_2d,) = [t for t in contour.data[1:] if t.mode == "markers" and t.name == short_labels(result)[2]]
    assert max(abs(ends_2d.x[-1]), abs(ends_2d.y[-1])) == pytest.approx(5.0)  # cut at the window's edge


def test_the_3d_view_frames_the_paths_and_takes_a_camera(result, grid):
    fig = surface_figure(result, grid)
    assert fig.layout.scene.camera.eye.to_plotly_json() == DEFAULT_CAMERA["eye"]
    moved = surface_figure(result, grid, camera={"eye": {"x": -1.5, "y": 1.0, "z": 0.5}})
    assert moved.layout.scene.camera.eye.to_plotly_json() == {"x": -1.5, "y": 1.0, "z": 0.5}
    assert moved.layout.scene.camera.up.to_plotly_json() == DEFAULT_CAMERA["up"]  # parts left out keep the default
    # These short runs cover a corner of the window: the axes frame it (or the window, asked not to focus).
    region = path_region(result, grid)
    assert region is not None and list(fig.layout.scene.xaxis.range) == pytest.approx(region[0])
    assert list(surface_figure(result, grid, focus=False).layout.scene.yaxis.range) == [-1, 3]
    # Paths in a small corner of the window: the axes frame that region, on a grid drawn there.
    small = hand_made(
        "rosenbrock", [[(0.9, 0.8), (0.95, 0.9), (1.0, 1.0)]], [label(0, start=(0.9, 0.8))], loss=[[0.2, 0.1, 0.0]]
    )
    (x0, x1), (y0, y1) = path_region(small, grid)
    assert -2 < x0 < 0.9 and 1.0 < x1 < 2 and -1 < y0 < 0.8 and 1.0 < y1 < 3
    framed = surface_figure(small, grid)
    assert list(framed.layout.scene.xaxis.range) == pytest.approx([x0, x1])
    assert framed.data[0].x[0] == pytest.approx(x0)  # the surface is drawn on the region, finely
    assert list(surface_figure(small, grid, focus=False).layout.scene.xaxis.range) == [-2, 2]


def test_loss_gap_on_fig6b_is_finite_and_stays_at_the_float32_floor():
    # Fig. 6(b) in float32: f(θ_k) − f* recorded by the run flickers between 5e-8 and 3e-7 with holes (f rounded
    # near f* ≈ −1.47). Computed in float64 from the positions, it is finite; below what float32 positions resolve
    # around θ*, it is drawn at that floor, labelled, and a run that has settled stays there.
    from presets import PRESETS

    result = run(PRESETS["fig6b-peaks-momentum"].build())
    curves = loss_curves(result)
    assert np.isfinite(curves.values).all() and (curves.values > 0).all()
    floors = curves.floor[np.isfinite(curves.floor)]
    assert floors.size >= 3 and np.allclose(floors, floors[0]) and 1e-15 < floors[0] < 1e-12
    assert curves.floor_name == "float32 floor"
    for i in range(result.num_runs):
        shown = curves.values[i]
        if np.isfinite(curves.floor[i]):
            assert shown.min() == curves.floor[i]
            settled = shown[-100:]  # the last 100 steps: no noise, no holes
            assert np.all(np.diff(settled) <= 0) and settled[-1] == curves.floor[i]
    fig = loss_figure(result)
    assert [s.name for s in fig.layout.shapes] == ["floor"]
    (label,) = fig.layout.annotations  # one label, under the floor
    assert "float32 floor" in label.text and label.yanchor == "top"
    assert fig.layout.yaxis.range[0] < math.log10(floors[0])  # the floor and its label are inside the chart


def many_runs(count: str):
    starts = {"20": [[-0.983051, -0.559322], [4.5, 4.5]], "64": [[-3, -3], [3, -3], [-3, 3], [4, 4]]}[count]
    optimizers = {
        "20": [{"id": "momentum", "params": {"momentum": 0.5}}, {"id": "adam"}],
        "64": [{"id": "sgd"}, {"id": "momentum"}, {"id": "adam"}, {"id": "rmsprop"}],
    }[count]
    schedules = {"20": list(FIVE_SCHEDULES), "64": ["constant_lr", "step_lr", "cosine_lr", "cosineclr_lr"]}[count]
    scene = Scene.build(
        {
            "surface": {"id": "himmelblau"},
            "starts": starts,
            "optimizers": optimizers,
            "schedules": [{"id": s} for s in schedules],
            "lr": 0.01,
            "steps": 60,
            "clip": 1.0,
        }
    )
    return run(scene)


FIVE_SCHEDULES = ("constant_lr", "step_lr", "cosine_lr", "cosineclr_lr", "lwarmcosine_lr")


@pytest.mark.parametrize("count", ["20", "64"])
def test_many_paths_keep_the_charts_size_and_tell_runs_apart(count):
    result = many_runs(count)
    assert result.num_runs == int(count)
    styles = run_styles(result)
    looks = {(s.color, s.dash, s.symbol) for s in styles.runs}
    assert len(looks) == result.num_runs  # every run drawn its own way, though colours repeat
    assert len(styles.keys) == {"20": 5 + 2 + 2, "64": 4 + 4 + 4}[count]  # the legend lists what varies
    one = hand_made("himmelblau", [[(0.0, 0.0), (1.0, 1.0)]], [label(0)])
    surface = landscapes.SURFACES["himmelblau"]
    grid = surface_grid("himmelblau", {}, surface.window, resolution=30)
    for draw in (
        lambda r: surface_figure(r, grid),
        lambda r: contour_figure(r, grid),
        lambda r: lr_figure(r),
        lambda r: loss_figure(r),
    ):
        few, many = draw(one), draw(result)
        drawing = [f.layout.height - f.layout.margin.t - f.layout.margin.b for f in (few, many)]
        assert drawing[0] == drawing[1]  # the chart's drawing area does not shrink
        legend_rows = (many.layout.margin.b - few.layout.margin.b) / 22
        assert legend_rows <= 5 and many.layout.legend.maxheight <= many.layout.margin.b
        assert many.layout.legend.yref == "container" and many.layout.legend.y == 0  # under the axis titles
    contour = contour_figure(result, grid)
    names = [t.name for t in contour.data if t.showlegend]
    assert names[:5] == (
        ["Constant", "Step decay", "Cosine annealing", "Cosine cycles (no restart)", "Linear warm-up + cosine"]
        if count == "20"
        else names[:5]
    )
    if count == "20":
        assert "SGD + momentum (μ=0.5)" in names and "start (−0.98, −0.56)" in names
        assert not [n for n in names if "_lr" in n or "[" in n or "-0.98" in n]  # no ids, no hyphen-minus


def test_names_people_picked_in_legends_and_ids_in_tooltips():
    scene = Scene.build(
        {
            "surface": {"id": "rosenbrock"},
            "optimizers": [{"id": "momentum", "params": {"momentum": 0.5}}, {"id": "momentum"}],
            "schedules": [{"id": "cosineclr_lr"}, {"id": "lambda_lr", "params": {"formula": "lr * (1 - 2*k/T)"}}],
            "steps": 20,
        }
    )
    result = run(scene)
    names = run_names(result)
    assert set(names.schedule) == {"Cosine cycles (no restart)", "Your formula (lr * (1 - 2*k/T))"}
    assert set(names.optimizer) == {"SGD + momentum (μ=0.5)", "SGD + momentum (μ=0.9)"}
    fig = lr_figure(result)
    assert fig.data[0].name == "Cosine cycles (no restart) · SGD + momentum (μ=0.5)"
    assert "cosineclr_lr · momentum[momentum=0.5]" in fig.data[0].hovertemplate


def test_titles_sit_below_the_toolbar(result, grid):
    # Plotly's toolbar (about 28 px high) covered the contour's title.
    for fig in (surface_figure(result, grid), contour_figure(result, grid), lr_figure(result), loss_figure(result)):
        title = fig.layout.title
        assert title.yref == "container" and title.yanchor == "top" and title.pad.t >= 28
        assert fig.layout.margin.t >= title.pad.t + title.font.size


def test_playback_moves_only_markers_and_keeps_the_contour(result, grid):
    fig = playback_figure(result, grid)
    assert "contour" not in {t.type for t in fig.data}  # a transition would remove a contour trace
    (image,) = fig.layout.images
    assert image.source.startswith("data:image/png;base64,") and image.layer == "below"
    assert (image.x, image.y, image.sizex, image.sizey) == (-2, 3, 4, 4)
    shown = [t.name for t in fig.data if t.showlegend is not False and getattr(t, "mode", None) == "markers"]
    assert shown == ["minimizer"]  # the star stays
    slider = fig.layout.sliders[0]
    redraws = [step.args[1]["frame"]["redraw"] for step in slider.steps]
    assert redraws == [redraw_frame(k, len(fig.frames)) for k in range(len(fig.frames))]
    assert sum(redraws) == 11 and redraws[0] and redraws[-1]  # the 3-D markers every tenth frame and the last
    played = fig.layout.updatemenus[0].buttons[0].args[1]["frame"]
    assert [frame["redraw"] for frame in played] == redraws
    assert all(set(frame.traces) == set(fig.frames[0].traces) for frame in fig.frames)  # markers only


def test_contour_image_bands_and_holes():
    grid = surface_grid("custom", {"formula": "sqrt(x) + y"}, ((-1, 1), (-1, 1)), resolution=20)
    from PIL import Image

    picture = contour_image(grid, grid.z, levels=5, upsample=2)
    png = Image.open(io.BytesIO(__import__("base64").b64decode(picture.source.split(",")[1])))
    assert png.size == (40, 40) and png.mode == "RGBA"
    alpha = np.asarray(png)[..., 3]
    assert (alpha[:, :18] == 0).all() and (alpha[:, 22:] == 255).all()  # x < 0 is blank (sqrt undefined)
    assert (picture.low, picture.high) == (float(np.nanmin(grid.z)), float(np.nanmax(grid.z)))


def test_summary_page_rows_read_as_numbers_for_people():
    result = hand_made(
        "rosenbrock",
        [[(-1, 0), (0.995, 1.0)], [(-2, 2.5), (3, 3)]],
        [label(0, "cosineclr_lr", start=(-0.983051, -0.559322)), label(1, "cosine_lr", start=(-2.0, 2.5))],
        loss=[[404, 2e-18], [409, 3604]],
        status=[CONVERGED, DIVERGED],
        status_step=[1, 1],
    )
    rows = page_rows(result)
    assert [list(row) for row in rows] == [[c.key for c in PAGE_COLUMNS]] * 2
    assert rows[0]["label"] == "Cosine cycles (no restart) · start (−0.98, −0.56)"  # whole, not an id
    assert rows[0]["final_loss"] == 2e-18  # a number (the page shows "%.3g": 2e-18), not 0.000000000000000002
    assert rows[0]["ends"] == "converged at step 1" and rows[1]["ends"] == "diverged at step 1"
    assert rows[0]["near"] == "minimizer (1, 1)" and rows[1]["near"] == "—"
    assert rows[0]["final_xy"] == "(0.995, 1)"
    kinds = {c.key: c.kind for c in PAGE_COLUMNS}
    assert all(isinstance(rows[0][k], float) for k, kind in kinds.items() if kind == "number")
    assert len(PAGE_COLUMNS) <= 8 and all(len(c.header) <= 16 for c in PAGE_COLUMNS)  # columns that fit
    assert "id" not in rows[0]  # ids are for the exports and the tooltips


def test_claims_say_robustness_one_way_and_explain_it():
    from analysis.claims import CLAIMS, Verdict

    verdict = Verdict(
        claim=CLAIMS["C7"],
        verdict="holds in part",
        robustness=0.0,
        reason="constant: escapes | yes; step_lr *also* escapes",
        evidence={},
        factors=np.geomspace(0.1, 10, 17),
        lrs=np.geomspace(0.0045, 0.45, 17),
        verdicts=("holds in part",) * 12 + ("does not hold",) * 5,
        metrics={},
        runs={},
    )
    assert robustness_text(verdict) == "holds fully at 0 of 17 η0 values (0 %)"
    assert robustness_text(verdict._replace(verdicts=("holds",) * 8 + ("does not hold",) * 9)) == (
        "holds fully at 8 of 17 η0 values (47 %)"
    )
    assert robustness_text(verdict._replace(verdicts=("holds",) * 34)) == (
        "holds fully at 34 of 17 η0 values × 2 noise seeds (100 %)"
    )
    table = claims_markdown([verdict])
    assert "| **C7** (Fig. 6) At a critical momentum" in table and "holds fully at 0 of 17" in table
    assert CLAIMS["C7"].text.split()[-1] in table  # the whole claim, not cut
    assert reason_items(verdict) == ["constant: escapes \\| yes", "step\\_lr \\*also\\* escapes"]
    assert "holds in part" in ROBUSTNESS_EXPLAINED and "0 %" in ROBUSTNESS_EXPLAINED
    info = claim_info(verdict)
    assert robustness_text(verdict) in info.title and "0.0" not in info.title


@needs_chromium
def test_the_3d_export_shows_its_paths(export):
    # Fig. 6(b) drawn from the command line: the surface filled a third of the frame and the five paths were a few
    # pixels, half hidden in their valley. Measured on the image: the pixels the paths change.
    from PIL import Image, ImageChops

    from presets import PRESETS

    result = run(PRESETS["fig6b-peaks-momentum"].build())
    surface = landscapes.SURFACES[result.scene.surface.id]
    grid = surface_grid(surface.id, result.scene.surface.params, surface.window)
    fig = VIEWS["3d"].draw(result, grid, surface.log_z)
    bare = go.Figure(fig)
    bare.update_traces(opacity=0, selector={"type": "scatter3d"})  # the same axes, no paths
    size = (1000, 700)
    with_paths, without = (
        Image.open(io.BytesIO(export.to_png(f, *size))).convert("RGB").resize((500, 350)) for f in (fig, bare)
    )
    changed = np.asarray(ImageChops.difference(with_paths, without)).max(axis=-1) > 40
    assert changed.mean() > 0.003  # before: 0.18 % of the frame
    drawn = np.asarray(without).min(axis=-1)[30:300] < 235  # between the title and the legend: not white
    ys, xs = np.nonzero(drawn)
    width, height = (
        (np.percentile(xs, 99) - np.percentile(xs, 1)) / 500,
        (np.percentile(ys, 99) - np.percentile(ys, 1)) / 270,
    )
    assert width > 0.5 and height > 0.48  # before: 0.43 × 0.43 of the frame
