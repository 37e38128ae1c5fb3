"""Figures of the sweeps and claims: pure functions of their data, Plotly only, template passed explicitly.

Maps (basins, hyperparameter maps) carry an invisible scatter grid whose points hold ``customdata =
[i, j]``: a click on the chart (``st.plotly_chart(..., on_select="rerun", selection_mode="points")``)
returns the cell, and :func:`analysis.basins.start_at` / :func:`analysis.hparams.setting_at` turn it into
a start point or a setting.
"""

from __future__ import annotations

import math
import re

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import landscapes
import optimizers as optimizer_registry
import schedules as schedule_registry
from analysis.basins import Basins
from analysis.claims import FAILS, HOLDS, PART, Verdict, distances
from analysis.hparams import HParamMap, parse_path
from analysis.lrsearch import LRSearch
from analysis.outcomes import DIVERGED, MOVING, SADDLE, STALLED, landmarks
from engine.scene import Scene
from engine.simulate import Result
from figures import theme

TEMPLATE = theme.TEMPLATE  # the look is plotly_white, applied by figures.theme (see _themed)
# Okabe–Ito / Tol colours (as the app's), without black and yellow, which mean "diverged" and "saddle" here.
SERIES = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#332288",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#117733",
)
OTHER_COLORS = {DIVERGED: "#000000", MOVING: "#D9D9D9", SADDLE: "#F0E442", STALLED: "#8C8C8C"}
VERDICT_COLORS = {HOLDS: "#009E73", PART: "#E69F00", FAILS: "#D55E00"}
MAX_CLICK_SIDE = 64  # clickable points per side of a map (a 256×256 map gets every 4th cell)


SHORT_OBJECTIVES = {
    "distance2": "squared final distance to the minimum",
    "final_loss": "final loss",
    "steps_to_tol": "steps to converge at a minimum",
}


def _themed(fig: go.Figure, **layout) -> None:
    """Gives ``fig`` the look of :mod:`figures.theme` on every axis it has, then ``layout``."""
    count_x = max(1, sum(1 for _ in fig.select_xaxes()))
    count_y = max(1, sum(1 for _ in fig.select_yaxes()))
    themed = theme.layout(
        **theme.axes(count_x, "xaxis"), **theme.axes(count_y, "yaxis"), coloraxis={"colorbar": theme.COLORBAR}
    )
    fig.update_layout(themed, **layout)


def _series(k: int) -> str:
    return SERIES[k % len(SERIES)]


# --- Readable names -------------------------------------------------------------------------------------------

LR_NAME = "η0 (base learning rate)"
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ",
    "sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
}  # fmt: skip
_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|(.))")


def symbol_text(latex: str) -> str:
    """A spec's LaTeX symbol as Plotly text: ``\\eta_{\\min}`` → ``η<sub>min</sub>``, ``\\mu`` → ``μ``."""
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m[1], m[1]), latex)

    def script(match: re.Match) -> str:
        tag = "sub" if match[1] == "_" else "sup"
        return f"<{tag}>{match[2] if match[2] is not None else match[3]}</{tag}>"

    return _SCRIPT.sub(script, text)


def surface_name(scene: Scene) -> str:
    """The scene's surface as the page names it, e.g. ``Peaks (the paper's variant)`` (its id if unknown)."""
    surface = landscapes.SURFACES.get(scene.surface.id)
    return surface.name if surface is not None else scene.surface.id


def setting_parts(scene: Scene, path: str) -> tuple[str, str]:
    """A hyperparameter path (see :mod:`analysis.hparams`) as ``(name, owner)`` in words.

    ``name`` is the parameter with its symbol (``momentum μ``; ``η0 (base learning rate)`` for an LR);
    ``owner`` the optimizer or schedule it belongs to, numbered from 1 and named as on the page
    (``optimizer 1 (SGD + momentum)``), or ``""`` for ``lr``, which is every schedule's.
    Raises :class:`engine.scene.SceneError` if ``path`` names nothing in ``scene``.
    """
    parsed = parse_path(scene, path)
    if parsed.kind == "lr":
        return LR_NAME, ""
    if parsed.kind in ("schedule_lr", "schedule"):
        entry = schedule_registry.SCHEDULES[scene.schedules[parsed.index].id]
        owner = f"schedule {parsed.index + 1} ({entry.name})"
    else:
        spec = scene.optimizers[parsed.index]
        entry = optimizer_registry.OPTIMIZERS[spec.id]
        name = entry.name
        if parsed.kind == "inner":
            name = f"{optimizer_registry.OPTIMIZERS[spec.inner.id].name} in {entry.name}"
        owner = f"optimizer {parsed.index + 1} ({name})"
    if parsed.kind == "schedule_lr":
        return LR_NAME, owner
    words = parsed.name.replace("_", " ")
    symbol = symbol_text(getattr(parsed.spec, "symbol", "") or "")
    plain = re.sub(r"</?su[bp]>", "", symbol)
    return (f"{words} {symbol}" if symbol and plain != words else words), owner


def setting_label(scene: Scene, path: str) -> str:
    """A hyperparameter path in words, e.g. ``optimizers.0.params.momentum`` →
    ``momentum μ — optimizer 1 (SGD + momentum)`` and ``lr`` → ``η0 (base learning rate)``."""
    name, owner = setting_parts(scene, path)
    return f"{name} — {owner}" if owner else name


# --- LR search ---------------------------------------------------------------------------------------------


def lr_search_figure(search: LRSearch) -> go.Figure:
    """The sensitivity curve: the search objective against η0 for each schedule, the chosen η0 marked."""
    fig = go.Figure(layout={"template": TEMPLATE})
    positive = np.isfinite(search.objective) & (search.objective > 0)
    log_y = search.objective_name != "steps_to_tol" and bool(positive.any())
    for k, label in enumerate(search.schedule_labels):
        values = search.objective[k]
        shown = np.where(np.isfinite(values) & (values > 0 if log_y else True), values, np.nan)
        fig.add_trace(
            go.Scatter(
                x=search.candidates,
                y=shown,
                mode="lines",
                name=label,
                line=dict(color=_series(k), width=1.5),
                legendgroup=label,
                hovertemplate="η0 %{x:.4g}<br>objective %{y:.4g}<extra>" + label + "</extra>",
            )
        )
        chosen = search.chosen[k]
        if math.isfinite(chosen):
            at = int(np.argmin(np.abs(search.candidates - chosen)))
            fig.add_trace(
                go.Scatter(
                    x=[chosen],
                    y=[shown[at]],
                    mode="markers",
                    marker=dict(symbol="star", size=13, color=_series(k), line=dict(color="white", width=1)),
                    name=f"{label}: η0 = {chosen:.3g}",
                    legendgroup=label,
                    showlegend=False,
                    hovertemplate=f"chosen η0 {chosen:.4g}<extra>{label}</extra>",
                )
            )
    if search.mode == "shared" and math.isfinite(search.chosen[0]):
        fig.add_vline(x=search.chosen[0], line=dict(color="#555555", dash="dash", width=1))
    diverged = ~np.isfinite(search.objective).any(axis=0)
    if diverged.any():
        fig.add_vrect(
            x0=search.candidates[diverged].min(),
            x1=search.candidates[-1],
            fillcolor="#D55E00",
            opacity=0.07,
            line_width=0,
            annotation_text="every run diverges",
            annotation_position="top left",
        )
    chosen_text = (
        f"shared η0 = {search.chosen[0]:.3g} (constant_lr's best)" if search.mode == "shared" else "η0 per schedule"
    )
    _themed(
        fig,
        title=dict(text=f"LR search: {search.candidates.size} candidates × {search.steps} steps — {chosen_text}"),
        xaxis=dict(title="base learning rate η0", type="log"),
        yaxis=dict(title=SHORT_OBJECTIVES[search.objective_name], type="log" if log_y else "linear"),
        legend=dict(orientation="h", y=-0.2),
        margin=dict(l=60, r=20, t=60, b=40),
    )
    return fig


# --- Maps ------------------------------------------------------------------------------------------------------


def _click_grid(xs: np.ndarray, ys: np.ndarray, col: int) -> go.Scatter:
    step_x = max(1, math.ceil(len(xs) / MAX_CLICK_SIDE))
    step_y = max(1, math.ceil(len(ys) / MAX_CLICK_SIDE))
    jj, ii = np.meshgrid(np.arange(0, len(xs), step_x), np.arange(0, len(ys), step_y))
    return go.Scatter(
        x=np.asarray(xs)[jj.ravel()],
        y=np.asarray(ys)[ii.ravel()],
        customdata=np.stack([ii.ravel(), jj.ravel()], axis=1),
        mode="markers",
        marker=dict(size=8, opacity=0),
        hoverinfo="none",
        showlegend=False,
        name=f"cells {col}",
    )


def _categorical(categories: dict[int, str]) -> tuple[list[int], list[str], list]:
    """Codes in display order (minimizers first), their colours, and a stepped colourscale over their indices."""
    codes = sorted(c for c in categories if c >= 0) + [
        c for c in (DIVERGED, MOVING, SADDLE, STALLED) if c in categories
    ]
    colors = [_series(c) if c >= 0 else OTHER_COLORS[c] for c in codes]
    n = len(codes)
    scale = []
    for k, color in enumerate(colors):
        scale += [[k / n, color], [(k + 1) / n, color]]
    return codes, colors, scale


def _mark_points(fig: go.Figure, minimizers: np.ndarray, saddles: np.ndarray, col: int) -> None:
    for points, symbol, name in ((minimizers, "x", "known minimizer"), (saddles, "diamond", "known saddle")):
        if len(points):
            fig.add_trace(
                go.Scatter(
                    x=points[:, 0],
                    y=points[:, 1],
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    showlegend=col == 1,
                    marker=dict(symbol=symbol, size=9, color="white", line=dict(color="#333333", width=1.5)),
                    hovertemplate=name + " (%{x:.3g}, %{y:.3g})<extra></extra>",
                ),
                row=1,
                col=col,
            )


def panel_titles(scene: Scene, pairs: tuple[tuple[int, int], ...]) -> list[str]:
    """Short panel titles: only what differs between the panels (the schedule, the optimizer, or both)."""
    optimizers = {o for o, _ in pairs}
    schedules_ = {s for _, s in pairs}
    titles = []
    for o, s in pairs:
        parts = []
        if len(optimizers) > 1 or len(schedules_) == 1:
            parts.append(scene.optimizers[o].label)
        if len(schedules_) > 1 or len(optimizers) == 1:
            parts.append(scene.schedules[s].label)
        titles.append(" · ".join(dict.fromkeys(parts)))
    return titles


def _panels(titles: list[str], shared_x: bool = True) -> go.Figure:
    return make_subplots(
        rows=1,
        cols=len(titles),
        subplot_titles=titles,
        shared_yaxes=True,
        shared_xaxes=shared_x,
        horizontal_spacing=min(0.04, 0.3 / max(1, len(titles))),
        figure=go.Figure(layout={"template": TEMPLATE}),
    )


def basins_figure(basins: Basins, kind: str = "outcome") -> go.Figure:
    """Side-by-side maps, one per (optimizer, schedule) pair: ``kind="outcome"`` (where each start ends up,
    a categorical legend) or ``kind="steps"`` (steps to converge, one colour scale; blank: did not converge)."""
    if kind not in ("outcome", "steps"):
        raise ValueError(f"kind must be 'outcome' or 'steps', got {kind=}")
    fig = _panels(panel_titles(basins.scene, basins.pairs))
    codes, colors, scale = _categorical(basins.categories)
    index_of = {code: k for k, code in enumerate(codes)}
    finite_steps = basins.steps[np.isfinite(basins.steps)]
    for p in range(len(basins.pairs)):
        col = p + 1
        if kind == "outcome":
            z = np.vectorize(index_of.get)(basins.outcome[p])
            names = np.asarray([basins.categories[c] for c in codes], dtype=object)[z]
            fig.add_trace(
                go.Heatmap(
                    x=basins.xs,
                    y=basins.ys,
                    z=z,
                    zmin=-0.5,
                    zmax=len(codes) - 0.5,
                    colorscale=scale,
                    showscale=False,
                    customdata=names,
                    hovertemplate="start (%{x:.3g}, %{y:.3g})<br>%{customdata}<extra></extra>",
                ),
                row=1,
                col=col,
            )
        else:
            fig.add_trace(
                go.Heatmap(
                    x=basins.xs,
                    y=basins.ys,
                    z=basins.steps[p],
                    coloraxis="coloraxis",
                    hovertemplate="start (%{x:.3g}, %{y:.3g})<br>converged at step %{z:.0f}<extra></extra>",
                ),
                row=1,
                col=col,
            )
        _mark_points(fig, basins.marks.minimizers, basins.marks.saddles, col)
        fig.add_trace(_click_grid(basins.xs, basins.ys, col), row=1, col=col)
    if kind == "outcome":
        present = set(np.unique(basins.outcome).tolist())
        for code, color in zip(codes, colors, strict=True):
            if code in present:
                fig.add_trace(
                    go.Scatter(
                        x=[None],
                        y=[None],
                        mode="markers",
                        name=basins.categories[code],
                        marker=dict(symbol="square", size=12, color=color),
                    )
                )
        title = "Basins of attraction: where each start point ends up"
    else:
        high = float(finite_steps.max()) if finite_steps.size else float(basins.scene.steps)
        fig.update_layout(
            coloraxis=dict(
                colorscale="Viridis",
                cmin=0,
                cmax=high,
                showscale=bool(finite_steps.size),
                colorbar=dict(title="steps to<br>converge"),
            )
        )
        _note_blank_panels(fig, basins.steps, f"No start converged<br>within {basins.scene.steps} steps")
        title = "Steps to converge from each start point (blank: did not converge)"
    scene = basins.scene
    (xmin, xmax), (ymin, ymax) = _window(basins.xs), _window(basins.ys)
    fig.update_xaxes(range=[xmin, xmax], title_text="start x", constrain="domain")
    fig.update_yaxes(range=[ymin, ymax])
    fig.update_yaxes(title_text="start y", row=1, col=1)
    _themed(
        fig,
        title=_title(title, f"{surface_name(scene)} · {scene.steps} steps · η0 = {scene.lr:g}"),
        legend=dict(orientation="h", y=-0.15),
        margin=dict(l=60, r=20, t=90, b=40),
    )
    return fig


def _window(centres: np.ndarray) -> tuple[float, float]:
    half = (centres[1] - centres[0]) / 2 if len(centres) > 1 else 0.5
    return float(centres[0] - half), float(centres[-1] + half)


METRICS = {
    "final_loss": "final loss",
    "distance": "log10 final distance to the target",
    "success": "reached the global minimum",
    "steps": "steps to converge",
    "outcome": "where it ends",
}


def hparam_figure(hmap: HParamMap, metric: str = "final_loss") -> go.Figure:
    """One map per (optimizer, schedule) panel, side by side, sharing one colour scale."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric=}")
    fig = _panels(panel_titles(hmap.scene, hmap.pairs))
    codes, colors, scale = _categorical(hmap.categories)
    index_of = {code: k for k, code in enumerate(codes)}
    loss = hmap.final_loss
    log_loss = metric == "final_loss" and bool(np.all(loss > 0)) and loss.max() / max(loss.min(), 1e-300) > 1e3
    x_name, x_owner = setting_parts(hmap.scene, hmap.x_param)
    y_name, y_owner = setting_parts(hmap.scene, hmap.y_param)
    hover = f"{_short(x_name)} %{{x:.4g}}<br>{_short(y_name)} %{{y:.4g}}<br>"
    for p in range(len(hmap.pairs)):
        col = p + 1
        if metric == "outcome":
            z = np.vectorize(index_of.get)(hmap.outcome[p])
            names = np.asarray([hmap.categories[c] for c in codes], dtype=object)[z]
            trace = go.Heatmap(
                z=z,
                zmin=-0.5,
                zmax=len(codes) - 0.5,
                colorscale=scale,
                showscale=False,
                customdata=names,
                hovertemplate=hover + "%{customdata}<extra></extra>",
            )
        elif metric == "success":
            trace = go.Heatmap(
                z=hmap.success[p].astype(float),
                zmin=0,
                zmax=1,
                showscale=p == 0,
                colorscale=[[0, "#D9D9D9"], [0.5, "#D9D9D9"], [0.5, "#009E73"], [1, "#009E73"]],
                colorbar=dict(title="success", tickvals=[0.25, 0.75], ticktext=["no", "yes"]),
                hovertemplate=hover + "success %{z}<extra></extra>",
            )
        else:
            if metric == "final_loss":
                z = np.log10(loss[p]) if log_loss else loss[p]
            elif metric == "distance":
                z = np.log10(np.maximum(hmap.distance[p], 1e-12))
            else:
                z = hmap.steps[p]
            trace = go.Heatmap(z=z, coloraxis="coloraxis", hovertemplate=hover + "%{z:.4g}<extra></extra>")
        trace.update(x=hmap.x_values, y=hmap.y_values)
        fig.add_trace(trace, row=1, col=col)
        fig.add_trace(_click_grid(hmap.x_values, hmap.y_values, col), row=1, col=col)
    if metric == "outcome":
        present = set(np.unique(hmap.outcome).tolist())
        for code, color in zip(codes, colors, strict=True):
            if code in present:
                fig.add_trace(
                    go.Scatter(
                        x=[None],
                        y=[None],
                        mode="markers",
                        name=hmap.categories[code],
                        marker=dict(symbol="square", size=12, color=color),
                    )
                )
    elif metric != "success":
        title = "log10 final loss" if log_loss else METRICS[metric]
        fig.update_layout(coloraxis=dict(colorscale="Viridis", colorbar=dict(title=title.replace(" ", "<br>", 1))))
    if metric == "steps":
        _note_blank_panels(fig, hmap.steps, f"No run converged<br>within {hmap.scene.steps} steps")
    fig.update_xaxes(type="log" if hmap.x_log else "linear")
    if len(hmap.pairs) == 1:
        fig.update_xaxes(title_text=_two_lines(x_name, x_owner))
    else:  # one title under all the panels, not one per narrow panel
        _shared_x_title(fig, _two_lines(x_name, x_owner))
    fig.update_yaxes(type="log" if hmap.y_log else "linear")
    fig.update_yaxes(title_text=_two_lines(y_name, y_owner), row=1, col=1)
    title = f"{METRICS[metric].capitalize()} over {_short(x_name)} × {_short(y_name)}"
    _themed(
        fig,
        title=_title(title, f"{surface_name(hmap.scene)} · {hmap.scene.steps} steps"),
        legend=dict(orientation="h", y=-0.15 if len(hmap.pairs) == 1 else -0.22),
        margin=dict(l=80 if y_owner else 60, r=20, t=90, b=40 if len(hmap.pairs) == 1 else 70),
    )
    return fig


def _short(name: str) -> str:
    """``η0 (base learning rate)`` → ``η0``: the name without its gloss, for titles and hover labels."""
    return name.split(" (", 1)[0]


def _two_lines(name: str, owner: str) -> str:
    return f"{name}<br>{owner}" if owner else name


def _title(text: str, details: str) -> dict:
    """A figure title: what it shows, and on a second, smaller line, the surface and the run."""
    return dict(text=f"{text}<br><sup>{details}</sup>")


def _shared_x_title(fig: go.Figure, text: str) -> None:
    """``text`` once, centred under every panel, where an x-axis title would be."""
    axes = list(fig.select_xaxes())
    left, right = axes[0].domain[0], axes[-1].domain[1]
    fig.add_annotation(
        text=text,
        x=(left + right) / 2,
        y=0,
        xref="paper",
        yref="paper",
        yanchor="top",
        yshift=-28,
        showarrow=False,
        font=dict(size=14),
        name="x title",
    )


def _note_blank_panels(fig: go.Figure, values: np.ndarray, text: str) -> None:
    """Writes ``text`` across each panel whose map ``values[p]`` is blank (all NaN): an empty frame says why."""
    for p in range(values.shape[0]):
        if not np.isfinite(values[p]).any():
            suffix = "" if p == 0 else str(p + 1)
            fig.add_annotation(
                text=text,
                x=0.5,
                y=0.5,
                xref=f"x{suffix} domain",
                yref=f"y{suffix} domain",
                showarrow=False,
                font=dict(size=14, color="#333333"),
                bgcolor="rgba(255, 255, 255, 0.85)",
                name="no convergence",
            )


# --- Claims -----------------------------------------------------------------------------------------------------

MAX_EVIDENCE_LINES = 20


def claims_figure(verdict: Verdict) -> go.Figure:
    """A claim's evidence: the distance to the known minimum of the runs it was judged on (left), and the
    verdict at every η0 of the robustness sweep (right; the paper's η0 dashed)."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.62, 0.38],
        horizontal_spacing=0.1,
        subplot_titles=["distance to the known minimum (the reference's 'loss')", "verdict across η0"],
        figure=go.Figure(layout={"template": TEMPLATE}),
    )
    lines = 0
    saddle_only = all(_saddle_surface(result) for result in verdict.evidence.values())
    for name, result in verdict.evidence.items():
        dist = _distance_from_saddle(result) if saddle_only else distances(result)
        for run in verdict.runs.get(name, ())[: MAX_EVIDENCE_LINES - lines]:
            label = result.runs[run]
            text = f"{label.schedule} · {label.optimizer}"
            if len(result.scene.starts) * len(result.scene.perturbations) > 1:
                text += f" · ({label.origin[0]:g}, {label.origin[1]:g})"
            if len(verdict.evidence) > 1:
                text = f"{name}: {text}"
            fig.add_trace(
                go.Scatter(
                    x=np.arange(dist.shape[1]),
                    y=np.maximum(dist[run], 1e-12),
                    mode="lines",
                    name=text,
                    line=dict(color=_series(lines), width=1.3),
                    hovertemplate="step %{x}<br>distance %{y:.4g}<extra>" + text + "</extra>",
                ),
                row=1,
                col=1,
            )
            lines += 1
    seeds = max(1, len(verdict.verdicts) // max(1, len(verdict.lrs)))
    for seed in range(seeds):
        chunk = verdict.verdicts[seed * len(verdict.lrs) : (seed + 1) * len(verdict.lrs)]
        fig.add_trace(
            go.Scatter(
                x=verdict.lrs,
                y=[seed] * len(chunk),
                mode="markers",
                showlegend=False,
                marker=dict(size=12, symbol="square", color=[VERDICT_COLORS[v] for v in chunk]),
                customdata=list(chunk),
                hovertemplate="η0 %{x:.3g}: %{customdata}<extra></extra>",
            ),
            row=1,
            col=2,
        )
    center = float(verdict.lrs[int(np.argmin(np.abs(np.log(verdict.factors))))])
    fig.add_vline(x=center, line=dict(color="#555555", dash="dash", width=1), row=1, col=2)
    for name, color in VERDICT_COLORS.items():
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="markers", name=name, marker=dict(symbol="square", size=10, color=color)
            ),
            row=1,
            col=2,
        )
    fig.update_yaxes(type="log", title_text="distance from the saddle" if saddle_only else "distance", row=1, col=1)
    if saddle_only:
        fig.layout.annotations[0].text = "distance from the saddle (escaping: it grows)"
    fig.update_xaxes(title_text="step", row=1, col=1)
    fig.update_xaxes(type="log", title_text="η0 (dashed: the paper's)", row=1, col=2)
    fig.update_yaxes(visible=seeds > 1, title_text="noise seed", row=1, col=2)
    _themed(
        fig,
        title=dict(
            text=f"{verdict.claim.id} ({verdict.claim.figure}): {verdict.verdict} — robust over "
            f"{verdict.robustness:.0%} of the η0 sweep"
        ),
        legend=dict(orientation="h", y=-0.2, font=dict(size=10)),
        margin=dict(l=60, r=20, t=80, b=40),
    )
    return fig


def _saddle_surface(result: Result) -> bool:
    marks = landmarks(result.scene)
    return len(marks.minimizers) == 0 and len(marks.saddles) > 0


def _distance_from_saddle(result: Result) -> np.ndarray:
    saddle = landmarks(result.scene).saddles[0]
    return np.linalg.norm(result.positions.astype(np.float64) - saddle, axis=-1)
