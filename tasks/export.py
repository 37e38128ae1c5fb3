"""A trained task scene out to files: CSV (one row per run per recorded step) and JSON.

The CSV's columns are ``run,optimizer,schedule,seed,step,lr,train_loss,test_loss,train_acc,test_acc,status``:
``step`` is a recorded step (``0 … T``, :attr:`TrainResult.record_steps`), the losses and accuracies are those
of the weights after that many steps on the whole training and test sets, ``lr`` is the LR of step ``k`` (the
one that takes the weights from ``k`` to ``k + 1``; empty on the last row, as in the surfaces' CSV) and
``status`` is ``running`` or, from the step a run diverged on, ``diverged``. The JSON adds every step's LR and
mini-batch loss and accuracy, and the scene itself; the weights are not written (the Scene reproduces them).
Numbers are finite: divergence is a status.
"""

from __future__ import annotations

import io
import json
from typing import Any, TextIO

from tasks.trainer import DIVERGED, STATUS_NAMES, TrainResult

CSV_COLUMNS = (
    "run",
    "optimizer",
    "schedule",
    "seed",
    "step",
    "lr",
    "train_loss",
    "test_loss",
    "train_acc",
    "test_acc",
    "status",
)


def _number_format(result: TrainResult) -> str:
    dtype = getattr(result.scene, "dtype", None) or str(result.train_loss.dtype)
    return "%.17g" if dtype == "float64" else "%.9g"


def _quote(text: str) -> str:
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def status_at(result: TrainResult, run: int, step: int) -> str:
    """``running``, or ``diverged`` at and after the step the run diverged on."""
    diverged = int(result.status[run]) == DIVERGED and step >= int(result.status_step[run])
    return STATUS_NAMES[DIVERGED] if diverged else STATUS_NAMES[0]


def write_csv(result: TrainResult, out: TextIO) -> None:
    """One row per run per recorded step (see the module's docstring)."""
    fmt = _number_format(result)
    out.write(",".join(CSV_COLUMNS) + "\n")
    for run in result.runs:
        i = run.index
        prefix = f"{i},{_quote(run.optimizer)},{_quote(run.schedule)},{run.seed}"
        lines = []
        for r, step in enumerate(result.record_steps):
            step = int(step)
            lr = fmt % result.lr[i, step] if step < result.steps else ""
            values = ",".join(
                fmt % array[i, r]
                for array in (result.train_loss, result.test_loss, result.train_accuracy, result.test_accuracy)
            )
            lines.append(f"{prefix},{step},{lr},{values},{status_at(result, i, step)}\n")
        out.write("".join(lines))


def csv_text(result: TrainResult) -> str:
    buffer = io.StringIO()
    write_csv(result, buffer)
    return buffer.getvalue()


def to_dict(result: TrainResult) -> dict[str, Any]:
    """The scene, the recorded steps and every run's curves, JSON-ready."""
    runs = []
    for run in result.runs:
        i = run.index
        diverged = int(result.status[i]) == DIVERGED
        runs.append(
            {
                "run": i,
                "optimizer": run.optimizer,
                "schedule": run.schedule,
                "seed": run.seed,
                "status": result.status_name(i),
                "status_step": int(result.status_step[i]) if diverged else None,
                "train_loss": result.train_loss[i].tolist(),
                "test_loss": result.test_loss[i].tolist(),
                "train_accuracy": result.train_accuracy[i].tolist(),
                "test_accuracy": result.test_accuracy[i].tolist(),
                "grad_evals": result.grad_evals[i].tolist(),
                "lr": result.lr[i].tolist(),
                "batch_loss": result.batch_loss[i].tolist(),
                "batch_accuracy": result.batch_accuracy[i].tolist(),
            }
        )
    scene = None if result.scene is None else result.scene.to_dict()
    return {"scene": scene, "record_steps": result.record_steps.tolist(), "runs": runs}


def json_text(result: TrainResult) -> str:
    return json.dumps(to_dict(result), allow_nan=False)
