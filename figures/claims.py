"""A claim's evidence (Section 4.1's C1–C14, checked by :mod:`analysis.claims`), in two stages:
:func:`claim_info` (what the figure shows) and :func:`claim_plot` (the drawing); :func:`claims_figure`
chains them."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

from analysis.claims import FACTORS, FAILS, HOLDS, NOISE_SEEDS, PART, Verdict, distances
from analysis.outcomes import landmarks
from engine.simulate import Result
from figures import theme

VERDICT_COLORS = {HOLDS: theme.GREEN, PART: theme.ORANGE, FAILS: theme.VERMILLION}
MAX_EVIDENCE_LINES = 20


class EvidenceLine(NamedTuple):
    name: str  # the run: "schedule · optimizer", its start when there are several, its scene when several
    distance: np.ndarray  # [T + 1] its distance to the known minimum (or from the saddle) at every step


class ClaimInfo(NamedTuple):
    lines: list[EvidenceLine]  # the runs the verdict was judged on (at most MAX_EVIDENCE_LINES)
    from_saddle: bool  # the distances are from the saddle (every scene is a saddle without a minimum)
    lrs: np.ndarray  # [F] the η0 of the robustness sweep
    verdicts: list[tuple[str, ...]]  # [seeds] × [F] the verdict at each η0, one row per noise seed
    paper_lr: float  # the paper's η0 (the middle of the sweep)
    title: str


def claim_info(verdict: Verdict) -> ClaimInfo:
    lines: list[EvidenceLine] = []
    from_saddle = all(_saddle_surface(result) for result in verdict.evidence.values())
    for name, result in verdict.evidence.items():
        dist = _distance_from_saddle(result) if from_saddle else distances(result)
        for run in verdict.runs.get(name, ())[: MAX_EVIDENCE_LINES - len(lines)]:
            label = result.runs[run]
            text = f"{label.schedule} · {label.optimizer}"
            if len(result.scene.starts) * len(result.scene.perturbations) > 1:
                text += f" · ({label.origin[0]:g}, {label.origin[1]:g})"
            if len(verdict.evidence) > 1:
                text = f"{name}: {text}"
            lines.append(EvidenceLine(text, dist[run]))
    per_seed = max(1, len(verdict.lrs))
    seeds = max(1, len(verdict.verdicts) // per_seed)
    return ClaimInfo(
        lines=lines,
        from_saddle=from_saddle,
        lrs=verdict.lrs,
        verdicts=[tuple(verdict.verdicts[seed * per_seed : (seed + 1) * per_seed]) for seed in range(seeds)],
        paper_lr=float(verdict.lrs[int(np.argmin(np.abs(np.log(verdict.factors))))]),
        title=f"{verdict.claim.id} ({verdict.claim.figure}): {verdict.verdict} at the paper's η0<br>"
        f"<sup>{robustness_text(verdict)}</sup>",
    )


def claim_plot(info: ClaimInfo) -> go.Figure:
    left = (
        "distance from the saddle (escaping: it grows)"
        if info.from_saddle
        else "distance to the known minimum (the reference's 'loss')"
    )
    panels = theme.panel_row([left, "verdict across η0"], column_widths=[0.62, 0.38], horizontal_spacing=0.1)
    data: list[Any] = []
    for k, line in enumerate(info.lines):
        data.append(
            go.Scatter(
                x=np.arange(len(line.distance)),
                y=np.maximum(line.distance, 1e-12),
                mode="lines",
                name=line.name,
                line={"color": theme.series_color(k), "width": 1.3},
                hovertemplate="step %{x}<br>distance %{y:.4g}<extra>" + line.name + "</extra>",
                **theme.panel_axes(1),
            )
        )
    for seed, row in enumerate(info.verdicts):
        data.append(
            go.Scatter(
                x=info.lrs,
                y=[seed] * len(row),
                mode="markers",
                showlegend=False,
                marker={"size": 12, "symbol": "square", "color": [VERDICT_COLORS[v] for v in row]},
                customdata=list(row),
                hovertemplate="η0 %{x:.3g}: %{customdata}<extra></extra>",
                **theme.panel_axes(2),
            )
        )
    for name, color in VERDICT_COLORS.items():
        data.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                marker={"symbol": "square", "size": 10, "color": color},
                **theme.panel_axes(2),
            )
        )
    distance_title = "distance from the saddle" if info.from_saddle else "distance"
    for axis, look in (
        ("xaxis", {"title": {"text": "step"}}),
        ("yaxis", {"type": "log", "title": {"text": distance_title}}),
        ("xaxis2", {"type": "log", "title": {"text": "η0 (dashed: the paper's)"}}),
        ("yaxis2", {"visible": len(info.verdicts) > 1, "title": {"text": "noise seed"}}),
    ):
        panels[axis] = theme.merge(panels[axis], look)
    layout = theme.layout(
        **panels,
        coloraxis={},
        shapes=[theme.marker_line(info.paper_lr, col=2)],
        title={"text": info.title},
        legend={"orientation": "h", "y": -0.2, "font": {"size": 10}},
        margin={"l": 60, "r": 20, "t": 100, "b": 40},  # the title's two lines above the panel titles
    )
    return go.Figure(data=data, layout=layout)


def claims_figure(verdict: Verdict) -> go.Figure:
    """A claim's evidence: the distance to the known minimum of the runs it was judged on (left), and the
    verdict at every η0 of the robustness sweep (right; the paper's η0 dashed)."""
    return claim_plot(claim_info(verdict))


def _saddle_surface(result: Result) -> bool:
    marks = landmarks(result.scene)
    return len(marks.minimizers) == 0 and len(marks.saddles) > 0


def _distance_from_saddle(result: Result) -> np.ndarray:
    saddle = landmarks(result.scene).saddles[0]
    return np.linalg.norm(result.positions.astype(np.float64) - saddle, axis=-1)


# --- The claims in words: one way to say robustness everywhere ------------------------------------------------

ROBUSTNESS_EXPLAINED = (
    "The verdict is the criterion judged at the paper's own η0. Robustness asks whether that depends on η0: the "
    f"same scenes run again at {len(FACTORS)} values of η0 from ×{min(FACTORS):g} to ×{max(FACTORS):g} of the "
    f"paper's (and over {NOISE_SEEDS} noise seeds where the scene has gradient noise), and it counts the runs where "
    "the claim holds fully. A claim that holds in part at the paper's η0 may hold fully nowhere in the sweep: "
    "robustness 0 %."
)


def sweep_counts(verdict: Verdict) -> tuple[int, int]:
    """How many points of the robustness sweep (η0 values × noise seeds) the claim holds fully at, of how many."""
    return sum(v == HOLDS for v in verdict.verdicts), len(verdict.verdicts)


def robustness_text(verdict: Verdict) -> str:
    """Robustness in words, the same in the table, the expanders and the figures: ``holds fully at 8 of 17 η0
    values (47 %)``."""
    held, total = sweep_counts(verdict)
    seeds = max(1, total // max(1, len(verdict.lrs)))
    points = f"{total} η0 values" if seeds == 1 else f"{total // seeds} η0 values × {seeds} noise seeds"
    return f"holds fully at {held} of {points} ({held / max(1, total):.0%})".replace("%)", " %)")


def claims_markdown(verdicts: list[Verdict]) -> str:
    """A Markdown table of the claims (it wraps long text instead of cutting it): claim, verdict at the paper's η0,
    robustness over the η0 sweep."""
    lines = [f"| claim | at the paper's η0 | across η0 ×{min(FACTORS):g} … ×{max(FACTORS):g} |", "|---|---|---|"]
    for verdict in verdicts:
        claim = f"**{verdict.claim.id}** ({verdict.claim.figure}) {markdown_text(verdict.claim.text)}"
        lines.append(f"| {claim} | {verdict.verdict} | {robustness_text(verdict)} |")
    return "\n".join(lines)


def reason_items(verdict: Verdict) -> list[str]:
    """The verdict's reason as Markdown list items: one per part of the criterion (the reason separates them by
    "; ")."""
    return [markdown_text(part) for part in verdict.reason.split("; ") if part.strip()]


def markdown_text(text: str) -> str:
    """``text`` safe in Markdown (a table cell too): its pipes, asterisks and underscores shown as they are."""
    for char in ("\\", "|", "*", "_", "`"):
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())
