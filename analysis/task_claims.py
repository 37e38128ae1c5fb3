"""Section 4.2's claims (C15–C18 of Liu & Zhang 2023), checked live on a small network at this machine's scale.

The paper trained WRN-28-10 on CIFAR-10/100 and EfficientNet-B0 on ImageNet with SGD, changing only the LR
schedule, three seeds each, and drew four conclusions about the schedules. Here they are checked on the preset
"The paper's Section 4.2, small" (:data:`SCENE_PRESET`): the digits MLP with SGD + momentum 0.9, the paper's five
schedules plus ``htd_lr`` and ``ssgdr_lr``, three seeds, η0 from the surfaces' search recipe
(:mod:`presets.task_tune`), every schedule on that one η0.

Every criterion reads the **test accuracy on the whole test set**, averaged over the seeds, at 201 evenly spaced
steps (:func:`schedule_curves`). :func:`check` trains the scene at its η0 × each of :data:`FACTORS` in one batch
(every schedule × factor × seed), gives the verdict at the preset's η0 and its robustness: the share of the
(η0 factor, seed) pairs for which the criterion, judged on that one seed, fully holds.

Scale, honestly (:data:`SCALE_NOTE`): a 2,410-parameter network on 8 × 8 images is not a 36-million-parameter
residual network on CIFAR; the verdicts say what holds here, and nothing about the paper's settings.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from analysis.batching import Progress, notify
from analysis.claims import FAILS, HOLDS, PART, Outcome
from common.lru import LRU
from engine.scene import Scene
from presets import PRESETS

SCENE_PRESET = "section-4-2-small"
FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)  # η0 × these: two octaves each side of the tuned η0
RECORDS = 200  # test accuracy every T/200 steps (10 steps of the default 2,000)
DECAYING = ("step_lr", "cosine_lr", "cosineclr_lr", "lwarmcosine_lr", "htd_lr", "ssgdr_lr")
C16_SPREAD, C16_SPREAD_PART = 0.01, 0.02  # "about 1 %": the decaying schedules' final accuracies within these
C17_FRACTION = 0.9  # the paper's "90 % of its final accuracy"
C17_TARGET = 0.99  # a good accuracy: 99 % of the best final accuracy of any schedule
C18_NEAR = 0.01  # cosine "nearly as good" as HTD: within 1 percentage point
C18_TIME = 0.6  # "in about half the time": cosine's time to its best at most 0.6 × HTD's
SCALE_SUFFIX = "at this scale: a 2,410-parameter MLP on 8 × 8 digits, not WRN-28-10 on CIFAR"
SCALE_NOTE = (
    "At this machine's scale: a 2,410-parameter MLP (64-32-10) on 1,797 handwritten 8 × 8 digits (1,347 to train, "
    "450 to test), 2,000 mini-batch steps of 32 (about 48 epochs), SGD with momentum 0.9, three seeds. The paper "
    "trained WRN-28-10 (36.5 million parameters) on CIFAR-10/100 and EfficientNet-B0 on ImageNet for hundreds of "
    "epochs, where one test example is 0.01 % of CIFAR-10's test set; here it is 0.22 %. A verdict says what holds "
    "at this scale, not at the paper's."
)


@dataclasses.dataclass(frozen=True)
class TaskClaim:
    """One claim of Section 4.2 and how it is measured on the task's curves."""

    id: str
    text: str  # the paper's claim
    figure: str  # where the paper shows it (the claims table's column)
    criterion: Callable[[Curves], Outcome]
    measure: str  # the criterion in words


class Curves(NamedTuple):
    """Test accuracy of each schedule (the mean over the seeds given) at the recorded steps."""

    steps: np.ndarray  # [R]
    accuracy: dict[str, np.ndarray]  # schedule id -> [R]
    resolution: float  # one test example, as a share of the test set

    def final(self, schedule: str) -> float:
        return float(self.accuracy[schedule][-1])


class TaskVerdict(NamedTuple):
    """The result of :func:`check`, shaped like :class:`analysis.claims.Verdict` for the claims table."""

    claim: TaskClaim
    verdict: str
    robustness: float  # share of (η0 factor, seed) pairs where the criterion fully holds
    reason: str
    evidence: Any  # the TrainResult of every factor × schedule × seed
    factors: np.ndarray  # [F]
    lrs: np.ndarray  # [F]
    verdicts: tuple[str, ...]  # [F × seeds], factor-major
    metrics: dict[str, float]
    curves: Curves  # at the preset's η0, mean over the seeds
    finals: dict[str, np.ndarray]  # schedule id -> [F] final test accuracy (mean over the seeds) at each η0

    @property
    def id(self) -> str:
        return self.claim.id


# --- Measurements -----------------------------------------------------------------------------------------------


def schedule_curves(result: Any, factor: int | None = None, seeds: Sequence[int] | None = None) -> Curves:
    """The mean test accuracy of each schedule over ``seeds`` (default: all), by schedule id.

    A claims sweep labels its schedules ``id@k`` (η0 factor ``k``): ``factor`` picks one. A plain task scene's
    result (labels: the schedule ids) takes ``factor=None``.
    """
    test_size = len(result.problem.data.y_test)
    wanted = None if seeds is None else set(seeds)
    curves: dict[str, list[np.ndarray]] = {}
    for run in result.runs:
        schedule, _, k = run.schedule.partition("@")
        if (factor is not None and int(k) != factor) or (wanted is not None and run.seed not in wanted):
            continue
        curves.setdefault(schedule, []).append(np.asarray(result.test_accuracy[run.index], np.float64))
    return Curves(
        steps=np.asarray(result.record_steps),
        accuracy={schedule: np.mean(values, axis=0) for schedule, values in curves.items()},
        resolution=1.0 / test_size,
    )


def first_step(curves: Curves, schedule: str, level: float) -> float:
    """The first recorded step at which the schedule's accuracy reaches ``level`` (inf if never)."""
    hits = np.flatnonzero(curves.accuracy[schedule] >= level - 1e-9)
    return float(curves.steps[hits[0]]) if len(hits) else math.inf


def time_to_best(curves: Curves, schedule: str) -> float:
    """The first recorded step within one test example of the schedule's best accuracy."""
    return first_step(curves, schedule, float(curves.accuracy[schedule].max()) - curves.resolution)


def pareto_front(points: Mapping[str, tuple[float, float]]) -> set[str]:
    """The schedules no other beats on both (time ↓, accuracy ↑), one of them strictly."""
    front = set()
    for name, (time, accuracy) in points.items():
        dominated = any(
            t <= time and a >= accuracy and (t < time or a > accuracy)
            for other, (t, a) in points.items()
            if other != name
        )
        if not dominated:
            front.add(name)
    return front


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _steps(value: float) -> str:
    return "never" if not math.isfinite(value) else f"step {value:.0f}"


def _verdict(parts: Sequence[bool]) -> str:
    return HOLDS if all(parts) else (PART if any(parts) else FAILS)


def _outcome(parts: Sequence[tuple[bool, str]], metrics: dict[str, float]) -> Outcome:
    reason = "; ".join(("✓ " if ok else "✗ ") + text for ok, text in parts)
    return Outcome(_verdict([ok for ok, _ in parts]), reason, metrics, {})


# --- The criteria -------------------------------------------------------------------------------------------------


def criterion_c15(curves: Curves) -> Outcome:
    """Every schedule with decay (all but constant_lr) ends with a higher test accuracy than constant_lr (each
    comparison a part: all hold, some, none)."""
    constant = curves.final("constant_lr")
    parts = [(curves.final(s) > constant, f"{s} {_pct(curves.final(s))}") for s in DECAYING if s in curves.accuracy]
    outcome = _outcome(parts, {f"final_{s}": curves.final(s) for s in curves.accuracy})
    return outcome._replace(reason=f"constant_lr ends at {_pct(constant)}; " + outcome.reason)


def criterion_c16(curves: Curves) -> Outcome:
    """The decaying schedules' final test accuracies lie within 1 percentage point of each other (holds), within
    2 (in part: "about 1 %"), or further apart (does not hold)."""
    finals = {s: curves.final(s) for s in DECAYING if s in curves.accuracy}
    best, worst = max(finals, key=finals.get), min(finals, key=finals.get)
    spread = finals[best] - finals[worst]
    verdict = HOLDS if spread <= C16_SPREAD + 1e-9 else (PART if spread <= C16_SPREAD_PART + 1e-9 else FAILS)
    reason = (
        f"the decaying schedules end between {_pct(finals[worst])} ({worst}) and {_pct(finals[best])} ({best}): a "
        f"spread of {100 * spread:.2f} points"
    )
    return Outcome(verdict, reason, {"spread": spread}, {})


def criterion_c17(curves: Curves) -> Outcome:
    """(a) constant_lr is the first (ties allowed) to reach 90 % of its own final test accuracy, as the paper
    measured; (b) ssgdr_lr and (c) lwarmcosine_lr trade speed and accuracy well: each is on the Pareto front of
    (the first step at 99 % of the best schedule's final accuracy, its own final accuracy)."""
    t90 = {s: first_step(curves, s, C17_FRACTION * curves.final(s)) for s in curves.accuracy}
    fastest = min(t90.values())
    target = C17_TARGET * max(curves.final(s) for s in curves.accuracy)
    points = {s: (first_step(curves, s, target), curves.final(s)) for s in curves.accuracy}
    front = pareto_front(points)
    parts = [
        (
            t90["constant_lr"] <= fastest,
            f"90 % of its final accuracy: constant_lr at {_steps(t90['constant_lr'])}, the first at {_steps(fastest)}",
        ),
    ]
    for s in ("ssgdr_lr", "lwarmcosine_lr"):
        time, accuracy = points[s]
        parts.append((s in front, f"{s} reaches {_pct(target)} at {_steps(time)} and ends at {_pct(accuracy)}"))
    parts[-1] = (parts[-1][0], parts[-1][1] + f" (Pareto front: {', '.join(sorted(front))})")
    metrics = {f"t90_{s}": t for s, t in t90.items()} | {f"t_good_{s}": p[0] for s, p in points.items()}
    return _outcome(parts, metrics)


def criterion_c18(curves: Curves) -> Outcome:
    """(a) htd_lr ends with the best test accuracy (within one test example); (b) cosine_lr ends within 1
    percentage point of it; (c) cosine_lr reaches its own best accuracy (within one test example) in at most
    0.6 × the steps htd_lr takes to reach its own ("about half")."""
    finals = {s: curves.final(s) for s in curves.accuracy}
    best = max(finals, key=finals.get)
    htd, cosine = finals["htd_lr"], finals["cosine_lr"]
    t_htd, t_cos = time_to_best(curves, "htd_lr"), time_to_best(curves, "cosine_lr")
    ratio = t_cos / t_htd if t_htd > 0 else math.inf
    parts = [
        (
            htd >= finals[best] - curves.resolution,
            f"htd_lr ends at {_pct(htd)}, the best is {best} at {_pct(finals[best])}",
        ),
        (htd - cosine <= C18_NEAR + 1e-9, f"cosine_lr ends at {_pct(cosine)}"),
        (
            ratio <= C18_TIME,
            f"time to its best: cosine_lr {_steps(t_cos)}, htd_lr {_steps(t_htd)} (ratio {ratio:.2f})",
        ),
    ]
    return _outcome(parts, {"htd": htd, "cosine": cosine, "time_ratio": ratio})


TASK_CLAIMS: dict[str, TaskClaim] = {
    claim.id: claim
    for claim in (
        TaskClaim(
            "C15",
            "Every schedule with decay ends more accurate than constant_lr.",
            "§4.2 (digits MLP)",
            criterion_c15,
            criterion_c15.__doc__,
        ),
        TaskClaim(
            "C16",
            "Among the decaying schedules the differences are small (about 1 % or less).",
            "§4.2 (digits MLP)",
            criterion_c16,
            criterion_c16.__doc__,
        ),
        TaskClaim(
            "C17",
            "constant_lr reaches a good accuracy fastest early in training; constant-then-cosine schedules (ssgdr_lr, "
            "lwarmcosine_lr) trade speed and accuracy well.",
            "§4.2 (digits MLP)",
            criterion_c17,
            criterion_c17.__doc__,
        ),
        TaskClaim(
            "C18",
            "htd_lr gives the best final accuracy; cosine_lr is nearly as good, in about half the time.",
            "§4.2 (digits MLP)",
            criterion_c18,
            criterion_c18.__doc__,
        ),
    )
}


# --- Checking -----------------------------------------------------------------------------------------------------

_SWEEPS: LRU[Any] = LRU(4)


def claims_scene() -> Scene:
    """The scene the claims are judged on: the preset "The paper's Section 4.2, small"."""
    return PRESETS[SCENE_PRESET].build()


def sweep(scene: Scene, factors: Sequence[float] = FACTORS) -> Any:
    """Every schedule × η0 factor × seed of ``scene`` in one batch (schedule labels ``id@k``); memoised."""
    from tasks import catalog
    from tasks.run import optimizer_choices
    from tasks.trainer import train

    def compute() -> Any:
        tables, labels = [], []
        for spec in scene.schedules:
            for k, factor in enumerate(factors):
                tables.append(catalog.entry_table(spec, scene.steps, scene.lr * factor))
                labels.append(f"{spec.id}@{k}")
        return train(
            scene.task.id,
            scene.task.params,
            optimizer_choices(scene)[:1],
            np.stack(tables),
            scene.seeds,
            schedule_labels=labels,
            records=RECORDS,
            record_weights=False,
            clip=scene.clip,
            dtype=scene.dtype,
        )

    return _SWEEPS.get((scene.to_json(indent=None), tuple(factors)), compute)


def check(
    claim: TaskClaim | str,
    factors: Sequence[float] = FACTORS,
    *,
    scene: Scene | None = None,
    progress: Progress | None = None,
) -> TaskVerdict:
    """The verdict on one claim at the scene's η0, and its robustness over η0 × ``factors`` and the seeds."""
    claim = TASK_CLAIMS[claim] if isinstance(claim, str) else claim
    factors = tuple(float(f) for f in factors)
    if not factors or min(factors) <= 0:
        raise ValueError(f"η0 factors must be positive numbers, got {list(factors)}")
    scene = claims_scene() if scene is None else scene
    missing = sorted({"constant_lr", *DECAYING} - {spec.id for spec in scene.schedules})
    if scene.task is None or missing:
        raise ValueError(f"the claims need a task scene with the schedules {', '.join(missing) or '(a task)'}")
    center = int(np.argmin(np.abs(np.log(factors))))
    notify(progress, 0.0, f"{claim.id}: training {len(scene.schedules) * len(factors) * len(scene.seeds)} runs")
    result = sweep(scene, factors)
    per_factor = [schedule_curves(result, f) for f in range(len(factors))]
    central = claim.criterion(per_factor[center])
    verdicts = tuple(
        claim.criterion(schedule_curves(result, f, [seed])).verdict for f in range(len(factors)) for seed in scene.seeds
    )
    notify(progress, 1.0, f"{claim.id}: {central.verdict}")
    return TaskVerdict(
        claim=claim,
        verdict=central.verdict,
        robustness=float(np.mean([v == HOLDS for v in verdicts])),
        reason=central.reason + " — " + SCALE_SUFFIX,
        evidence=result,
        factors=np.array(factors),
        lrs=scene.lr * np.array(factors),
        verdicts=verdicts,
        metrics=dict(central.metrics),
        curves=per_factor[center],
        finals={s: np.array([curves.final(s) for curves in per_factor]) for s in per_factor[center].accuracy},
    )


def check_all(
    ids: Sequence[str] | None = None, factors: Sequence[float] = FACTORS, *, progress: Progress | None = None
) -> list[TaskVerdict]:
    ids = list(TASK_CLAIMS) if ids is None else list(ids)
    verdicts = []
    for k, claim_id in enumerate(ids):
        notify(progress, k / len(ids), f"checking {claim_id}")
        verdicts.append(check(claim_id, factors))
    notify(progress, 1.0, "all claims checked")
    return verdicts


def claims_table(verdicts: Sequence[TaskVerdict]) -> list[dict[str, Any]]:
    """One row per claim, as :func:`analysis.claims.claims_table`."""
    from analysis.claims import claims_table as table

    return table(verdicts)
