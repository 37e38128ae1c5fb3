"""Trajectories out of a Result: CSV (one row per trajectory per step) and JSON."""

from __future__ import annotations

import io
import json
from typing import Any, TextIO

import numpy as np

from engine.simulate import STATUS_NAMES, Result

CSV_COLUMNS = (
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
    "grad_evals",  # cumulative gradient evaluations to reach the step's point (last: older readers keep working)
)


def _number_format(result: Result) -> str:
    # Enough digits to round-trip the dtype exactly, and no more.
    return "%.17g" if result.scene.dtype == "float64" else "%.9g"


def write_csv(result: Result, out: TextIO) -> None:
    """One row per trajectory per step; step 0 is the start; row k's LR takes step k to k + 1."""
    fmt = _number_format(result)
    out.write(",".join(CSV_COLUMNS) + "\n")
    steps = result.positions.shape[1]
    step_column = np.arange(steps)
    for label in result.runs:
        i = label.index
        origin = f"{fmt % label.origin[0]},{fmt % label.origin[1]}"
        prefix = f"{i},{_quote(label.optimizer)},{_quote(label.schedule)},{origin}"
        lr = [fmt % v for v in result.lr[i]] + [""]
        xs = [fmt % v for v in result.positions[i, :, 0]]
        ys = [fmt % v for v in result.positions[i, :, 1]]
        losses = [fmt % v for v in result.loss[i]]
        evals = result.grad_evals[i].tolist()
        code, change = int(result.status[i]), int(result.status_step[i])
        final_name = STATUS_NAMES[code]
        lines = []
        for k in step_column:
            status = final_name if code and k >= change else "running"
            lines.append(f"{prefix},{k},{xs[k]},{ys[k]},{losses[k]},{lr[k]},{status},{evals[k]}\n")
        out.write("".join(lines))


def csv_text(result: Result) -> str:
    buffer = io.StringIO()
    write_csv(result, buffer)
    return buffer.getvalue()


def _quote(text: str) -> str:
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def to_dict(result: Result) -> dict[str, Any]:
    """The scene and every trajectory, JSON-ready (finite numbers only: divergence is a status)."""
    runs = []
    for label in result.runs:
        i = label.index
        runs.append(
            {
                "run": i,
                "optimizer": label.optimizer,
                "schedule": label.schedule,
                "start": list(label.origin),
                "status": result.status_name(i),
                "status_step": int(result.status_step[i]) if result.status[i] else None,
                "x": result.positions[i, :, 0].tolist(),
                "y": result.positions[i, :, 1].tolist(),
                "loss": result.loss[i].tolist(),
                "lr": result.lr[i].tolist(),
                "grad_norm": result.grad_norm[i].tolist(),
                "grad_evals": result.grad_evals[i].tolist(),
            }
        )
    return {"scene": result.scene.to_dict(), "runs": runs}


def json_text(result: Result) -> str:
    return json.dumps(to_dict(result), allow_nan=False)
