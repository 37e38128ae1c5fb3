"""Presets: the figures of Liu & Zhang 2023, Section 4.1, and a few teaching scenes, as plain data.

Each preset is a Scene description (``Scene.build(preset.scene)``) with a caption in three parts: what
runs (``summary``), what the paper claims there (``paper_claims``, citing the claims C1–C14 of
:mod:`analysis.claims` or C15–C18 of :mod:`analysis.task_claims` by id) and what a run under these
settings shows (``observed``), honest where a claim does not hold; a teaching preset's summary says what
a student should look at. The presets that train a network are in :mod:`presets.tasks`.

The base LR η0 of every paper preset was chosen as the reference pipeline chose it: the constant schedule,
200-step runs, the squared distance of the final point to the surface's known minimum (its ``target``),
log-uniform range [e^-8, e^-1] for SGD with or without momentum and [e^-8, e^-0.1] for Yogi (and, here,
Adam); every schedule then reuses that η0 ("same LR" mode). Instead of 200 hyperopt trials, a log grid of
200 values, run through the engine and rounded to 2 significant digits: ``python -m presets.tune`` prints the
table quoted in the comments (grid LR, objective there, objective at the rounded value). When a scene has
several starts, perturbations or optimizers, the objective is their mean.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

from engine.scene import Scene

# What a preset's loss view may count (figures.paths.LOSS_X_AXES; not imported: presets load without Plotly).
LOSS_X_AXES = ("steps", "gradient evaluations")
# The five schedules of Section 4.1 (the reference pipeline's, in its order), run by every paper preset.
FIVE_SCHEDULES = ("constant_lr", "step_lr", "cosine_lr", "cosineclr_lr", "lwarmcosine_lr")


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named scene with its caption; ``build()`` validates it into a :class:`~engine.scene.Scene`."""

    id: str  # URL-safe: lowercase letters, digits and hyphens
    name: str
    figure: str | None  # the paper's figure ("Fig. 5"), or None for a teaching preset
    summary: str  # what runs; for a teaching preset, also what a student should see
    claims: tuple[str, ...]  # the claim ids (keys of analysis.claims.CLAIMS) the caption discusses
    scene: Mapping[str, Any]  # plain data for Scene.build
    paper_claims: str = ""  # what the paper claims here, with the claim ids
    observed: str = ""  # what a run under these settings shows; honest where a claim fails
    loss_x_axis: str = "steps"  # what the loss view counts: "steps" or "gradient evaluations" (a line search)

    def __post_init__(self) -> None:
        if self.loss_x_axis not in LOSS_X_AXES:
            raise ValueError(f"preset {self.id}: loss_x_axis must be one of {LOSS_X_AXES}, got {self.loss_x_axis!r}")

    @property
    def caption(self) -> str:
        """The whole caption, in one paragraph: summary, the paper's claims, what is observed."""
        return " ".join(part for part in (self.summary, self.paper_claims, self.observed) if part)

    def build(self) -> Scene:
        """The preset's Scene (the data is copied, so the preset itself never changes)."""
        return Scene.build(copy.deepcopy(dict(self.scene)))

    def scene_data(self) -> dict[str, Any]:
        """A fresh, mutable copy of the scene data (to tweak before building)."""
        return copy.deepcopy(dict(self.scene))


def _five() -> list[dict[str, Any]]:
    return [{"id": schedule} for schedule in FIVE_SCHEDULES]


_SGD: dict[str, Any] = {"id": "sgd"}
_MOMENTUM: dict[str, Any] = {"id": "momentum", "params": {"momentum": 0.9}}


def _paper_scene(
    surface: str, starts: list[list[float]], optimizers: list[dict[str, Any]], lr: float, **extra: Any
) -> dict[str, Any]:
    """The reference pipeline's settings: the five schedules, 500 steps, gradient clipped to norm 1."""
    scene = {
        "surface": {"id": surface},
        "starts": starts,
        "optimizers": copy.deepcopy(optimizers),
        "schedules": _five(),
        "lr": lr,
        "steps": 500,
        "clip": 1.0,
    }
    scene.update(extra)
    return scene


_PRESET_LIST: list[Preset] = [
    # ------------------------------------------------------------------------------------------------------
    # Fig. 5 — the canyon
    # ------------------------------------------------------------------------------------------------------
    Preset(
        id="fig5-rosenbrock",
        name="Fig. 5 — Rosenbrock canyon, five schedules",
        figure="Fig. 5",
        summary="SGD without momentum from (−2, 2.5), the same η0 for all five schedules, gradient clipped to norm 1.",
        paper_claims=(
            "The paper claims: constant_lr bounces between the canyon walls (C1); step_lr gets about as far as "
            "cosine_lr by step 300 but then stalls on a far smaller LR (C2); lwarmcosine_lr catches up with cosine "
            "near step 200 on a higher LR and its fast late decay hurts (C3); cosineclr_lr takes the largest early "
            "steps and ends slightly better than constant_lr (C4); cosine_lr is best in precision and speed (C5)."
        ),
        observed=(
            "Here, with the tuned η0 = 0.37: C1 holds (from step 100 on, constant_lr hops back and forth between the "
            "same two points on the canyon walls, 1.15 and 1.36 from (1, 1), and its loss jumps with it); C2 holds (at "
            "step 300 step_lr is as close as cosine_lr, on an LR 8× smaller, and ends farther); C3 holds (level with "
            "cosine_lr at step 200 on a higher LR, ends farther); C4 does not hold: cosineclr_lr takes the smallest "
            "early steps of the five and ends slightly worse than constant_lr; C5 holds for precision (cosine_lr ends "
            "closest), while in speed it is level with constant_lr at step 100 and with step_lr at step 200."
        ),
        claims=("C1", "C2", "C3", "C4", "C5"),
        # η0: python -m presets.tune → grid best 0.36788 (= e^-1, the top of the range), objective 1.3315;
        # rounded 0.37, objective 1.3301.
        scene=_paper_scene("rosenbrock", [[-2.0, 2.5]], [_SGD], 0.37),
    ),
    # ------------------------------------------------------------------------------------------------------
    # Fig. 6 — local minima on the reference's peaks
    # ------------------------------------------------------------------------------------------------------
    Preset(
        id="fig6a-peaks-sgd",
        name="Fig. 6(a) — Peaks, SGD without momentum",
        figure="Fig. 6",
        summary="SGD without momentum from (0.57, 0.8), five schedules.",
        paper_claims="The paper claims that without momentum no schedule escapes the local minimum (C6).",
        observed=(
            "It holds here: every path slides into the local minimum near (0.566, 0.001) and stays there, about 1.66 "
            "from the global minimum at (0.2, −1.59); no η0 of the search range gets it out (try the top, 0.37)."
        ),
        claims=("C6",),
        # η0: python -m presets.tune → grid best 0.16968, objective 2.7615; rounded 0.17, objective 2.7615
        # (every LR above about 0.05 ends in the local minimum, so the objective is flat there).
        scene=_paper_scene("peaks_ref", [[0.57, 0.8]], [_SGD], 0.17),
    ),
    Preset(
        id="fig6b-peaks-momentum",
        name="Fig. 6(b) — Peaks, momentum 0.9",
        figure="Fig. 6",
        summary="The same start (0.57, 0.8) with momentum 0.9.",
        paper_claims=(
            "The paper claims that at a critical setting constant_lr and cosine_lr escape to the global minimum while "
            "step_lr, cosineclr_lr and lwarmcosine_lr stay trapped (C7)."
        ),
        observed=(
            "Here it holds only in part at the tuned η0 = 0.045: constant_lr and cosine_lr escape, but so do step_lr "
            "and cosineclr_lr; only lwarmcosine_lr, which starts at η0/3, stays in the local minimum. The search "
            "cannot tell these settings apart: every LR from about 0.030 up lets constant_lr cross the ridge within "
            "its 200 steps, and the objective is then flat to 1e-5, so its pick among them is float32 noise. Try η0 = "
            "0.033: exactly the claimed pattern appears (constant_lr and cosine_lr escape, the other three stay); "
            "above about 0.08 all five escape."
        ),
        claims=("C7",),
        # η0: python -m presets.tune → grid best 0.044576, objective 0.00075876 (the global minimum: the
        # reference's target (0.2, -1.62) is 0.028 from the true minimizer); rounded 0.045, objective 0.00075895.
        # Every grid LR from 0.0303 up scores 0.00075-0.00077: the pick among them is float32 noise.
        scene=_paper_scene("peaks_ref", [[0.57, 0.8]], [_MOMENTUM], 0.045),
    ),
    Preset(
        id="fig6c-peaks-starts",
        name="Fig. 6(c) — Peaks, other start points, momentum 0.9",
        figure="Fig. 6",
        summary="Momentum 0.9 and the five schedules from (0.4, 1), (−0.4, 0.4) and (0.57, 0).",
        paper_claims=(
            "The paper claims the start point matters: where the way to the global minimum disagrees with the "
            "direction momentum builds up, neither momentum nor any schedule helps (C8)."
        ),
        observed=(
            "It holds here: from (0.4, 1) every schedule reaches the global minimum; from (−0.4, 0.4) and from (0.57, "
            "0) every schedule ends in the local minimum near (0.566, 0.001)."
        ),
        claims=("C8",),
        # η0: python -m presets.tune (objective averaged over the three starts) → grid best 0.2023,
        # objective 1.8412; rounded 0.2, objective 1.8412 (flat above about 0.02: the same basins).
        scene=_paper_scene("peaks_ref", [[0.4, 1.0], [-0.4, 0.4], [0.57, 0.0]], [_MOMENTUM], 0.2),
    ),
    # ------------------------------------------------------------------------------------------------------
    # Fig. 3 — saddles
    # ------------------------------------------------------------------------------------------------------
    Preset(
        id="fig3-saddle",
        name="Fig. 3 — Saddle x² − y², momentum 0.9, five schedules",
        figure="Fig. 3",
        summary="SGD with momentum 0.9 from (−4, 0), exactly level with the saddle at the origin.",
        paper_claims=(
            "The paper claims that SGD started level with a saddle converges to it (C9), as every SGD-family optimizer "
            "does (C10)."
        ),
        observed=(
            "It holds here, and it has to: on y = 0 the y-gradient is exactly 0, so every schedule slides along the x "
            "axis into the saddle (0, 0) and stops there."
        ),
        claims=("C9", "C10"),
        # η0: python -m presets.tune → grid best 0.16968, objective 16 (= the saddle's squared distance to the
        # reference's downhill point (0, 4); every LR above about 0.003 reaches the saddle); rounded 0.17, 16.
        scene=_paper_scene("saddle", [[-4.0, 0.0]], [_MOMENTUM], 0.17),
    ),
    Preset(
        id="fig3-saddle-adaptive",
        name="Fig. 3 — Saddle x² − y²: Yogi, Adam and Lookahead(Yogi)",
        figure="Fig. 3",
        summary="Yogi, Adam and Lookahead(Yogi) from (−4, 0), five schedules.",
        paper_claims=(
            "The paper claims that every SGD- and Adam-family optimizer stays on the saddle except Yogi (C10) and that "
            "Lookahead(Yogi) escapes as well (C11)."
        ),
        observed=(
            "Both hold here: Adam never leaves y = 0 (its first moment starts at 0 and the y-gradient is exactly 0), "
            "while Yogi, whose moments start at 1e-6 as in the reference, drifts off the line and then accelerates "
            "down the saddle, and so does Lookahead(Yogi), more slowly. They escape toward −y, away from the "
            "reference's downhill point (0, 4), so the LR search (whose objective is the distance to that point) picks "
            "a small η0 = 0.0022 and the escape is slow: at step 500 Yogi with constant_lr is at y ≈ −1.6, with "
            "cosine_lr, cosineclr_lr and lwarmcosine_lr at y ≈ −0.5 to −0.7, and with step_lr, whose LR has decayed, "
            "hardly off the line (y ≈ −0.02)."
        ),
        claims=("C10", "C11"),
        # η0: python -m presets.tune (Yogi's range; objective averaged over the three optimizers) → grid best
        # 0.0021675, objective 30.195; rounded 0.0022, objective 30.195. (Tuned on Yogi alone: 0.0013.)
        scene=_paper_scene(
            "saddle",
            [[-4.0, 0.0]],
            [
                {"id": "yogi"},
                {"id": "adam"},
                {"id": "lookahead", "params": {"k": 5, "alpha": 0.5}, "inner": {"id": "yogi"}},
            ],
            0.0022,
        ),
    ),
    Preset(
        id="fig3-saddle-perturbed",
        name="Fig. 3 — Saddle x² − y², start nudged by 0.1, 0.01, 0.001 in y",
        figure="Fig. 3",
        summary="Momentum 0.9 from (−4, 0) nudged up by 0.1, 0.01 or 0.001.",
        paper_claims=(
            "The paper claims that a tiny y-perturbation lets every schedule escape, step_lr clearly slowest (C12)."
        ),
        observed=(
            "Here, with the tuned η0 = 0.0049, constant_lr, cosine_lr, cosineclr_lr and lwarmcosine_lr escape from all "
            "three nudges (|y| above 5 by step 500, faster the bigger the nudge). step_lr is by far the slowest, as "
            "claimed, but it does not escape at all from the two smaller nudges within 500 steps: its LR has decayed "
            "before the tiny y-offset has grown."
        ),
        claims=("C12",),
        # η0: python -m presets.tune (objective averaged over the three nudges) → grid best 0.0048604,
        # objective 2.0742; rounded 0.0049, objective 2.0975.
        scene=_paper_scene(
            "saddle", [[-4.0, 0.0]], [_MOMENTUM], 0.0049, perturbations=[[0.0, 0.1], [0.0, 0.01], [0.0, 0.001]]
        ),
    ),
    Preset(
        id="fig3-saddle2",
        name="Fig. 3 — Saddle x³ − 3x − 2y² from (2, 0.1)",
        figure="Fig. 3",
        summary=(
            "Momentum 0.9 from the reference's start (2, 0.1), 0.1 above the level of the saddle at (1, 0). The "
            "paper's text starts at (2, 0) (see the next preset) and claims that a small y-offset lets every schedule "
            "escape (C12). Here the LR search backfires: escaping means sliding off toward +y, away from the "
            "reference's point (1, −1), so the search prefers the smallest LR of its range (η0 = 0.00036). At that LR "
            "only constant_lr has clearly left the saddle (y ≈ 1.1 at step 500); the decaying schedules are still "
            "creeping away from it (y between 0.1 and 0.35). Try η0 = 0.01 to see every schedule escape."
        ),
        claims=("C12",),
        # η0: python -m presets.tune → grid best 0.00035991 (the second-smallest grid value; the objective
        # only grows with the LR), objective 1.473; rounded 0.00036, objective 1.473.
        scene=_paper_scene("saddle2", [[2.0, 0.1]], [_MOMENTUM], 0.00036),
    ),
    Preset(
        id="fig3-saddle2-level",
        name="Fig. 3 — Saddle x³ − 3x − 2y² from the paper's (2, 0)",
        figure="Fig. 3",
        summary="Momentum 0.9 from (2, 0), the start the paper's text gives, exactly level with the saddle at (1, 0).",
        paper_claims="The paper claims that SGD started level with the saddle converges to it (C9).",
        observed="It holds: with no y-gradient on y = 0, every schedule comes to rest at the saddle (1, 0).",
        claims=("C9",),
        # η0: python -m presets.tune → grid best 0.2023, objective 1 (every LR above about 0.0007 reaches the
        # saddle, 1 from (1, −1)); rounded 0.2, objective 1.
        scene=_paper_scene("saddle2", [[2.0, 0.0]], [_MOMENTUM], 0.2),
    ),
    # ------------------------------------------------------------------------------------------------------
    # Fig. 7 — plateaus and cliffs
    # ------------------------------------------------------------------------------------------------------
    Preset(
        id="fig7-cliffs",
        name="Fig. 7 — Cliffs (one sigmoid neuron), momentum 0.9",
        figure="Fig. 7",
        summary="Momentum 0.9 from (−6, 4) on a plateau of the cliff surface.",
        paper_claims=(
            "The paper claims that on flat ground constant_lr is best in speed and precision while step_lr, decaying "
            "fast, stays stuck on the plateau (C13), and that the non-cyclic schedules beat the cyclic cosineclr_lr "
            "(C14)."
        ),
        observed=(
            "Both hold here: constant_lr reaches the minimum first (by step 300), cosine_lr and lwarmcosine_lr follow, "
            "cosineclr_lr only arrives after step 400 and is still moving at step 500, and step_lr never leaves the "
            "plateau."
        ),
        claims=("C13", "C14"),
        # η0: python -m presets.tune → grid best 0.36788 (= e^-1, the top of the range), objective 0.71963;
        # rounded 0.37, objective 0.80361.
        scene=_paper_scene("cross_sectional", [[-6.0, 4.0]], [_MOMENTUM], 0.37),
    ),
    Preset(
        id="fig7-sigmoid",
        name="Fig. 7 — 2-D sigmoid plateau, momentum 0.9",
        figure="Fig. 7",
        summary="Momentum 0.9 from (6.5, 0), high on the sigmoid's upper plateau; progress is measured to (−9, 0).",
        paper_claims=(
            "The paper claims constant_lr is best on a plateau and step_lr stays stuck (C13), and that non-cyclic "
            "schedules beat the cyclic cosineclr_lr (C14)."
        ),
        observed=(
            "Both hold here: constant_lr gets farthest (within about 0.7 of (−9, 0)), step_lr barely moves, and "
            "cosineclr_lr ends behind cosine_lr and lwarmcosine_lr, though only slightly behind cosine_lr."
        ),
        claims=("C13", "C14"),
        # η0: python -m presets.tune → grid best 0.36788 (= e^-1, the top of the range), objective 160.53;
        # rounded 0.37, objective 158.91.
        scene=_paper_scene("sigmoid", [[6.5, 0.0]], [_MOMENTUM], 0.37),
    ),
    # ------------------------------------------------------------------------------------------------------
    # Teaching presets (η0 chosen by hand to make the point; not from the paper)
    # ------------------------------------------------------------------------------------------------------
    Preset(
        id="momentum-helps",
        name="Why momentum helps — an ill-conditioned valley",
        figure=None,
        summary=(
            "A quadratic bowl 100 times steeper across than along (κ = 100), no clipping, η = 1.8 for all. Look at "
            "plain SGD: across the valley each step overshoots (the steep direction flips sign every step) while along "
            "the valley it creeps, so after 200 steps it is still about 0.1 from the centre. Momentum builds up speed "
            "along the valley floor: momentum 0.5 ends within 0.002 of the centre and momentum 0.9 within 0.0002. "
            "Across the valley they differ: momentum 0.5 also damps the zig-zag (it has died down by step 10, plain "
            "SGD's by step 15), while momentum 0.9 carries each swing into the next, so its zig-zag is the widest and "
            "lasts longest (until about step 70). Momentum helps along the floor; too much of it costs across."
        ),
        claims=(),
        scene={
            "surface": {"id": "quadratic", "params": {"condition": 100.0, "angle": 30.0}},
            "starts": [[-4.5, 2.0]],
            "optimizers": [_SGD, {"id": "momentum", "params": {"momentum": 0.5}}, _MOMENTUM],
            "schedules": [{"id": "constant_lr"}],
            "lr": 1.8,
            "steps": 200,
            "clip": None,
        },
    ),
    Preset(
        id="lr-too-large",
        name="Too large an LR — stable, zig-zag, divergent",
        figure=None,
        summary=(
            "Gradient descent on a quadratic whose steepest curvature is L = 1 is stable only for η < 2/L = 2. Three "
            "constant LRs, no clipping: η = 0.5 glides in, η = 1.9 zig-zags across the bowl but still converges, η = "
            "2.1 overshoots by more each step and diverges (the run is stopped and marked diverged once it is far "
            "outside the window). With the reference's clipping to norm 1 the blow-up would be capped at η per step, "
            "which hides the instability instead of curing it."
        ),
        claims=(),
        scene={
            "surface": {"id": "quadratic", "params": {"condition": 10.0, "angle": 30.0}},
            "starts": [[-4.5, 2.0]],
            "optimizers": [_SGD],
            "schedules": [
                {"id": "constant_lr", "lr": 0.5},
                {"id": "constant_lr", "lr": 1.9},
                {"id": "constant_lr", "lr": 2.1},
            ],
            "lr": 0.5,
            "steps": 200,
            "clip": None,
        },
    ),
    Preset(
        id="warmup-steep-start",
        name="Warm-up tames a steep start",
        figure=None,
        summary=(
            "Himmelblau's surface from (4.5, 4.5), a steep corner, no clipping. Its curvature there is about 3 times "
            "that at the minimum (3, 2), so η0 = 0.02 is safe near the minimum but far too large at the start: "
            "constant_lr is thrown across the surface and never settles. The same η0 after a 50-step linear warm-up "
            "from η0/20 walks down the wall on small steps first (under 0.5) and then converges quickly (by step 43), "
            "far sooner than a small constant η = 0.002 that is safe everywhere (step 227). lwarmcosine_lr starts its "
            "warm-up at only η0/3: its first step still jumps about 3, but it lands near the minimum and converges by "
            "step 36. A warm-up must start low enough for the steepest ground it meets."
        ),
        claims=(),
        scene={
            "surface": {"id": "himmelblau"},
            "starts": [[4.5, 4.5]],
            "optimizers": [_SGD],
            "schedules": [
                {"id": "constant_lr"},
                {"id": "constant_lr", "warmup": {"kind": "linear", "steps": 50, "start_factor": 0.05}},
                {"id": "lwarmcosine_lr"},
                {"id": "constant_lr", "lr": 0.002},
            ],
            "lr": 0.02,
            "steps": 300,
            "clip": None,
        },
    ),
    Preset(
        id="adaptive-plateau",
        name="Adaptive methods on a plateau",
        figure=None,
        summary=(
            "The 2-D sigmoid from (6.5, 0), where the slope is about 0.0015, η = 0.1 for all. SGD moves η × slope per "
            "step and stays on the plateau; momentum only multiplies that by about 10. Adam and RMSprop divide the "
            "gradient by its own running size, so they move about η per step however flat the ground is: they cross "
            "the plateau, go down the slope and keep going on the flat bottom (cf. C13: on plateaus, the step size is "
            "what matters)."
        ),
        claims=("C13",),
        scene={
            "surface": {"id": "sigmoid"},
            "starts": [[6.5, 0.0]],
            "optimizers": [_SGD, _MOMENTUM, {"id": "adam"}, {"id": "rmsprop"}],
            "schedules": [{"id": "constant_lr"}],
            "lr": 0.1,
            "steps": 300,
            "clip": 1.0,
        },
    ),
    Preset(
        id="noise-breaks-symmetry",
        name="Gradient noise breaks a saddle's symmetry",
        figure=None,
        summary=(
            "The Fig. 3 saddle x² − y² from (−4, 0) with momentum 0.9, but with a little Gaussian noise (σ = 0.01) "
            "added to every gradient, as a mini-batch would. Exactly on y = 0 the noiseless run slides into the saddle "
            "(C9); here the noise nudges the path off the line and the saddle's negative curvature does the rest: "
            "constant_lr and cosine_lr escape down the y direction, while step_lr, whose LR has decayed by then, is "
            "still within 1 of the saddle at step 500."
        ),
        claims=("C9",),
        scene={
            "surface": {"id": "saddle"},
            "starts": [[-4.0, 0.0]],
            "optimizers": [_MOMENTUM],
            "schedules": [{"id": "constant_lr"}, {"id": "cosine_lr"}, {"id": "step_lr"}],
            "lr": 0.01,
            "steps": 500,
            "clip": 1.0,
            "noise": {"sigma": 0.01, "seed": 0},
        },
    ),
]

_NO_SCHEDULE_OPTIMIZERS: list[dict[str, Any]] = [
    {"id": "adamw"},
    {"id": "schedule_free_adamw"},
    {"id": "prodigy"},
    {"id": "dog"},
]
_COSINE_AND_CONSTANT: list[dict[str, Any]] = [{"id": "cosine_lr"}, {"id": "constant_lr"}]

# ----------------------------------------------------------------------------------------------------------
# Teaching presets of the methods of 2023–2025 (η0 chosen by hand to make the point; not from the paper)
# ----------------------------------------------------------------------------------------------------------
_PRESET_LIST += [
    Preset(
        id="no-schedule-rosenbrock",
        name="Do you still need a schedule? — Rosenbrock canyon",
        figure=None,
        summary=(
            "AdamW, schedule-free AdamW, Prodigy and DoG (the last two learning-rate-free), each with cosine_lr and "
            "with a constant LR, on the Fig. 5 canyon from (−2, 2.5), clipped to norm 1, 500 steps. A scene has one "
            "η0 for all: 0.05, a good one for AdamW here; for Prodigy and DoG it multiplies their own step-size "
            "estimate. On this canyon the schedule still helps every method: AdamW ends 0.03 from (1, 1) with "
            "cosine and 0.06 without, still rattling (its loss about 50 times higher); Prodigy with cosine ends "
            "closest of all (0.01), without it 0.18 away; schedule-free AdamW, whose drawn path is the average it "
            "returns, passes within 0.05 of the minimum but drifts on up the canyon floor and ends 0.3 away with "
            "cosine, 0.7 without; DoG has hardly moved: its first step is η0·10⁻⁶·(1 + ‖x₀‖) long "
            "(reps_rel = 10⁻⁶) and grows too slowly at this η0. The Arena tab gives each method its own η0."
        ),
        claims=(),
        scene={
            "surface": {"id": "rosenbrock"},
            "starts": [[-2.0, 2.5]],
            "optimizers": _NO_SCHEDULE_OPTIMIZERS,
            "schedules": _COSINE_AND_CONSTANT,
            "lr": 0.05,
            "steps": 500,
            "clip": 1.0,
        },
    ),
    Preset(
        id="no-schedule-peaks",
        name="Do you still need a schedule? — Peaks",
        figure=None,
        summary=(
            "The same four methods, each with cosine_lr and with a constant LR, on the paper's Peaks from (0.57, "
            "0.8), where the way to the global minimum at (0.2, −1.59) crosses a ridge (Fig. 6), η0 = 0.2 for all, "
            "clipped to norm 1. Here the schedule makes no difference: the escape happens in the first 100 steps, "
            "while cosine's LR is still close to η0. AdamW crosses the ridge with either schedule (within 0.05 of "
            "the global minimum by step 40). So does Prodigy, whose own step-size estimate grows from 10⁻⁶ to about "
            "1.5 in its first 50 steps: it circles the bowl in wide loops (its path over the first 100 steps is three "
            "times as long as AdamW's) before it settles, within 0.05 by step 61 with cosine and 79 without. "
            "Schedule-free AdamW settles in the local minimum near (0.566, 0.001), and DoG has hardly moved from the "
            "start."
        ),
        claims=(),
        scene={
            "surface": {"id": "peaks_ref"},
            "starts": [[0.57, 0.8]],
            "optimizers": _NO_SCHEDULE_OPTIMIZERS,
            "schedules": _COSINE_AND_CONSTANT,
            "lr": 0.2,
            "steps": 500,
            "clip": 1.0,
        },
    ),
    Preset(
        id="lion-sign-steps",
        name="Lion takes sign steps",
        figure=None,
        summary=(
            "Lion, signSGD and Adam on a bowl 10 times steeper across than along, tilted by 30°, η = 0.2, no "
            "clipping. Lion and signSGD step by the sign of a vector: every step moves x and y by exactly ±η, "
            "whatever the gradient's size, so their paths are chains of diagonal moves. A diagonal move cannot "
            "follow this tilted valley: at a constant LR both end up hopping back and forth between two points, "
            "signSGD 0.64 and Lion 0.41 from the minimum. Lion takes the sign of a momentum, which carries it on "
            "past the minimum along the valley (3.5 away after step 20) before it turns back. Adam's first steps "
            "are as long (m/√v ≈ ±1), but they shrink as the gradient does: it ends 0.07 from the minimum. A "
            "decaying LR (put cosine_lr in place of constant_lr) shrinks signSGD's hops until it ends within 0.001 "
            "of the minimum."
        ),
        claims=(),
        scene={
            "surface": {"id": "quadratic", "params": {"condition": 10.0, "angle": 30.0}},
            "starts": [[-4.5, 2.0]],
            "optimizers": [{"id": "lion"}, {"id": "sign_sgd"}, {"id": "adam"}],
            "schedules": [{"id": "constant_lr"}],
            "lr": 0.2,
            "steps": 100,
            "clip": None,
        },
    ),
    Preset(
        id="wsd-vs-cosine",
        name="WSD vs cosine: what the cooldown does",
        figure=None,
        summary=(
            "SGD on the Fig. 5 canyon (η0 = 0.37, clipped to norm 1) under constant_lr, wsd_lr (a 25-step warm-up, "
            "the full η0, then a cooldown to 0 over the last 20 % of the run, shaped 1 − √x) and cosine_lr. Watch "
            "the loss: from about step 150 to step 400 WSD, at the full η0, hops between two points on the canyon "
            "walls (loss 3.8 and 5.0), as constant_lr hops between its two (loss 1.4 and 9.8). The "
            "cooldown does in 100 steps what the constant phase could not: as the LR falls the hops shrink, the "
            "path drops onto the canyon floor and the loss falls about 15-fold, to 0.26. Cosine has been lowering "
            "its LR all along and walked the floor for longer: it ends closer to (1, 1), 0.33 against WSD's 0.92 "
            "(constant_lr: 1.15)."
        ),
        claims=(),
        scene=_paper_scene("rosenbrock", [[-2.0, 2.5]], [_SGD], 0.37)
        | {"schedules": [{"id": "constant_lr"}, {"id": "wsd_lr"}, {"id": "cosine_lr"}]},
    ),
    Preset(
        id="line-search-vs-fixed-lr",
        name="Line search vs a fixed LR",
        figure=None,
        summary=(
            "L-BFGS (a quasi-Newton direction from the last 10 gradients, its length found by a zoom line search on "
            "the surface) against SGD, each at η0 = 1 and at η0 = 0.001 (the second schedule's own η0), on the "
            "Rosenbrock canyon from (−2, 2.5), no clipping. The loss is drawn per gradient evaluation: a line "
            "search spends several per step. At η0 = 1 SGD's first step throws it out (diverged), while L-BFGS's "
            "line search picks its own step: it is within 0.05 of (1, 1) by step 43 and at the minimum (loss gap "
            "below 10⁻⁶) after 60 gradient evaluations. At η0 = 0.001 SGD is still 2.5 from (1, 1) after 300 "
            "evaluations; L-BFGS gets to the minimum too, but its line search spends about 8 evaluations a step "
            "growing a step 1,000 times too short: the gap falls below 10⁻⁶ only after about 1,300."
        ),
        claims=(),
        scene={
            "surface": {"id": "rosenbrock"},
            "starts": [[-2.0, 2.5]],
            "optimizers": [{"id": "lbfgs"}, _SGD],
            "schedules": [{"id": "constant_lr"}, {"id": "constant_lr", "lr": 0.001}],
            "lr": 1.0,
            "steps": 300,
            "clip": None,
        },
        loss_x_axis="gradient evaluations",
    ),
]

# Presets that train a network (presets/tasks.py), after the surfaces'; imported here, below Preset, which they use.
from presets.tasks import TASK_PRESETS  # noqa: E402

_PRESET_LIST += TASK_PRESETS
PRESETS: dict[str, Preset] = {preset.id: preset for preset in _PRESET_LIST}
DEFAULT_PRESET = "fig5-rosenbrock"


@functools.cache
def _preset_jsons() -> dict[str, str]:
    return {preset.build().to_json(): preset_id for preset_id, preset in reversed(PRESETS.items())}


def preset_of(scene: Scene) -> str | None:
    """The id of the preset whose scene ``scene`` is exactly (the first, if several are), or None."""
    return _preset_jsons().get(scene.to_json())


__all__ = ["DEFAULT_PRESET", "FIVE_SCHEDULES", "PRESETS", "Preset", "preset_of"]
