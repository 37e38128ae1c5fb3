"""Section 4.2's claims (C15–C18) on the digits MLP: the criteria on hand-made curves, then the live check."""

import json
import math

import numpy as np
import pytest

import cli
from analysis import claims as surface_claims
from analysis import task_claims
from analysis.claims import FAILS, HOLDS, PART
from analysis.task_claims import TASK_CLAIMS, Curves, pareto_front
from figures.tasks import task_claim_figure
from presets import PRESETS

STEPS = np.arange(0, 101, 10)  # 11 records


def _curves(**finals_and_shapes):
    """Curves that rise linearly to 90 % of their final value by ``reach`` and then reach it at the end."""
    accuracy = {}
    for name, (final, reach) in finals_and_shapes.items():
        curve = np.interp(STEPS, [0, reach, 100], [0.1, 0.9 * final, final])
        accuracy[name] = curve
    return Curves(STEPS, accuracy, resolution=1 / 450)


BASE = {
    "constant_lr": (0.960, 20),
    "step_lr": (0.970, 40),
    "cosine_lr": (0.972, 30),
    "cosineclr_lr": (0.968, 30),
    "lwarmcosine_lr": (0.971, 30),
    "htd_lr": (0.975, 60),
    "ssgdr_lr": (0.969, 30),
}


def test_c15_counts_the_decaying_schedules_that_beat_constant():
    assert TASK_CLAIMS["C15"].criterion(_curves(**BASE)).verdict == HOLDS
    some = _curves(**{**BASE, "constant_lr": (0.970, 20)})  # ties with step_lr: not more accurate
    outcome = TASK_CLAIMS["C15"].criterion(some)
    assert outcome.verdict == PART and "✗ step_lr 97.0 %" in outcome.reason
    assert TASK_CLAIMS["C15"].criterion(_curves(**{**BASE, "constant_lr": (0.99, 20)})).verdict == FAILS


@pytest.mark.parametrize(("worst", "verdict"), [(0.966, HOLDS), (0.958, PART), (0.94, FAILS)])
def test_c16_judges_the_spread_of_the_decaying_schedules(worst, verdict):
    outcome = TASK_CLAIMS["C16"].criterion(_curves(**{**BASE, "ssgdr_lr": (worst, 30)}))
    assert outcome.verdict == verdict
    assert outcome.metrics["spread"] == pytest.approx(0.975 - worst)


def _steps_to(**finals_and_times):
    """Curves at half their final accuracy until step ``at``, then at it."""
    accuracy = {name: np.where(STEPS >= at, final, 0.5 * final) for name, (final, at) in finals_and_times.items()}
    return Curves(STEPS, accuracy, resolution=1 / 450)


def test_c17_needs_constant_fastest_and_both_constant_then_cosine_schedules_on_the_front():
    shapes = {
        "constant_lr": (0.950, 10),  # the first at 90 % of its own final, but never at 99 % of the best (0.966)
        "step_lr": (0.970, 50),
        "cosine_lr": (0.972, 40),  # beaten by ssgdr_lr: later and less accurate
        "cosineclr_lr": (0.968, 60),
        "lwarmcosine_lr": (0.976, 60),  # the most accurate: on the front
        "htd_lr": (0.975, 80),
        "ssgdr_lr": (0.974, 30),  # the first at 0.966: on the front
    }
    outcome = TASK_CLAIMS["C17"].criterion(_steps_to(**shapes))
    assert outcome.verdict == HOLDS, outcome.reason
    assert "Pareto front: lwarmcosine_lr, ssgdr_lr" in outcome.reason
    assert outcome.metrics["t90_constant_lr"] == 10 and math.isinf(outcome.metrics["t_good_constant_lr"])
    shapes["lwarmcosine_lr"] = (0.973, 60)  # now later and less accurate than ssgdr_lr
    assert TASK_CLAIMS["C17"].criterion(_steps_to(**shapes)).verdict == PART
    shapes["constant_lr"] = (0.950, 40)  # no longer the first: ssgdr_lr is at 90 % of its final at step 30
    assert TASK_CLAIMS["C17"].criterion(_steps_to(**shapes)).verdict == PART  # ssgdr_lr is still on the front
    shapes["cosine_lr"] = (0.975, 30)  # as early as ssgdr_lr and more accurate
    assert TASK_CLAIMS["C17"].criterion(_steps_to(**shapes)).verdict == FAILS


def test_c18_best_htd_near_cosine_in_half_the_time():
    curves = _curves(**BASE)
    # time to best: within one test example of the maximum, which the linear rise reaches at step 100 for all
    outcome = TASK_CLAIMS["C18"].criterion(curves)
    assert outcome.verdict == PART and outcome.metrics["time_ratio"] == pytest.approx(1.0)
    early = dict(curves.accuracy)
    early["cosine_lr"] = np.minimum(np.interp(STEPS, [0, 40, 100], [0.1, 0.972, 0.972]), 0.972)
    outcome = TASK_CLAIMS["C18"].criterion(Curves(STEPS, early, 1 / 450))
    assert outcome.verdict == HOLDS and outcome.metrics["time_ratio"] == pytest.approx(0.4)


def test_pareto_front():
    points = {"a": (10.0, 0.9), "b": (20.0, 0.95), "c": (20.0, 0.9), "d": (math.inf, 0.99), "e": (10.0, 0.9)}
    assert pareto_front(points) == {"a", "b", "d", "e"}  # c is beaten by a (faster, as accurate); a and e tie


@pytest.fixture(scope="module")
def verdicts():
    return task_claims.check_all()


def test_the_claims_are_checked_on_the_section_4_2_preset(verdicts):
    scene = task_claims.claims_scene()
    assert scene == PRESETS["section-4-2-small"].build()
    assert [v.id for v in verdicts] == ["C15", "C16", "C17", "C18"]
    result = verdicts[0].evidence
    assert result.num_runs == len(scene.schedules) * len(task_claims.FACTORS) * len(scene.seeds)
    for verdict in verdicts:
        assert verdict.verdict in (HOLDS, PART, FAILS)
        assert len(verdict.verdicts) == len(task_claims.FACTORS) * len(scene.seeds)
        assert verdict.robustness == pytest.approx(np.mean([v == HOLDS for v in verdict.verdicts]))
        assert verdict.reason.endswith(task_claims.SCALE_SUFFIX)
        assert verdict.claim.criterion(verdict.curves).verdict == verdict.verdict
        np.testing.assert_allclose(verdict.lrs, scene.lr * np.array(task_claims.FACTORS))
        assert set(verdict.finals) == {spec.id for spec in scene.schedules}
        fig = task_claim_figure(verdict)
        assert len(fig.data) == 2 * len(scene.schedules) and fig.layout.xaxis2.type == "log"
    rows = task_claims.claims_table(verdicts)
    assert [row["id"] for row in rows] == ["C15", "C16", "C17", "C18"]
    assert all(row["figure"] == "§4.2 (digits MLP)" for row in rows)


def test_the_verdicts_are_those_the_preset_s_caption_states(verdicts):
    # The caption of "The paper's Section 4.2, small" (tests/test_presets.py checks it on a run of its own).
    assert {v.id: v.verdict for v in verdicts} == {"C15": PART, "C16": HOLDS, "C17": PART, "C18": PART}


def test_the_command_line_prints_section_4_2_after_section_4_1(verdicts, capsys):
    assert cli.main(["claims", "--claim", "C16", "--claim", "C5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["C5", "C16"]
    c5 = surface_claims.claims_table(surface_claims.check_all(["C5"]))[0]
    assert lines[0] == f"{c5['id']}\t{c5['verdict']}\t{c5['robustness']:.2f}\t{c5['claim']}\t{c5['reason']}"
    assert lines[1].split("\t")[1] == verdicts[1].verdict
    assert cli.main(["claims", "--claim", "c18", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["id"] == "C18" and row["verdict"] == verdicts[3].verdict
    assert cli.main(["claims", "--claim", "C19"]) == 2
    assert "known: C1, C2" in capsys.readouterr().err
