"""The claims C1–C14: each criterion pinned on synthetic results where it obviously holds or fails, then all
fourteen verdicts computed live from the paper's figure scenes."""

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pytest

import optimizers
from analysis import CLAIMS, check, check_all, claims_table
from analysis.batching import scene_labels
from analysis.claims import (
    C10_OPTIMIZERS,
    FACTORS,
    FAILS,
    HOLDS,
    LOOKAHEAD_YOGI,
    LOOKAHEAD_YOGI_M0,
    MOMENTA,
    NOISE_SEEDS,
    PART,
    YOGI,
    YOGI_M0,
    claim_scene_data,
    optimizer_indices,
    optimizer_param,
)
from analysis.outcomes import landmarks
from engine.scene import Scene, SceneError
from engine.simulate import Result, schedule_table
from figures.claims import claims_figure

Point = tuple[float, float]
Knots = Sequence[tuple[int, Point]]


def line_path(knots: Knots, steps: int) -> np.ndarray:
    """A path through ``(step, point)`` knots, straight between them, resting after the last: ``[T + 1, 2]``."""
    ks = [k for k, _ in knots]
    points = np.array([p for _, p in knots], np.float64)
    t = np.arange(steps + 1)
    return np.stack([np.interp(t, ks, points[:, 0]), np.interp(t, ks, points[:, 1])], axis=-1)


def fake(
    name: str,
    path: Callable[[Scene, object], np.ndarray],
    *,
    loss: Callable[[Scene, object, np.ndarray], np.ndarray] | None = None,
    lr: Mapping[str, np.ndarray] | None = None,
) -> Result:
    """A Result of claim scene ``name`` whose paths are made up: ``path(scene, label) -> [T + 1, 2]``."""
    scene = Scene.build(claim_scene_data()[name])
    labels = scene_labels(scene)
    target = landmarks(scene).target
    positions = np.stack([path(scene, label) for label in labels])
    losses = np.stack(
        [
            loss(scene, label, positions[label.index])
            if loss
            else np.sum((positions[label.index] - target) ** 2, axis=-1)
            for label in labels
        ]
    )
    rates = []
    for label in labels:
        spec = scene.schedules[label.schedule_index]
        rates.append((lr or {}).get(spec.id, schedule_table(scene, spec)))
    size = len(labels)
    return Result(
        scene=scene,
        runs=tuple(labels),
        positions=positions,
        loss=losses,
        grad_norm=np.zeros_like(losses),
        lr=np.stack(rates),
        status=np.zeros(size, np.int8),
        status_step=np.full(size, -1),
    )


def schedule_of(scene: Scene, label) -> str:
    return scene.schedules[label.schedule_index].id


def verdict_of(claim_id: str, **results: Result) -> str:
    return CLAIMS[claim_id].criterion(results).verdict


# --- Fig. 5 ------------------------------------------------------------------------------------------------------

START5, MIN5, FLOOR = (-2.0, 2.5), np.array([1.0, 1.0]), (-1.0, 1.0)


def at_distance(d: float) -> Point:
    """The point ``d`` from Rosenbrock's minimum (1, 1), below and left of it."""
    return tuple(MIN5 + d * np.array([-0.6, -0.8]))


def canyon(knots: Mapping[str, Knots], zigzag: Sequence[str] = (), lr: Mapping[str, np.ndarray] | None = None):
    def path(scene, label):
        return line_path([(0, START5), *knots[schedule_of(scene, label)]], scene.steps)

    def loss(scene, label, positions):
        smooth = np.sum((positions - MIN5) ** 2, axis=-1)
        if schedule_of(scene, label) in zigzag:
            return smooth + 0.1 * (-1.0) ** np.arange(len(smooth))
        return smooth

    return {"fig5": fake("fig5", path, loss=loss, lr=lr)}


def simple(ends: Mapping[str, float], arrive: Mapping[str, int] | None = None, via: Mapping[str, Point] | None = None):
    arrive, via = arrive or {}, via or {}
    return {s: [(50, via.get(s, FLOOR)), (arrive.get(s, 400), at_distance(d))] for s, d in ends.items()}


ENDS = {"constant_lr": 1.15, "step_lr": 0.5, "cosine_lr": 0.3, "cosineclr_lr": 1.0, "lwarmcosine_lr": 0.4}


def test_c1_constant_stuck_and_zigzagging():
    stuck = simple(ENDS, arrive={"constant_lr": 100})
    assert verdict_of("C1", **canyon(stuck, zigzag=["constant_lr"])) == HOLDS
    assert verdict_of("C1", **canyon(stuck)) == PART  # stuck, but its loss does not oscillate
    converges = simple({**ENDS, "constant_lr": 0.01}, arrive={"constant_lr": 480})
    assert verdict_of("C1", **canyon(converges)) == FAILS


def test_c2_step_level_with_cosine_at_300_then_stalls():
    a = at_distance(0.8)
    knots = simple(ENDS)
    holds = {**knots, "step_lr": [(300, a), (500, at_distance(0.7))], "cosine_lr": [(300, a), (500, at_distance(0.1))]}
    assert verdict_of("C2", **canyon(holds)) == HOLDS
    fails = {**knots, "step_lr": [(300, at_distance(2.5)), (500, at_distance(0.05))], "cosine_lr": [(500, a)]}
    scene = Scene.build(claim_scene_data()["fig5"])
    cosine = schedule_table(scene, scene.schedules[2])
    assert verdict_of("C2", **canyon(fails)) == PART  # only the LR part: step_lr's LR is smaller by construction
    assert verdict_of("C2", **canyon(fails, lr={"step_lr": cosine})) == FAILS


def test_c3_lwarmcosine_level_at_200_higher_lr_ends_worse():
    a = at_distance(1.0)
    knots = simple(ENDS)
    holds = {
        **knots,
        "lwarmcosine_lr": [(200, a), (500, at_distance(0.5))],
        "cosine_lr": [(200, a), (500, at_distance(0.2))],
    }
    assert verdict_of("C3", **canyon(holds)) == HOLDS
    scene = Scene.build(claim_scene_data()["fig5"])
    low = 0.5 * schedule_table(scene, scene.schedules[2])
    fails = {**knots, "lwarmcosine_lr": [(200, at_distance(2.5)), (500, at_distance(0.1))], "cosine_lr": [(500, a)]}
    assert verdict_of("C3", **canyon(fails, lr={"lwarmcosine_lr": low})) == FAILS


def test_c4_cosineclr_high_early_and_just_ahead_of_constant():
    holds = simple(ENDS, via={"cosineclr_lr": (-1.0, 3.0)})  # 2 above the floor y = x²
    assert verdict_of("C4", **canyon(holds)) == HOLDS
    worst = simple({**ENDS, "cosineclr_lr": 1.5})
    assert verdict_of("C4", **canyon(worst)) == FAILS


def test_c5_cosine_closest_and_fastest():
    holds = simple({**ENDS, "cosine_lr": 0.05}, arrive={"cosine_lr": 100})
    assert verdict_of("C5", **canyon(holds)) == HOLDS
    slow = simple({**ENDS, "cosine_lr": 0.05}, arrive={"cosine_lr": 499, "constant_lr": 60})
    assert verdict_of("C5", **canyon(slow)) == PART
    fails = simple({**ENDS, "constant_lr": 0.01}, arrive={"constant_lr": 60})
    assert verdict_of("C5", **canyon(fails)) == FAILS


# --- Fig. 6 ------------------------------------------------------------------------------------------------------


def peaks_points(name: str) -> tuple[np.ndarray, np.ndarray]:
    marks = landmarks(Scene.build(claim_scene_data()[name]))
    return marks.minimizers[0], marks.minimizers[marks.num_global]  # global, the first local


def ends_at(name: str, where: Callable[[Scene, object], np.ndarray]) -> Result:
    def path(scene, label):
        return line_path([(0, label.origin), (300, tuple(where(scene, label)))], scene.steps)

    return fake(name, path)


def test_c6_sgd_trapped_whatever_the_schedule():
    glob, local = peaks_points("fig6_sgd")
    assert verdict_of("C6", fig6_sgd=ends_at("fig6_sgd", lambda s, lab: local)) == HOLDS
    assert verdict_of("C6", fig6_sgd=ends_at("fig6_sgd", lambda s, lab: glob)) == FAILS
    some = ends_at("fig6_sgd", lambda s, lab: glob if schedule_of(s, lab) == "step_lr" else local)
    assert verdict_of("C6", fig6_sgd=some) == PART


def momentum_sweep(thresholds: Mapping[str, float]) -> Result:
    glob, local = peaks_points("fig6_momenta")

    def where(scene, label):
        momentum = optimizer_param(scene.optimizers[label.optimizer_index], "momentum")
        return glob if momentum >= thresholds[schedule_of(scene, label)] else local

    return ends_at("fig6_momenta", where)


def test_c7_constant_and_cosine_need_less_momentum():
    assert MOMENTA[0] == 0.6 and 0.9 in MOMENTA
    easy = {"constant_lr": 0.7, "cosine_lr": 0.75, "step_lr": 0.9, "cosineclr_lr": 0.95, "lwarmcosine_lr": math.inf}
    assert verdict_of("C7", fig6_momenta=momentum_sweep(easy)) == HOLDS
    mixed = {**easy, "step_lr": 0.7}
    assert verdict_of("C7", fig6_momenta=momentum_sweep(mixed)) == PART
    hard = {"constant_lr": math.inf, "cosine_lr": math.inf, "step_lr": 0.7, "cosineclr_lr": 0.7, "lwarmcosine_lr": 0.7}
    assert verdict_of("C7", fig6_momenta=momentum_sweep(hard)) == FAILS


def test_c8_the_start_decides_along_the_gradient():
    glob, local = peaks_points("fig6_starts")
    starts = [tuple(s) for s in Scene.build(claim_scene_data()["fig6_starts"]).starts]
    # −∇f points towards the global minimum from (0.4, 1), away from it from (−0.4, 0.4); (0.57, 0) starts inside
    # the local minimum, so it has no direction and only the first two are held to the direction test
    assert starts == [(0.4, 1.0), (-0.4, 0.4), (0.57, 0.0)]
    by_start = ends_at("fig6_starts", lambda s, lab: local if lab.start_index == 1 else glob)
    assert verdict_of("C8", fig6_starts=by_start) == HOLDS
    assert verdict_of("C8", fig6_starts=ends_at("fig6_starts", lambda s, lab: glob)) == FAILS
    wrong = ends_at("fig6_starts", lambda s, lab: local if lab.start_index == 0 else glob)
    assert verdict_of("C8", fig6_starts=wrong) == PART  # the start matters, but not along the gradient


# --- Fig. 3 ------------------------------------------------------------------------------------------------------


def test_c9_level_starts_end_at_the_saddle():
    saddle = ends_at("fig3_level", lambda s, lab: np.zeros(2))
    saddle2 = ends_at("fig3_level2", lambda s, lab: np.array([1.0, 0.0]))
    short = ends_at("fig3_level", lambda s, lab: np.array([-1.0, 0.0]))
    short2 = ends_at("fig3_level2", lambda s, lab: np.array([1.5, 0.0]))
    assert verdict_of("C9", fig3_level=saddle, fig3_level2=saddle2) == HOLDS
    assert verdict_of("C9", fig3_level=short, fig3_level2=saddle2) == PART
    assert verdict_of("C9", fig3_level=short, fig3_level2=short2) == FAILS


def escapers(subjects: Sequence[Mapping]) -> Result:
    """The optimizers scene, where exactly the optimizers ``subjects`` (optimizer data) leave the saddle's level."""

    def where(scene, label):
        escapes = any(label.optimizer_index in optimizer_indices(scene, subject) for subject in subjects)
        return np.array([0.0, -3.0 if escapes else 0.0])

    return ends_at("fig3_optimizers", where)


ADAM = {"id": "adam"}


def test_c10_only_yogi_escapes_and_the_reason_names_its_first_moment():
    outcome = CLAIMS["C10"].criterion({"fig3_optimizers": escapers([YOGI, LOOKAHEAD_YOGI])})
    assert outcome.verdict == HOLDS and "m0 = 0 does not escape" in outcome.reason
    assert "initial first moment" in CLAIMS["C10"].depends_on
    assert verdict_of("C10", fig3_optimizers=escapers([YOGI, ADAM])) == PART
    assert verdict_of("C10", fig3_optimizers=escapers([ADAM])) == FAILS
    outcome = CLAIMS["C10"].criterion({"fig3_optimizers": escapers([YOGI, YOGI_M0, ADAM])})
    assert "adam escape too" in outcome.reason and "Yogi with m0 = 0 escapes" in outcome.reason


def test_c10_runs_the_papers_optimizers_whatever_the_registry_holds(monkeypatch):
    for optimizer_id in C10_OPTIMIZERS:
        assert not optimizers.OPTIMIZERS[optimizer_id].wraps, optimizer_id
    scene = Scene.build(claim_scene_data()["fig3_optimizers"])
    assert [spec.id for spec in scene.optimizers[: len(C10_OPTIMIZERS)]] == list(C10_OPTIMIZERS)
    for subject in (YOGI, YOGI_M0, LOOKAHEAD_YOGI, LOOKAHEAD_YOGI_M0):
        assert len(optimizer_indices(scene, subject)) == 1, subject
    # a new optimizer in the registry changes neither the verdict's subjects nor its run time
    monkeypatch.setitem(optimizers.OPTIMIZERS, "newcomer", optimizers.OPTIMIZERS["adam"])
    assert Scene.build(claim_scene_data()["fig3_optimizers"]) == scene


def test_subjects_are_found_by_spec_not_by_label():
    scene = Scene.build(claim_scene_data()["fig3_optimizers"])
    # the same optimizers, spelled with their defaults: found all the same
    assert optimizer_indices(scene, {"id": "yogi", "params": {"initial_m": 1e-6}}) == optimizer_indices(scene, YOGI)
    spelled = {"id": "lookahead", "params": {"k": 5, "alpha": 0.5}, "inner": {"id": "yogi"}}
    assert optimizer_indices(scene, spelled) == optimizer_indices(scene, LOOKAHEAD_YOGI)
    assert optimizer_indices(scene, {"id": "yogi", "params": {"initial_m": 0.005}}) == []
    # a scene that lists them in another order is judged the same
    reordered = scene.replace(optimizers=[spec.model_dump(exclude_none=True) for spec in scene.optimizers[::-1]])
    assert optimizer_indices(reordered, YOGI) == [len(scene.optimizers) - 1 - optimizer_indices(scene, YOGI)[0]]


def test_c11_lookahead_yogi_escapes():
    assert verdict_of("C11", fig3_optimizers=escapers([LOOKAHEAD_YOGI])) == HOLDS
    assert verdict_of("C11", fig3_optimizers=escapers([YOGI])) == FAILS


def nudged(times: Mapping[str, float]) -> Result:
    """Paths leaving the saddle's level exponentially: y = dy · e^(k / τ), τ per schedule (inf: never)."""

    def path(scene, label):
        k = np.arange(scene.steps + 1)
        tau = times[schedule_of(scene, label)]
        dy = label.perturbation[1]
        y = dy * np.exp(np.minimum(k / tau, 50.0)) if math.isfinite(tau) else np.full(k.shape, dy)
        return np.stack([np.full(k.shape, label.origin[0]), np.minimum(y, 5.0)], axis=-1)

    return fake("fig3_perturbed", path)


def test_c12_every_schedule_escapes_step_lr_slowest():
    fast = {"constant_lr": 20.0, "cosine_lr": 20.0, "cosineclr_lr": 22.0, "lwarmcosine_lr": 25.0}
    assert verdict_of("C12", fig3_perturbed=nudged({**fast, "step_lr": 45.0})) == HOLDS
    assert verdict_of("C12", fig3_perturbed=nudged({**fast, "step_lr": math.inf})) == PART  # slowest, never out
    assert verdict_of("C12", fig3_perturbed=nudged({**fast, "step_lr": 10.0, "cosine_lr": math.inf})) == FAILS


# --- Fig. 7 ------------------------------------------------------------------------------------------------------


def flat(arrive: Mapping[str, float], share: Mapping[str, float] | None = None) -> dict[str, Result]:
    """Paths from the start towards the target: a share of the way (1: all), reached at step ``arrive``."""
    share = share or {}
    results = {}
    for name in ("fig7_cliffs", "fig7_sigmoid"):
        target = landmarks(Scene.build(claim_scene_data()[name])).target

        def path(scene, label, target=target):
            s = schedule_of(scene, label)
            start = np.array(label.origin)
            end = start + share.get(s, 1.0) * (target - start)
            return line_path([(0, tuple(start)), (int(arrive[s]), tuple(end))], scene.steps)

        results[name] = fake(name, path)
    return results


def test_c13_constant_best_on_plateaus_step_lr_stuck():
    arrive = {"constant_lr": 100, "step_lr": 500, "cosine_lr": 300, "cosineclr_lr": 400, "lwarmcosine_lr": 300}
    assert verdict_of("C13", **flat(arrive, {"step_lr": 0.1})) == HOLDS
    assert verdict_of("C13", **flat(arrive)) == PART  # step_lr gets there in the end
    swapped = {**arrive, "constant_lr": 500, "step_lr": 100}
    assert verdict_of("C13", **flat(swapped, {"constant_lr": 0.1})) == FAILS


def test_c14_non_cyclic_beat_cosineclr():
    arrive = {"constant_lr": 100, "step_lr": 500, "cosine_lr": 300, "cosineclr_lr": 400, "lwarmcosine_lr": 300}
    assert verdict_of("C14", **flat(arrive, {"cosineclr_lr": 0.7})) == HOLDS
    tied_but_later = {**arrive, "cosine_lr": 450}  # all reach the target; cosine gets there after cosineclr
    assert verdict_of("C14", **flat(tied_but_later)) == PART
    cyclic_first = {**arrive, "cosineclr_lr": 50}
    half = {"constant_lr": 0.5, "cosine_lr": 0.5, "lwarmcosine_lr": 0.5}
    assert verdict_of("C14", **flat(cyclic_first, half)) == FAILS


# --- All fourteen, live ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def verdicts():
    return check_all()


def test_all_fourteen_verdicts(verdicts):
    assert [v.id for v in verdicts] == [f"C{k}" for k in range(1, 15)]
    for v in verdicts:
        assert v.verdict in (HOLDS, PART, FAILS)
        assert 0.0 <= v.robustness <= 1.0 and len(v.verdicts) == len(FACTORS)
        assert v.reason and "\n" not in v.reason
        assert v.evidence and all(isinstance(r, Result) for r in v.evidence.values())
        np.testing.assert_allclose(v.lrs[len(FACTORS) // 2], next(iter(v.evidence.values())).scene.lr)
    by_id = {v.id: v for v in verdicts}
    # what the runs show and must keep showing (PAPER.md's facts; see the presets' captions)
    assert by_id["C4"].verdict == FAILS  # cosineclr_lr's early path is the lowest, and it ends behind constant_lr
    assert by_id["C6"].verdict == HOLDS and by_id["C6"].robustness == 1.0
    assert by_id["C9"].verdict == HOLDS
    assert by_id["C10"].verdict == HOLDS and "m0 = 0 does not escape" in by_id["C10"].reason
    assert by_id["C11"].verdict == HOLDS and "m0 = 0 it does not" in by_id["C11"].reason


def test_table_and_evidence_figures(verdicts):
    rows = claims_table(verdicts)
    assert len(rows) == 14
    assert set(rows[0]) == {"id", "figure", "claim", "verdict", "robustness", "reason"}
    for v in verdicts:
        fig = claims_figure(v)
        assert fig.layout.paper_bgcolor == "white"
        assert v.id in fig.layout.title.text
        assert any(t.mode == "lines" for t in fig.data)


def test_noise_adds_seeds_to_the_sweep_and_scenes_can_be_replaced():
    data = claim_scene_data()
    noisy = {
        name: Scene.build({**data[name], "noise": {"sigma": 0.01, "seed": 3}, "schedules": [{"id": "constant_lr"}]})
        for name in ("fig3_level", "fig3_level2")
    }
    verdict = check("C9", factors=(0.5, 1.0, 2.0), scenes=noisy)
    assert len(verdict.verdicts) == 3 * NOISE_SEEDS  # every η0 × every seed
    assert verdict.verdict == FAILS  # gradient noise knocks the paths off the saddle's level
    assert verdict.evidence["fig3_level"].scene.noise.seed == 3
    with pytest.raises(SceneError, match="uses the scenes"):
        check("C9", scenes={"fig5": noisy["fig3_level"]})
