"""Presets that train a task (a network on data): Section 4.2 of the paper at this machine's scale, a toy surface
beside a real landscape, and sharp against flat minima. Plain data, as :mod:`presets`; their η0 come from
:mod:`presets.task_tune` (the surfaces' search recipe, on a network) unless a caption says it was set by hand.
Every caption's statement is checked by a run in tests/test_presets.py.
"""

from __future__ import annotations

from typing import Any

from presets import FIVE_SCHEDULES, Preset

MOMENTUM: dict[str, Any] = {"id": "momentum", "params": {"momentum": 0.9}}
SECTION_42_SCHEDULES = (*FIVE_SCHEDULES, "htd_lr", "ssgdr_lr")


def _sharp_flat(batch_size: int, lr: float) -> dict[str, Any]:
    return {
        "task": {"id": "digits_mlp", "params": {"batch_size": batch_size}},
        "seeds": [0, 1, 2],
        "optimizers": [{"id": "sgd"}],
        "schedules": [{"id": "constant_lr"}],
        "lr": lr,
        "steps": 2000,
    }


_SHARP_FLAT_SUMMARY = (
    "Plain SGD with a constant LR on the digits MLP, 2,000 steps, three seeds, η0 from the search recipe for this "
    "batch size. Open the landscape tab with the filter-normalised random plane: it is Li et al.'s picture of sharp "
    "and flat minima, and the numbers below come from it (the mean rise of the training loss one filter-normalised "
    "unit away from the final weights, along eight random directions, both ways)."
)

TASK_PRESETS: list[Preset] = [
    Preset(
        id="section-4-2-small",
        name="The paper's Section 4.2, small — digits MLP, seven schedules",
        figure=None,
        summary=(
            "The digits MLP (64-32-10, 2,410 weights) trained for 2,000 mini-batch steps of 32 with SGD + momentum "
            "0.9, three seeds, the paper's five schedules plus htd_lr and ssgdr_lr, all on the η0 the surfaces' "
            "search recipe picks for constant_lr (0.1). The paper's networks were 15,000 times larger and trained on "
            "CIFAR and ImageNet; python cli.py claims checks C15–C18 on this scene, over seeds and η0."
        ),
        paper_claims=(
            "The paper claims that every decaying schedule ends more accurate than constant_lr (C15), that the "
            "decaying schedules differ by about 1 % or less (C16), that constant_lr reaches a good accuracy fastest "
            "while ssgdr_lr and lwarmcosine_lr trade speed and accuracy well (C17), and that htd_lr ends best, "
            "cosine_lr nearly as well in about half the time (C18)."
        ),
        observed=(
            "At this scale every run fits all 1,347 training images (100 % training accuracy) within about 300 to "
            "500 steps, and after that the schedule hardly matters: the seven end between 96.7 % and 97.3 % test "
            "accuracy (mean of three seeds; one test image is 0.22 %). So C16 holds; C15 holds in part (step_lr, "
            "cosineclr_lr and lwarmcosine_lr end above constant_lr's 96.9 %, cosine_lr, htd_lr and ssgdr_lr just "
            "below); C17 in part (constant_lr is among the first at 90 % of its final accuracy, but only "
            "cosineclr_lr is on the speed-accuracy front); C18 in part (htd_lr ends level with cosine_lr, below "
            "cosineclr_lr and lwarmcosine_lr)."
        ),
        claims=("C15", "C16", "C17", "C18"),
        # η0: python -m presets.task_tune → grid best 0.10011, objective 0.0086521 (mean training loss after 200
        # constant-LR steps over seeds 0–2); rounded 0.1, objective 0.010160. From about 0.13 up the loss blows up.
        scene={
            "task": {"id": "digits_mlp"},
            "seeds": [0, 1, 2],
            "optimizers": [MOMENTUM],
            "schedules": [{"id": schedule} for schedule in SECTION_42_SCHEDULES],
            "lr": 0.1,
            "steps": 2000,
        },
    ),
    Preset(
        id="toy-vs-real-peaks",
        name="Toy surface vs real landscape (1 of 2) — Peaks",
        figure=None,
        summary=(
            "Momentum 0.9 and the five schedules on the reference's Peaks from (0.57, 0.8), η0 = 0.033 (set by hand: "
            "the setting where the schedules part ways). On a toy surface the schedule decides where a path ends: "
            "constant_lr and cosine_lr cross the ridge to the global minimum near (0.2, −1.59), while step_lr, "
            "cosineclr_lr and lwarmcosine_lr, whose LR is smaller when it counts, stay in the local minimum near "
            "(0.566, 0.001). Load the next preset for the same optimizer and schedules on a network."
        ),
        claims=(),
        scene={
            "surface": {"id": "peaks_ref"},
            "starts": [[0.57, 0.8]],
            "optimizers": [MOMENTUM],
            "schedules": [{"id": schedule} for schedule in FIVE_SCHEDULES],
            "lr": 0.033,
            "steps": 500,
            "clip": 1.0,
        },
    ),
    Preset(
        id="toy-vs-real-digits",
        name="Toy surface vs real landscape (2 of 2) — digits MLP",
        figure=None,
        summary=(
            "The same momentum 0.9 and five schedules on the digits MLP (seed 0, η0 = 0.1 from the search recipe, "
            "2,000 steps). Here no schedule gets trapped: all five fit the training set (100 % accuracy) and end "
            "between 96.8 % and 97.2 % test accuracy. The line from the initial to the final weights falls all the "
            "way, with no barrier to cross (Goodfellow et al.'s test); on the line between any two schedules' final "
            "weights the training accuracy stays 100 % and the loss below 0.003 (at most about 0.0002 above the higher "
            "end), so the five minima lie in one low valley; and the PCA plane of the five paths holds about 83 % of "
            "their movement. A 2,410-weight loss is not a 2-D surface with a ridge in it."
        ),
        claims=(),
        # η0: python -m presets.task_tune → grid best 0.10011 (seed 0 alone), objective 0.0062931; rounded 0.1, as the
        # Section 4.2 preset.
        scene={
            "task": {"id": "digits_mlp"},
            "seeds": [0],
            "optimizers": [MOMENTUM],
            "schedules": [{"id": schedule} for schedule in FIVE_SCHEDULES],
            "lr": 0.1,
            "steps": 2000,
        },
    ),
    Preset(
        id="sharp-flat-small-batch",
        name="Sharp vs flat (1 of 2) — small batch (4 examples)",
        figure=None,
        summary=(
            _SHARP_FLAT_SUMMARY
            + " With 4 examples per step (6 epochs), the loss rises by about 1.6 one unit away; the runs end at about "
            "97.2 % test accuracy. Compare the large batch (the next preset): its minima are a little sharper (about "
            "1.7), as Keskar et al. and Li et al. found on large networks, but at this scale it generalises no worse "
            "(about 97.5 %), so sharpness alone does not predict the test accuracy here."
        ),
        claims=(),
        # η0: python -m presets.task_tune → grid best 0.12363, objective 0.19630; rounded 0.12, objective 0.20258.
        scene=_sharp_flat(4, 0.12),
    ),
    Preset(
        id="sharp-flat-large-batch",
        name="Sharp vs flat (2 of 2) — large batch (1,024 examples)",
        figure=None,
        summary=(
            _SHARP_FLAT_SUMMARY
            + " With 1,024 examples per step (1,520 epochs), the loss rises by about 1.7 one unit away, against about "
            "1.6 for the small batch of the previous preset: a slightly sharper minimum. Yet the runs end at about "
            "97.5 % test accuracy, no worse than the small batch's 97.2 %: the generalisation gap of large batches "
            "that Keskar et al. report for large networks does not show at this scale."
        ),
        claims=(),
        # η0: python -m presets.task_tune → grid best 0.36788 (e^-1, the top of the range), objective 0.036523;
        # rounded 0.37, objective 0.036262.
        scene=_sharp_flat(1024, 0.37),
    ),
]
