"""Presets: valid scenes, the paper's settings pinned, and every caption's statement checked by a run."""

import functools
import math
import re

import numpy as np
import pytest

import landscapes
from analysis.claims import CLAIMS
from analysis.task_claims import TASK_CLAIMS, schedule_curves
from engine.scene import Scene
from engine.simulate import CONVERGED, DIVERGED, run
from presets import DEFAULT_PRESET, FIVE_SCHEDULES, PRESETS, Preset
from presets.tune import ADAPTIVE_RANGE, SGD_RANGE, round_significant, search_range, tune_constant_lr
from tasks import landscape
from tasks.run import run_scene

MOMENTUM = ("momentum", 0.9)
SGD = ("sgd", None)

# The reference pipeline's settings (PAPER.md): surface, starts, perturbations, optimizers (id, momentum), clip,
# steps, schedules. Every paper preset runs the five schedules for 500 steps with the gradient clipped to norm 1.
PAPER = {
    "fig5-rosenbrock": ("rosenbrock", [(-2.0, 2.5)], [(0.0, 0.0)], [SGD]),
    "fig6a-peaks-sgd": ("peaks_ref", [(0.57, 0.8)], [(0.0, 0.0)], [SGD]),
    "fig6b-peaks-momentum": ("peaks_ref", [(0.57, 0.8)], [(0.0, 0.0)], [MOMENTUM]),
    "fig6c-peaks-starts": ("peaks_ref", [(0.4, 1.0), (-0.4, 0.4), (0.57, 0.0)], [(0.0, 0.0)], [MOMENTUM]),
    "fig3-saddle": ("saddle", [(-4.0, 0.0)], [(0.0, 0.0)], [MOMENTUM]),
    "fig3-saddle-adaptive": (
        "saddle",
        [(-4.0, 0.0)],
        [(0.0, 0.0)],
        [("yogi", None), ("adam", None), ("lookahead", None)],
    ),
    "fig3-saddle-perturbed": ("saddle", [(-4.0, 0.0)], [(0.0, 0.1), (0.0, 0.01), (0.0, 0.001)], [MOMENTUM]),
    "fig3-saddle2": ("saddle2", [(2.0, 0.1)], [(0.0, 0.0)], [MOMENTUM]),
    "fig3-saddle2-level": ("saddle2", [(2.0, 0.0)], [(0.0, 0.0)], [MOMENTUM]),
    "fig7-cliffs": ("cross_sectional", [(-6.0, 4.0)], [(0.0, 0.0)], [MOMENTUM]),
    "fig7-sigmoid": ("sigmoid", [(6.5, 0.0)], [(0.0, 0.0)], [MOMENTUM]),
}
FIGURES = {
    "fig5-rosenbrock": "Fig. 5",
    "fig6a-peaks-sgd": "Fig. 6",
    "fig6b-peaks-momentum": "Fig. 6",
    "fig6c-peaks-starts": "Fig. 6",
    "fig3-saddle": "Fig. 3",
    "fig3-saddle-adaptive": "Fig. 3",
    "fig3-saddle-perturbed": "Fig. 3",
    "fig3-saddle2": "Fig. 3",
    "fig3-saddle2-level": "Fig. 3",
    "fig7-cliffs": "Fig. 7",
    "fig7-sigmoid": "Fig. 7",
}
# η0 hard-coded from `python -m presets.tune` (see the comments in presets/__init__.py).
TUNED_LR = {
    "fig5-rosenbrock": 0.37,
    "fig6a-peaks-sgd": 0.17,
    "fig6b-peaks-momentum": 0.045,
    "fig6c-peaks-starts": 0.2,
    "fig3-saddle": 0.17,
    "fig3-saddle-adaptive": 0.0022,
    "fig3-saddle-perturbed": 0.0049,
    "fig3-saddle2": 0.00036,
    "fig3-saddle2-level": 0.2,
    "fig7-cliffs": 0.37,
    "fig7-sigmoid": 0.37,
}


# --- Data ------------------------------------------------------------------------------------------------------


def test_claims_are_c1_to_c14():
    assert list(CLAIMS) == [f"C{i}" for i in range(1, 15)]
    assert all(claim.text.strip() for claim in CLAIMS.values())


def test_ids_are_url_safe_unique_and_keys():
    for key, preset in PRESETS.items():
        assert isinstance(preset, Preset)
        assert key == preset.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", preset.id), preset.id
        assert len(preset.id) <= 40
    assert len({preset.name for preset in PRESETS.values()}) == len(PRESETS)
    assert DEFAULT_PRESET in PRESETS


@pytest.mark.parametrize("preset_id", list(PRESETS))
def test_every_preset_builds_a_valid_scene(preset_id):
    preset = PRESETS[preset_id]
    scene = preset.build()
    assert isinstance(scene, Scene)
    assert Scene.from_json(scene.to_json()) == scene
    assert preset.build() == scene  # building does not change the preset's data
    data = preset.scene_data()
    data["lr"] = 1.0
    assert preset.build() == scene


@pytest.mark.parametrize("preset_id", list(PRESETS))
def test_captions_name_existing_claims(preset_id):
    preset = PRESETS[preset_id]
    assert preset.name.strip() and len(preset.caption) >= 80
    assert set(preset.claims) <= set(CLAIMS) | set(TASK_CLAIMS), preset.claims
    assert len(set(preset.claims)) == len(preset.claims)
    cited = set(re.findall(r"\bC\d+\b", preset.caption))
    assert cited == set(preset.claims), (cited, preset.claims)
    if preset.figure is not None:
        assert preset.claims, "a paper preset must say which claims it shows"
        assert preset.name.startswith(preset.figure)


@pytest.mark.parametrize("preset_id", list(PRESETS))
def test_captions_come_in_parts(preset_id):
    preset = PRESETS[preset_id]
    assert preset.summary.strip() and "The paper claim" not in preset.summary
    if preset.paper_claims:
        assert preset.paper_claims.startswith("The paper claims"), preset.paper_claims
        assert set(re.findall(r"\bC\d+\b", preset.paper_claims)) <= set(preset.claims)
        assert preset.observed.strip(), "a preset that quotes the paper says what holds here"
    else:
        assert not preset.observed
    parts = [part for part in (preset.summary, preset.paper_claims, preset.observed) if part]
    assert preset.caption == " ".join(parts)


def test_paper_presets_are_pinned_and_there_are_teaching_presets():
    paper = {pid for pid, preset in PRESETS.items() if preset.figure is not None}
    assert paper == set(PAPER)
    assert {PRESETS[pid].figure for pid in paper} == {"Fig. 3", "Fig. 5", "Fig. 6", "Fig. 7"}
    teaching = [preset for preset in PRESETS.values() if preset.figure is None]
    assert len(teaching) >= 4
    covered = {claim for pid in paper for claim in PRESETS[pid].claims}
    assert covered == set(CLAIMS), "every claim C1–C14 has a paper preset"


@pytest.mark.parametrize("preset_id", list(PAPER))
def test_paper_preset_matches_the_reference_pipeline(preset_id):
    surface, starts, perturbations, optimizers = PAPER[preset_id]
    preset = PRESETS[preset_id]
    scene = preset.build()
    assert preset.figure == FIGURES[preset_id]
    assert scene.surface.id == surface and scene.surface.params == {}
    assert scene.starts == starts
    assert scene.perturbations == perturbations
    assert [spec.id for spec in scene.optimizers] == [opt for opt, _ in optimizers]
    for spec, (_, momentum) in zip(scene.optimizers, optimizers, strict=True):
        if momentum is not None:
            assert spec.params.get("momentum", 0.9) == momentum  # the Scene leaves defaults (0.9) out
        elif spec.id == "lookahead":
            assert spec.inner is not None and spec.inner.id == "yogi" and spec.inner.params == {}
        else:
            assert spec.params == {}  # the reference's defaults (Yogi's moments start at 1e-6)
    assert [spec.id for spec in scene.schedules] == list(FIVE_SCHEDULES)
    assert all(spec.params == {} and spec.lr is None and spec.warmup is None for spec in scene.schedules)
    assert scene.steps == 500
    assert scene.clip == 1.0
    assert scene.noise.sigma == 0.0
    assert scene.dtype == "float32"
    # One η0 for all schedules, from the reference's search range, as tuned.
    assert scene.lr == TUNED_LR[preset_id]
    low, high = search_range(preset.scene)
    assert (low, high) == (ADAPTIVE_RANGE if optimizers[0][0] in ("yogi", "lookahead") else SGD_RANGE)
    assert low <= scene.lr <= high * 1.01  # e^-1 = 0.3679 rounds up to 0.37


def test_round_significant():
    assert round_significant(0.36787944) == 0.37
    assert round_significant(0.00035991) == 0.00036
    assert round_significant(0.044576) == 0.045
    assert round_significant(0.2023) == 0.2


@pytest.mark.parametrize("preset_id", ["fig6b-peaks-momentum"])  # the knife-edge one: 0.045 just escapes
def test_tuning_reproduces_the_hard_coded_lr(preset_id):
    preset = PRESETS[preset_id]
    lr, objective = tune_constant_lr(preset.scene, *search_range(preset.scene), n=200)
    assert round_significant(lr) == preset.scene["lr"]
    assert math.isfinite(objective) and objective >= 0


# --- Behaviour: every caption's statement, from one run per preset -------------------------------------------


def _by_label(result, **match):
    """Indices of the runs whose schedule / optimizer / origin match."""
    rows = []
    for i, label in enumerate(result.runs):
        if "schedule" in match and label.schedule != match["schedule"]:
            continue
        if "optimizer" in match and not label.optimizer.startswith(match["optimizer"]):
            continue
        if "origin" in match and not np.allclose(label.origin, match["origin"]):
            continue
        if "start" in match and not np.allclose(label.start, match["start"]):
            continue
        rows.append(i)
    return rows


def _one(result, **match):
    rows = _by_label(result, **match)
    assert len(rows) == 1, (match, rows)
    return rows[0]


def _dist(result, point):
    """[B, T + 1] distance of every position to ``point``."""
    return np.linalg.norm(result.positions - np.asarray(point), axis=-1)


def _points(scene):
    return landscapes.critical_points(landscapes.SURFACES[scene.surface.id], scene.surface.params)


def check_fig5(result):
    d = _dist(result, (1.0, 1.0))
    i = {name: _one(result, schedule=name) for name in FIVE_SCHEDULES}
    const, step, cos, clr, warm = (i[name] for name in FIVE_SCHEDULES)
    # C1: from step 100 on, constant_lr hops between the same two points on the walls; its loss jumps with it.
    assert np.all((d[const, 100:] > 1.0) & (d[const, 100:] < 1.5))
    hops = result.positions[const, 100:]
    assert np.allclose(hops[2:], hops[:-2], atol=1e-3) and np.linalg.norm(hops[1] - hops[0]) > 0.3
    assert np.std(result.loss[const, -100:]) > 1.0
    # C2: level with cosine at step 300 on a far smaller LR, farther at the end.
    assert d[step, 300] <= d[cos, 300] * 1.1
    assert result.lr[step, 300] * 5 < result.lr[cos, 300]
    assert d[step, -1] > d[cos, -1]
    # C3: about level with cosine at step 200 on a higher LR; ends farther.
    assert abs(d[warm, 200] - d[cos, 200]) < 0.2
    assert result.lr[warm, 200] > result.lr[cos, 200]
    assert d[warm, -1] > d[cos, -1]
    # C4 does not hold: cosineclr's early steps are the smallest and it ends slightly worse than constant.
    early = np.linalg.norm(np.diff(result.positions[:, :101], axis=1), axis=-1).mean(axis=1)
    assert early[clr] == min(early[i[name]] for name in FIVE_SCHEDULES)
    assert d[const, -1] < d[clr, -1] < d[const, -1] + 0.3
    # C5: cosine ends closest; level with constant at step 100 and with step_lr at step 200.
    assert d[cos, -1] == min(d[i[name], -1] for name in FIVE_SCHEDULES)
    assert abs(d[cos, 100] - d[const, 100]) < 0.05
    assert abs(d[cos, 200] - d[step, 200]) < 0.15


def _ends_in(result, rows, point, tol=0.01):
    return all(np.linalg.norm(result.positions[r, -1] - np.asarray(point)) < tol for r in rows)


def check_fig6a(result):
    local = _points(result.scene).local_minimizers[0]
    assert _ends_in(result, range(result.num_runs), local)  # C6
    top = run(result.scene.replace(lr=0.37))
    assert _ends_in(top, range(top.num_runs), local)


def check_fig6b(result):
    points = _points(result.scene)
    escaped = [_one(result, schedule=name) for name in ("constant_lr", "step_lr", "cosine_lr", "cosineclr_lr")]
    assert _ends_in(result, escaped, points.minimizers[0])
    assert _ends_in(result, [_one(result, schedule="lwarmcosine_lr")], points.local_minimizers[0])
    # At η0 = 0.033 exactly the claimed pattern (C7); above about 0.08 every schedule escapes.
    critical = run(result.scene.replace(lr=0.033))
    assert _ends_in(
        critical, [_one(critical, schedule=name) for name in ("constant_lr", "cosine_lr")], points.minimizers[0]
    )
    trapped = [_one(critical, schedule=name) for name in ("step_lr", "cosineclr_lr", "lwarmcosine_lr")]
    assert _ends_in(critical, trapped, points.local_minimizers[0])
    assert _ends_in(run(result.scene.replace(lr=0.1)), range(result.num_runs), points.minimizers[0])


def check_fig6c(result):
    points = _points(result.scene)
    assert _ends_in(result, _by_label(result, start=(0.4, 1.0)), points.minimizers[0])
    for start in ((-0.4, 0.4), (0.57, 0.0)):
        assert _ends_in(result, _by_label(result, start=start), points.local_minimizers[0])


def check_fig3_saddle(result):
    assert np.all(result.positions[:, :, 1] == 0.0)  # never leaves y = 0
    assert _ends_in(result, range(result.num_runs), (0.0, 0.0), tol=1e-3)
    assert np.all(result.status == CONVERGED)


def check_fig3_adaptive(result):
    y = result.positions[:, :, 1]
    for row in _by_label(result, optimizer="adam"):
        assert np.all(y[row] == 0.0)  # Adam never leaves the line
    for row in _by_label(result, optimizer="yogi") + _by_label(result, optimizer="lookahead"):
        assert y[row, -1] < 0.0  # Yogi drifts off toward -y
    assert y[_one(result, optimizer="yogi", schedule="constant_lr"), -1] < -1.0
    assert y[_one(result, optimizer="lookahead", schedule="constant_lr"), -1] < -0.5
    assert abs(y[_one(result, optimizer="yogi", schedule="step_lr"), -1]) < 0.1
    for name in ("cosine_lr", "cosineclr_lr", "lwarmcosine_lr"):
        assert 0.3 < abs(y[_one(result, optimizer="yogi", schedule=name), -1]) < 1.0


def check_fig3_perturbed(result):
    y = np.abs(result.positions[:, -1, 1])
    for nudge in (0.1, 0.01, 0.001):
        rows = {name: _one(result, schedule=name, origin=(-4.0, nudge)) for name in FIVE_SCHEDULES}
        for name in ("constant_lr", "cosine_lr", "cosineclr_lr", "lwarmcosine_lr"):
            assert y[rows[name]] > 5.0, (nudge, name)
        assert y[rows["step_lr"]] == min(y[r] for r in rows.values())
        assert (y[rows["step_lr"]] > 1.0) == (nudge == 0.1)


def check_fig3_saddle2(result):
    y = result.positions[:, -1, 1]
    assert y[_one(result, schedule="constant_lr")] > 1.0
    for name in FIVE_SCHEDULES[1:]:
        assert 0.1 < y[_one(result, schedule=name)] < 0.35


def check_fig3_saddle2_level(result):
    assert np.all(result.positions[:, :, 1] == 0.0)
    assert _ends_in(result, range(result.num_runs), (1.0, 0.0), tol=1e-3)


def check_fig7_cliffs(result):
    minimum = _points(result.scene).minimizers[0]
    d = _dist(result, minimum)
    i = {name: _one(result, schedule=name) for name in FIVE_SCHEDULES}
    first = {name: int(np.argmax(d[row] < 0.05)) if np.any(d[row] < 0.05) else 10**9 for name, row in i.items()}
    assert first["constant_lr"] <= 300
    assert first["constant_lr"] < min(first[name] for name in FIVE_SCHEDULES[1:])
    assert first["cosine_lr"] < first["cosineclr_lr"] and first["lwarmcosine_lr"] < first["cosineclr_lr"]
    assert 400 < first["cosineclr_lr"] <= 500
    assert result.status[i["cosineclr_lr"]] != CONVERGED
    assert d[i["step_lr"], -1] > 5.0  # never leaves the plateau
    for name in ("constant_lr", "cosine_lr", "lwarmcosine_lr"):
        assert d[i[name], -1] < 0.01


def check_fig7_sigmoid(result):
    d = _dist(result, (-9.0, 0.0))[:, -1]
    i = {name: _one(result, schedule=name) for name in FIVE_SCHEDULES}
    assert d[i["constant_lr"]] == d.min() and d[i["constant_lr"]] < 1.0
    assert result.positions[i["step_lr"], -1, 0] > 5.0  # barely moved from 6.5
    assert d[i["cosineclr_lr"]] > d[i["cosine_lr"]] and d[i["cosineclr_lr"]] > d[i["lwarmcosine_lr"]]
    assert d[i["cosineclr_lr"]] - d[i["cosine_lr"]] < 0.5


def check_momentum_helps(result):
    d = _dist(result, (0.0, 0.0))[:, -1]
    sgd, half, ninety = (
        _one(result, optimizer=name) for name in ("sgd", "momentum[momentum=0.5]", "momentum[momentum=0.9]")
    )
    assert d[ninety] < d[half] < d[sgd] and d[sgd] > 0.05
    # SGD zig-zags across the valley: the steep coordinate (along 30°) flips sign at every step.
    steep = result.positions[:, :, :] @ np.array([math.cos(math.pi / 6), math.sin(math.pi / 6)])
    assert np.all(np.sign(steep[sgd, 1:50]) != np.sign(steep[sgd, :49]))
    # The words about the zig-zag match the drawing: momentum 0.5 damps it soonest, 0.9 swings widest and longest
    # (the "momentum averages the zig-zag away" the lesson said before was false for 0.9: its swing decays by
    # √0.9 ≈ 0.95 a step, plain SGD's by |1 − 1.8| = 0.8).
    last_swing = {row: int(np.flatnonzero(np.abs(steep[row]) > 0.1).max()) for row in (sgd, half, ninety)}
    widest = {row: float(np.abs(steep[row, 2:]).max()) for row in (sgd, half, ninety)}
    assert last_swing[half] < last_swing[sgd] < last_swing[ninety]
    assert widest[ninety] == max(widest.values())
    summary = PRESETS["momentum-helps"].summary
    assert "momentum 0.9 carries each swing" in summary and "widest" in summary
    for row, words in ((half, "by step"), (sgd, "SGD's by step"), (ninety, "until about step")):
        quoted = int(re.search(words + r" (\d+)", summary.split("Across the valley")[1])[1])
        assert abs(quoted - last_swing[row]) <= 2, (words, quoted, last_swing[row])


def check_lr_too_large(result):
    assert result.status.tolist() == [CONVERGED, CONVERGED, DIVERGED]
    steep = result.positions[1, :20] @ np.array([math.cos(math.pi / 6), math.sin(math.pi / 6)])
    assert np.all(np.sign(steep[1:]) != np.sign(steep[:-1]))  # η = 1.9 zig-zags
    assert np.all(np.isfinite(result.positions))
    # With clipping to norm 1, η = 2.1 no longer diverges, but it does not converge either: it keeps bouncing.
    clipped = run(result.scene.replace(clip=1.0))
    assert clipped.status[2] not in (CONVERGED, DIVERGED)
    assert np.linalg.norm(clipped.positions[2, -1]) > 0.1


def check_warmup(result):
    constant, warm, lwarm, small = range(4)
    assert result.loss[constant, -1] > 1.0 and result.status[constant] != CONVERGED
    assert np.max(_dist(result, (4.5, 4.5))[constant]) > 5.0  # thrown across the surface
    for row in (warm, lwarm, small):
        assert result.status[row] == CONVERGED
        assert np.linalg.norm(result.positions[row, -1] - (3.0, 2.0)) < 1e-3
    assert max(result.status_step[warm], result.status_step[lwarm]) < result.status_step[small]
    # The words match the steps: the linear warm-up walks down on small steps, lwarmcosine's first step jumps.
    steps = np.linalg.norm(np.diff(result.positions, axis=1), axis=-1)
    assert steps[warm].max() < 0.5 and steps[lwarm, 0] > 2.0
    summary = PRESETS["warmup-steep-start"].summary
    assert "first step still jumps" in summary
    for row, words in ((warm, "converges quickly (by step"), (small, "everywhere (step"), (lwarm, "converges by step")):
        assert int(re.search(re.escape(words) + r" (\d+)", summary)[1]) == result.status_step[row], words


def check_adaptive_plateau(result):
    x = result.positions[:, -1, 0]
    for name in ("sgd", "momentum"):
        assert x[_one(result, optimizer=name)] > 5.0
    for name in ("adam", "rmsprop"):
        assert x[_one(result, optimizer=name)] < -5.0


def check_noise(result):
    y = np.abs(result.positions[:, -1, 1])
    assert y[_one(result, schedule="constant_lr")] > 5.0
    assert y[_one(result, schedule="cosine_lr")] > 5.0
    assert np.linalg.norm(result.positions[_one(result, schedule="step_lr"), -1]) < 1.0  # "within 1 of the saddle"


# --- Presets that train a network (presets/tasks.py) -------------------------------------------------------------


@functools.cache
def _trained(preset_id):
    return run_scene(PRESETS[preset_id].build())


def _finals(result):
    """Final test accuracy of each schedule, the mean over the seeds."""
    return {name: curves[-1] for name, curves in schedule_curves(result).accuracy.items()}


def check_section_42(result):
    assert np.all(result.train_accuracy[:, -1] == 1.0)  # every run fits the 1,347 training images
    for s in range(len(result.scene.schedules)):
        mean = result.train_accuracy[[run.index for run in result.runs if run.schedule_index == s]].mean(axis=0)
        assert 250 <= result.record_steps[np.argmax(mean == 1.0)] <= 500  # within about 300 to 500 steps
    finals = _finals(result)
    assert f"{100 * min(finals.values()):.1f}" == "96.7" and f"{100 * max(finals.values()):.1f}" == "97.3"
    assert f"{100 * finals['constant_lr']:.1f}" == "96.9"
    assert all(finals[s] > finals["constant_lr"] for s in ("step_lr", "cosineclr_lr", "lwarmcosine_lr"))
    assert all(finals[s] < finals["constant_lr"] for s in ("cosine_lr", "htd_lr", "ssgdr_lr"))
    curves = schedule_curves(result)
    verdicts = {claim_id: claim.criterion(curves) for claim_id, claim in TASK_CLAIMS.items()}
    assert {k: v.verdict for k, v in verdicts.items()} == {"C15": "holds in part", "C16": "holds",
                                                           "C17": "holds in part", "C18": "holds in part"}  # fmt: skip
    assert verdicts["C17"].reason.startswith("✓ 90 %") and "(Pareto front: cosineclr_lr)" in verdicts["C17"].reason
    assert finals["htd_lr"] == finals["cosine_lr"] < finals["cosineclr_lr"]


def check_toy_peaks(result):
    final = result.positions[:, -1]
    for name in ("constant_lr", "cosine_lr"):
        assert np.linalg.norm(final[_one(result, schedule=name)] - (0.2, -1.59)) < 0.05, name
    for name in ("step_lr", "cosineclr_lr", "lwarmcosine_lr"):
        assert np.linalg.norm(final[_one(result, schedule=name)] - (0.566, 0.001)) < 0.05, name


def check_toy_digits(result):
    assert np.all(result.train_accuracy[:, -1] == 1.0)
    assert np.all((result.test_accuracy[:, -1] >= 0.968) & (result.test_accuracy[:, -1] <= 0.972))
    alpha = np.linspace(0.0, 1.0, 21)
    for i in range(result.num_runs):  # no barrier from the initial to the final weights
        line = landscape.interpolate(result.problem, result.initial_weights(i), result.final_weights(i), alpha)
        assert np.all(np.diff(line.train_loss) <= 1e-6), i
        for j in range(i + 1, result.num_runs):  # one low valley between any two ends
            between = landscape.interpolate(result.problem, result.final_weights(i), result.final_weights(j), alpha)
            assert np.all(between.train_accuracy == 1.0) and between.train_loss.max() < 0.003, (i, j)
            assert between.train_loss.max() <= max(between.train_loss[0], between.train_loss[-1]) + 2.5e-4, (i, j)
    explained = landscape.pca_directions(result.weights, range(result.num_runs)).explained_variance_ratio.sum()
    assert 0.80 <= explained <= 0.86  # "about 83 %"


def _rise(result):
    """The mean loss rise one filter-normalised unit from the final weights, the mean over the seeds."""
    return float(np.mean([landscape.sharpness(result.problem, result.final_weights(i), 1.0).mean_rise
                          for i in range(result.num_runs)]))  # fmt: skip


def check_sharp_small(result):
    assert 1.5 <= _rise(result) <= 1.7  # "about 1.6"
    assert 0.970 <= result.test_accuracy[:, -1].mean() <= 0.974  # "about 97.2 %"


def check_sharp_large(result):
    assert 1.65 <= _rise(result) <= 1.8  # "about 1.7"
    assert 0.973 <= result.test_accuracy[:, -1].mean() <= 0.977  # "about 97.5 %"


def test_the_large_batch_minimum_is_sharper_and_generalises_no_worse():
    small, large = _trained("sharp-flat-small-batch"), _trained("sharp-flat-large-batch")
    assert _rise(small) < _rise(large)
    assert large.test_accuracy[:, -1].mean() >= small.test_accuracy[:, -1].mean()


def _first_within(distance: np.ndarray, radius: float) -> int | None:
    """The first step at which a distance curve is within ``radius`` (None if never)."""
    hits = np.flatnonzero(distance < radius)
    return int(hits[0]) if len(hits) else None


def check_no_schedule_rosenbrock(result):
    d = _dist(result, (1.0, 1.0))
    row = {(label.optimizer, label.schedule): label.index for label in result.runs}
    adamw_cos, adamw_const = row["adamw", "cosine_lr"], row["adamw", "constant_lr"]
    assert 0.02 < d[adamw_cos, -1] < 0.035 and 0.05 < d[adamw_const, -1] < 0.07
    assert 40 < result.loss[adamw_const, -1] / result.loss[adamw_cos, -1] < 60
    moves = np.linalg.norm(np.diff(result.positions[:, -50:], axis=1), axis=-1).mean(axis=1)
    assert moves[adamw_const] > 1e-3 and moves[adamw_const] > 10 * moves[adamw_cos]  # still rattling at the end
    prodigy_cos, prodigy_const = row["prodigy", "cosine_lr"], row["prodigy", "constant_lr"]
    assert d[prodigy_cos, -1] < 0.015 and d[prodigy_cos, -1] == d[:, -1].min()
    assert 0.15 < d[prodigy_const, -1] < 0.2
    for schedule, (low, high) in (("cosine_lr", (0.25, 0.35)), ("constant_lr", (0.65, 0.75))):
        sf = row["schedule_free_adamw", schedule]
        assert _first_within(d[sf], 0.05) is not None  # passes near the minimum
        assert low < d[sf, -1] < high and np.all(result.positions[sf, -1] > 1.0)  # up the canyon floor, past (1, 1)
    for schedule in ("cosine_lr", "constant_lr"):
        dog = row["dog", schedule]
        assert np.linalg.norm(result.positions[dog, -1] - (-2.0, 2.5)) < 0.01  # hardly moved


def check_no_schedule_peaks(result):
    points = _points(result.scene)
    d = _dist(result, points.minimizers[0])
    row = {(label.optimizer, label.schedule): label.index for label in result.runs}
    for schedule in ("cosine_lr", "constant_lr"):
        assert _first_within(d[row["adamw", schedule]], 0.05) == 40
        assert _ends_in(result, [row["adamw", schedule], row["prodigy", schedule]], points.minimizers[0])
        assert _ends_in(result, [row["schedule_free_adamw", schedule]], points.local_minimizers[0])
        dog = row["dog", schedule]
        assert np.linalg.norm(result.positions[dog, -1] - (0.57, 0.8)) < 0.3
        assert np.linalg.norm(result.positions[dog, -1] - (0.57, 0.8)) < 0.1 * np.linalg.norm(
            result.positions[row["adamw", schedule], -1] - (0.57, 0.8)
        )
    assert _first_within(d[row["prodigy", "cosine_lr"]], 0.05) == 61
    assert _first_within(d[row["prodigy", "constant_lr"]], 0.05) == 79
    length = np.linalg.norm(np.diff(result.positions[:, :101], axis=1), axis=-1).sum(axis=1)
    for schedule in ("cosine_lr", "constant_lr"):
        assert 2.7 < length[row["prodigy", schedule]] / length[row["adamw", schedule]] < 3.3  # wide loops
    inside = run(result.scene.replace(optimizers=[{"id": "prodigy"}], schedules=[{"id": "constant_lr"}]), inspect=True)
    estimate = inside.internals["lr_estimate"][0, :, 0]
    assert estimate[0] == pytest.approx(1e-6) and 1.3 < estimate[50] < 1.7
    # The escapes happen in the first 100 steps, while cosine's LR is still close to η0.
    assert result.lr[row["adamw", "cosine_lr"], 99] > 0.9 * result.scene.lr


def check_lion_sign_steps(result):
    lion, sign, adam = (_one(result, optimizer=name) for name in ("lion", "sign_sgd", "adam"))
    d = _dist(result, (0.0, 0.0))
    for row in (lion, sign):
        moves = np.abs(np.diff(result.positions[row], axis=0))  # [T, 2]
        np.testing.assert_allclose(moves, result.scene.lr, rtol=1e-5)  # exactly ±η in x and in y
        last = np.diff(result.positions[row, -5:], axis=0)
        np.testing.assert_allclose(last[1:], -last[:-1], rtol=1e-5)  # hopping back and forth
    assert 0.6 < d[sign, -1] < 0.68 and 0.38 < d[lion, -1] < 0.45
    assert d[lion, 20:].max() > 3.4  # carried past the minimum along the valley
    adam_moves = np.abs(np.diff(result.positions[adam], axis=0))
    np.testing.assert_allclose(adam_moves[0], result.scene.lr, rtol=1e-3)  # the first step is as long
    assert adam_moves[-1].max() < 0.05 * result.scene.lr and d[adam, -1] < 0.08
    decayed = run(result.scene.replace(schedules=[{"id": "cosine_lr"}]))
    assert np.linalg.norm(decayed.positions[_one(decayed, optimizer="sign_sgd"), -1]) < 0.001


def check_wsd_vs_cosine(result):
    d = _dist(result, (1.0, 1.0))
    constant, wsd, cosine = (_one(result, schedule=name) for name in ("constant_lr", "wsd_lr", "cosine_lr"))
    np.testing.assert_allclose(result.lr[wsd, 25:400], result.scene.lr, rtol=1e-6)  # warm-up, then the full η0
    assert result.lr[wsd, 24] < result.scene.lr and result.lr[wsd, -1] < 0.05 * result.scene.lr
    hops = result.positions[wsd, 150:401]
    for side in (hops[0::2], hops[1::2]):  # every other step lands near the same point on one wall
        assert np.ptp(side, axis=0).max() < 0.05
    assert np.linalg.norm(hops[1] - hops[0]) > 0.3
    wsd_loss, const_loss = result.loss[wsd, 150:401], result.loss[constant, 150:401]
    assert round(float(wsd_loss.min()), 1) == 3.8 and round(float(wsd_loss.max()), 1) == 5.0
    assert round(float(const_loss.min()), 1) == 1.4 and round(float(const_loss.max()), 1) == 9.8
    assert 12 < result.loss[wsd, 400] / result.loss[wsd, -1] < 18 and 0.2 < result.loss[wsd, -1] < 0.3
    assert 0.3 < d[cosine, -1] < 0.36 and 0.88 < d[wsd, -1] < 0.96 and 1.1 < d[constant, -1] < 1.2


def check_line_search(result):
    points = _points(result.scene)
    gap = result.loss - points.min_value
    d = _dist(result, (1.0, 1.0))
    row = {(label.optimizer, label.schedule): label.index for label in result.runs}
    fast, slow = row["lbfgs", "constant_lr"], row["lbfgs", "constant_lr[lr=0.001]"]
    sgd_big, sgd_small = row["sgd", "constant_lr"], row["sgd", "constant_lr[lr=0.001]"]
    assert result.status[sgd_big] == DIVERGED and result.status_step[sgd_big] == 1
    assert _first_within(d[fast], 0.05) == 43
    reached = np.flatnonzero(gap[fast] < 1e-6)[0]
    assert result.grad_evals[fast, reached] == 60
    assert result.grad_evals[sgd_small, -1] == 300 and 2.4 < d[sgd_small, -1] < 2.55
    assert d[slow, -1] < 1e-3
    slow_reached = np.flatnonzero(gap[slow] < 1e-6)[0]
    assert 1200 < result.grad_evals[slow, slow_reached] < 1400
    assert 7.5 < result.grad_evals[slow, slow_reached] / slow_reached < 8.5  # about 8 a step
    assert PRESETS["line-search-vs-fixed-lr"].loss_x_axis == "gradient evaluations"


CHECKS = {
    "fig5-rosenbrock": check_fig5,
    "fig6a-peaks-sgd": check_fig6a,
    "fig6b-peaks-momentum": check_fig6b,
    "fig6c-peaks-starts": check_fig6c,
    "fig3-saddle": check_fig3_saddle,
    "fig3-saddle-adaptive": check_fig3_adaptive,
    "fig3-saddle-perturbed": check_fig3_perturbed,
    "fig3-saddle2": check_fig3_saddle2,
    "fig3-saddle2-level": check_fig3_saddle2_level,
    "fig7-cliffs": check_fig7_cliffs,
    "fig7-sigmoid": check_fig7_sigmoid,
    "momentum-helps": check_momentum_helps,
    "lr-too-large": check_lr_too_large,
    "warmup-steep-start": check_warmup,
    "adaptive-plateau": check_adaptive_plateau,
    "noise-breaks-symmetry": check_noise,
    "section-4-2-small": check_section_42,
    "toy-vs-real-peaks": check_toy_peaks,
    "toy-vs-real-digits": check_toy_digits,
    "sharp-flat-small-batch": check_sharp_small,
    "sharp-flat-large-batch": check_sharp_large,
    "no-schedule-rosenbrock": check_no_schedule_rosenbrock,
    "no-schedule-peaks": check_no_schedule_peaks,
    "lion-sign-steps": check_lion_sign_steps,
    "wsd-vs-cosine": check_wsd_vs_cosine,
    "line-search-vs-fixed-lr": check_line_search,
}


def test_every_preset_has_a_behaviour_check():
    assert set(CHECKS) == set(PRESETS)


@pytest.mark.parametrize("preset_id", list(PRESETS))
def test_preset_shows_what_its_caption_says(preset_id):
    if "task" in PRESETS[preset_id].scene:  # a network: trained by tasks.run_scene
        CHECKS[preset_id](_trained(preset_id))
        return
    result = run(PRESETS[preset_id].build())
    assert np.all(np.isfinite(result.positions))
    CHECKS[preset_id](result)


def test_momentum_presets_differ_from_no_momentum():
    """Fig. 6(a) and 6(b) differ only in momentum, and end in different basins."""
    a, b = PRESETS["fig6a-peaks-sgd"].scene_data(), PRESETS["fig6b-peaks-momentum"].scene_data()
    assert {k: v for k, v in a.items() if k not in ("optimizers", "lr")} == {
        k: v for k, v in b.items() if k not in ("optimizers", "lr")
    }
    assert a["optimizers"] == [{"id": "sgd"}] and b["optimizers"][0]["params"]["momentum"] == 0.9


def test_a_preset_s_loss_view_counts_steps_or_gradient_evaluations():
    from figures.paths import LOSS_X_AXES
    from presets import LOSS_X_AXES as PRESET_AXES

    assert PRESET_AXES == LOSS_X_AXES
    assert {preset.loss_x_axis for preset in PRESETS.values()} <= set(LOSS_X_AXES)
    with pytest.raises(ValueError, match="loss_x_axis"):
        Preset(id="x", name="x", figure=None, summary="x", claims=(), scene={}, loss_x_axis="seconds")
