"""What an optimizer does with the learning rate it is given: step lengths, effective LR and its state.

For a step θ_{k+1} = θ_k + Δθ_k taken with learning rate η_k and (true, unclipped) gradient g_k:

.. math::

    s_k = \\|Δθ_k\\|, \\qquad \\frac{s_k}{η_k}\\ \\text{(step per unit LR)}, \\qquad
    η^{\\mathrm{eff}}_k = \\frac{\\|Δθ_k\\|}{\\|g_k\\|}\\ \\text{(effective LR)}

Plain SGD without clipping has η^eff_k = η_k and s_k/η_k = ‖g_k‖; clipping, momentum and adaptive
denominators (Adam, Yogi, AdaGrad, RMSprop…) make them differ, which is how a schedule's η_k can
matter less (or more) than its curve suggests (Liu & Zhang 2023, Section 4.1).
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import landscapes
import optimizers
from engine.simulate import Result
from figures import theme
from figures.paths import (
    MAX_POINTS_PER_CURVE,
    _layout,
    _legend_title,
    _positive,
    decimate,
    run_colors,
    short_labels,
)

MOMENT_NAMES = ("first_moment", "second_moment")
INTERNAL_TITLES = {
    "first_moment": "first moment m<sub>k</sub>",
    "second_moment": "second moment v<sub>k</sub>",
    "mean_squared_update": "E[Δθ²]<sub>k</sub>",
    "previous_squared_gradient": "g²<sub>k−1</sub>",
    "lr_factor": "LR factor",
    "slow_weights": "slow weights φ<sub>k</sub>",
    "lr_estimate": "own step size (learning-rate-free estimate; η<sub>k</sub> dotted)",
    "loss_lower_bound": "lower bound of the loss",
    "schedule_free_z": "base sequence z<sub>k</sub> (schedule-free)",
    "gradient_point": "gradient point y<sub>k</sub> (the path drawn is the average x<sub>k</sub>)",
    "hessian_estimate": "diagonal Hessian estimate h<sub>k</sub>",
    "slow_moment": "slow momentum m<sup>(2)</sup><sub>k</sub>",
    "gradient_difference": "gradient-difference average d<sub>k</sub>",
    "gradient_sum": "weighted gradient sum s<sub>k</sub>",
    "step_size_factor": "step size / η<sub>k</sub>",
}
_POSITIVE_INTERNALS = {
    "second_moment",
    "mean_squared_update",
    "previous_squared_gradient",
    "lr_estimate",
    "step_size_factor",
}  # log axes


class StepSizes(NamedTuple):
    """Per-step quantities ``[B, T]`` (step ``k`` goes from position ``k`` to ``k + 1``); NaN where undefined."""

    length: np.ndarray  # ‖Δθ_k‖
    per_lr: np.ndarray  # ‖Δθ_k‖ / η_k
    effective_lr: np.ndarray  # ‖Δθ_k‖ / ‖g_k‖
    grad_norm: np.ndarray  # ‖g_k‖, the true gradient before noise and clipping


def step_sizes(result: Result) -> StepSizes:
    """Step lengths, step per unit LR and effective LR of every run at every step."""
    moves = np.diff(np.asarray(result.positions, np.float64), axis=1)  # [B, T, 2]
    length = np.linalg.norm(moves, axis=-1)
    lr = np.asarray(result.lr, np.float64)
    grad = np.asarray(result.grad_norm[:, :-1], np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_lr = np.where(lr > 0, length / lr, np.nan)
        effective = np.where(grad > 0, length / grad, np.nan)
    return StepSizes(length, per_lr, effective, grad)


def used_internals(result: Result, run_index: int) -> tuple[str, ...]:
    """The internals the run's optimizer keeps (``()`` for plain SGD), whether or not they were recorded."""
    label = result.runs[run_index]
    spec = result.scene.optimizers[label.optimizer_index]
    transform = optimizers.make(
        spec.id,
        1e-3,
        spec.params,
        total_steps=result.scene.steps,
        inner_id=spec.inner.id if spec.inner is not None else None,
        inner_hyper=spec.inner.params if spec.inner is not None else None,
        bias_mask=jnp.asarray(landscapes.SURFACES[result.scene.surface.id].bias_coords, bool),
    )
    params = (jnp.zeros(()), jnp.zeros(()))
    return tuple(optimizers.inspect(transform.init(params), params))


def internals_figure(result: Result, run_index: int, *, height: int | None = None) -> go.Figure:
    """What one run's optimizer does with its LR, step by step, in stacked panels sharing the step axis.

    Panels: (1) ‖Δθ_k‖/η_k with ‖g_k‖ for reference, (2) ‖Δθ_k‖ with η_k, (3) the first moment and
    (4) the second moment per coordinate (x solid, y dashed), then any other internal the optimizer
    keeps (Lookahead's slow weights, AdaDelta's E[Δθ²], AdaDec's g²_{k−1}, AdaMix's LR factor).
    A moment the optimizer does not keep, or that was not recorded (``run(scene, inspect=True)``),
    gets an annotation saying so instead of a curve.
    """
    if not 0 <= run_index < result.num_runs:
        raise ValueError(f"run_index must be in [0, {result.num_runs}), got {run_index=}")
    color = run_colors(result)[run_index]
    label = short_labels(result)[run_index]
    sizes = step_sizes(result)
    used = used_internals(result, run_index)
    extra = [name for name in used if name not in MOMENT_NAMES]
    panels = ["step per unit LR", "step length", *MOMENT_NAMES, *extra]
    titles = [
        "‖Δθ<sub>k</sub>‖ / η<sub>k</sub>  (‖g<sub>k</sub>‖ dotted)",
        "‖Δθ<sub>k</sub>‖  (η<sub>k</sub> dotted)",
        *(
            INTERNAL_TITLES.get(name, name) + ("" if name in optimizers.SCALAR_INTERNALS else "  (x solid, y dashed)")
            for name in (*MOMENT_NAMES, *extra)
        ),
    ]
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.045,
        subplot_titles=titles,
        figure=go.Figure(layout={"template": theme.TEMPLATE}),
    )

    def line(row: int, y: np.ndarray, name: str, dash: str = "solid", width: float = 2.2, shade: str = color) -> None:
        keep = decimate(len(y), MAX_POINTS_PER_CURVE)  # per-step series have T entries, internals T + 1
        fig.add_trace(
            go.Scatter(
                x=keep,
                y=y[keep],
                mode="lines",
                name=name,
                line={"color": shade, "width": width, "dash": dash},
                hovertemplate="k=%{x}<br>%{y:.4g}<extra>" + name + "</extra>",
            ),
            row=row,
            col=1,
        )

    line(1, _positive(sizes.per_lr[run_index]), "‖Δθ‖/η")
    line(1, _positive(sizes.grad_norm[run_index]), "‖g‖", dash="dot", width=1.5, shade="#555555")
    line(2, _positive(sizes.length[run_index]), "‖Δθ‖")
    line(2, _positive(result.lr[run_index]), "η", dash="dot", width=1.5, shade="#555555")
    optimizer = result.runs[run_index].optimizer
    last_step = result.positions.shape[1] - 1
    for row, name in enumerate((*MOMENT_NAMES, *extra), start=3):
        if name not in used:
            _note(fig, row, f"not used by this optimizer ({optimizer})", last_step)
        elif name not in result.internals:
            _note(fig, row, "not recorded: run the scene with inspect=True", last_step)
        else:
            values = np.asarray(result.internals[name][run_index], np.float64)  # [T + 1, 2]
            positive = name in _POSITIVE_INTERNALS
            scalar = name in optimizers.SCALAR_INTERNALS  # one number per step, stored for both coordinates
            for coord, dash in ((0, "solid"),) if scalar else ((0, "solid"), (1, "dash")):
                series = _positive(values[:, coord]) if positive else values[:, coord]
                line(row, series, name if scalar else f"{name} ({'xy'[coord]})", dash=dash)
            if name == "lr_estimate":  # beside the schedule's LR it multiplies
                line(row, _positive(result.lr[run_index]), "η", dash="dot", width=1.5, shade="#555555")
            if positive:
                fig.update_yaxes(type="log", row=row, col=1)
    for row in (1, 2):
        fig.update_yaxes(type="log", exponentformat="power", row=row, col=1)
    fig.update_xaxes(range=[0, max(1, last_step)])  # fixed: every panel shows steps 0 … T
    fig.update_xaxes(title={"text": "step k"}, row=len(panels), col=1)
    fig.update_yaxes(title={"text": "‖Δθ‖/η"}, row=1, col=1)
    fig.update_yaxes(title={"text": "‖Δθ‖"}, row=2, col=1)
    for row, name in enumerate((*MOMENT_NAMES, *extra), start=3):
        fig.update_yaxes(title={"text": {"first_moment": "m", "second_moment": "v"}.get(name, "value")}, row=row, col=1)
    fig.update_layout(
        _layout(
            f"Optimizer internals: {label}",
            height or 190 * len(panels) + 90,
            show_legend=False,
            **theme.axes(len(panels), "xaxis"),
            **theme.axes(len(panels), "yaxis"),
        ),
        margin={"l": 80, "r": 10, "t": 70, "b": 50},
    )
    fig.update_annotations(font={"size": 14})
    return fig


def _note(fig: go.Figure, row: int, text: str, last_step: int) -> None:
    """Says in an empty panel why it is empty; a transparent line keeps the panel drawn on the shared axis."""
    fig.add_trace(
        go.Scatter(
            x=[0, last_step],
            y=[0, 0],
            mode="lines",
            line={"color": "rgba(0,0,0,0)"},
            hoverinfo="skip",
            showlegend=False,
            name="",
        ),
        row=row,
        col=1,
    )
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, row=row, col=1)
    fig.add_annotation(
        text=text,
        x=0.5,
        y=0.5,
        xref="x domain",
        yref="y domain",
        row=row,
        col=1,
        showarrow=False,
        font={"size": 14, "color": "#666666"},
    )


def effective_lr_figure(
    result: Result, *, log_y: bool = True, show_lr: bool = True, height: int = 380, legend: bool = True
) -> go.Figure:
    """The effective LR ‖Δθ_k‖/‖g_k‖ of every run (solid), with its scheduled η_k (dotted) to compare.

    Traces: one per run, then (``show_lr``) one η_k curve per run in the same colour.
    """
    colors = run_colors(result)
    labels = short_labels(result)
    sizes = step_sizes(result)
    steps = np.arange(sizes.length.shape[1])
    keep = decimate(len(steps), MAX_POINTS_PER_CURVE)
    effective = _positive(sizes.effective_lr) if log_y else sizes.effective_lr
    data = []
    for i in range(result.num_runs):
        data.append(
            go.Scatter(
                x=steps[keep],
                y=effective[i, keep],
                mode="lines",
                line={"color": colors[i], "width": 2.2},
                name=labels[i],
                legendgroup=str(i),
                hovertemplate="k=%{x}<br>η_eff=%{y:.4g}<extra>" + labels[i] + "</extra>",
            )
        )
    if show_lr:
        for i in range(result.num_runs):
            data.append(
                go.Scatter(
                    x=steps[keep],
                    y=result.lr[i, keep],
                    mode="lines",
                    name=f"η (scheduled), {labels[i]}",
                    line={"color": colors[i], "width": 1.3, "dash": "dot"},
                    legendgroup=str(i),
                    showlegend=False,
                    hovertemplate="k=%{x}<br>η=%{y:.4g}<extra>" + labels[i] + "</extra>",
                )
            )
    layout = _layout(
        "Effective learning rate ‖Δθ<sub>k</sub>‖ / ‖g<sub>k</sub>‖ (dotted: scheduled η<sub>k</sub>)",
        height,
        _legend_title(result),
        show_legend=legend,
        margin={"l": 70, "r": 10, "t": 45, "b": 50},
        xaxis={"title": {"text": "step k"}, "range": [0, max(1, len(steps) - 1)]},
        yaxis={
            "title": {"text": "η<sup>eff</sup><sub>k</sub>"},
            "type": "log" if log_y else "linear",
            "exponentformat": "power",
        },
    )
    return go.Figure(data=data, layout=layout)
