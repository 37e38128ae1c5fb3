"""The Arena tab: every optimizer (or a family, or the scene's) with its own tuned η0, as a gallery and a ranking.

The page calls :func:`arena_tab` from its ``Tab`` record; the work is :func:`analysis.arena.arena` (data) and
:mod:`figures.arena` (drawing). A click on a panel of the gallery loads that optimizer's tuned run into the
scene, as a click on the basin or hyperparameter map does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

import optimizers
from analysis import arena as arena_data
from analysis.batching import MAX_CANDIDATES
from analysis.lrsearch import OBJECTIVES
from common.lru import LRU
from engine.scene import Scene, SceneError
from figures import export as figure_export
from figures.arena import gallery_figure, reach_figure

EVERY, SCENE_OWN, FAMILIES = "every", "scene", "families"
CHOICES = {
    EVERY: "Every optimizer (at its defaults)",
    FAMILIES: "Whole families…",
    SCENE_OWN: "The scene's optimizers",
}
RANK_LABELS = {
    "tuned": "tuned result",
    "steps": "steps to the minimum",
    "evals": "gradient evaluations to the minimum",
    "robustness": "robustness (within the steps)",
    "robustness_evals": "robustness (within the evaluations)",
}
KEYS = (
    "arena_choice",
    "arena_families",
    "arena_schedule",
    "arena_candidates",
    "arena_low",
    "arena_high",
    "arena_objective",
    "arena_rank",
    "arena_by_evals",
    "arena_on",
)


def chosen_optimizers(scene: Scene, choice: str, families: list[str]) -> list[dict[str, Any]]:
    """The optimizers the arena runs, as plain specs (a cache key): every entry, whole families, or the scene's."""
    if choice == SCENE_OWN:
        return [spec.model_dump(mode="json", exclude_none=True) for spec in scene.optimizers]
    specs = arena_data.default_optimizers(families if choice == FAMILIES else None)
    return [spec.model_dump(mode="json", exclude_none=True) for spec in specs]


def _compute(cache: LRU[Any], scene: Scene, specs: list[dict[str, Any]], settings: dict[str, Any], progress: Any):
    # What the arena reads of the scene (not its optimizers or η0): a loaded run does not start it again.
    used = {name: value for name, value in scene.to_dict().items() if name not in ("optimizers", "lr")}
    used["schedules"] = used["schedules"][settings["schedule"]]
    key = ("arena", json.dumps(used, sort_keys=True), repr(specs), tuple(sorted(settings.items())))
    return cache.get(key, lambda: arena_data.arena(scene, specs, progress=progress, **settings))


def arena_tab(
    scene: Scene,
    cache: LRU[Any],
    load: Callable[[Scene, str], None],
    run_sweep: Callable[[str, Callable[[Any], Any]], Any],
) -> None:
    """The tab. ``cache``: the page's shared sweep cache; ``load(scene, caption)``: load a scene on a fresh run;
    ``run_sweep(label, compute)``: the page's progress bar and budget message around ``compute(progress)``."""
    st.caption(
        "Each optimizer gets its own η0, tuned over a wide log range (every candidate of every optimizer in one "
        "batch), then runs from the scene's start points with one schedule for the scene's steps. Ranked by the "
        "tuned result, by speed (steps or gradient evaluations to the minimum) and by robustness: the share of "
        "the η0 range that reaches the minimum within the budget. ⚠ marks a tuned η0 at the edge of the range "
        "(widen it). Click a panel to load that run."
    )
    a, b, c = st.columns([3, 3, 2])
    choice = a.selectbox("Optimizers", list(CHOICES), format_func=CHOICES.get, key="arena_choice")
    families: list[str] = []
    if choice == FAMILIES:
        families = b.multiselect(
            "Families",
            list(optimizers.FAMILIES),
            default=["adam"],
            format_func=optimizers.FAMILIES.get,
            key="arena_families",
        )
    labels = [spec.label for spec in scene.schedules]
    if st.session_state.get("arena_schedule", 0) >= len(labels):
        del st.session_state["arena_schedule"]
    schedule = (c if choice == FAMILIES else b).selectbox(
        "Schedule", range(len(labels)), format_func=lambda i: labels[i], key="arena_schedule"
    )
    d, e, f, g = st.columns(4)
    candidates = d.number_input("η0 candidates", 2, MAX_CANDIDATES, arena_data.DEFAULT_CANDIDATES, step=10,
                                key="arena_candidates")  # fmt: skip
    low = e.number_input("lowest η0", 1e-8, 100.0, arena_data.DEFAULT_RANGE[0], format="%.1e", key="arena_low")
    high = f.number_input("highest η0", 1e-8, 100.0, arena_data.DEFAULT_RANGE[1], format="%.1e", key="arena_high")
    objective = g.selectbox("Tuned by", list(OBJECTIVES), key="arena_objective", help="; ".join(
        f"{name}: {text}" for name, text in OBJECTIVES.items()))  # fmt: skip
    if choice == FAMILIES and not families:
        st.info("Pick at least one family.")
        return
    specs = chosen_optimizers(scene, choice, families)
    runs = len(specs) * int(candidates) * len(scene.starts) * len(scene.perturbations)
    st.caption(f"{len(specs)} optimizers × {int(candidates)} η0 × {runs // len(specs) // int(candidates)} start "
               f"points: {runs:,} runs of {scene.steps} steps.")  # fmt: skip
    if not st.toggle("Run the arena", key="arena_on"):
        return
    settings = {
        "schedule": int(schedule),
        "candidates": int(candidates),
        "low": float(low),
        "high": float(high),
        "objective": objective,
    }
    result = run_sweep("Running the arena…", lambda p: _compute(cache, scene, specs, settings, p))
    if result is None:
        return
    st.caption(
        f"{result.trajectories:,} runs of {result.steps} steps in {result.seconds:.2f} s "
        f"({result.compilations} compiled program{'s' if result.compilations != 1 else ''} this time)"
    )
    rank_by = st.selectbox("Rank by", list(RANK_LABELS), format_func=RANK_LABELS.get, key="arena_rank")
    rows = arena_data.table(result, rank_by)
    order = [row["index"] for row in rows]
    gallery = gallery_figure(result, order=order, ranked_by=rank_by)
    pick = st.plotly_chart(gallery, key="chart_arena", theme=None, on_select="rerun", selection_mode="points")
    index = clicked_optimizer(pick)
    if index is not None and st.session_state.get("last_arena_pick") != index:
        st.session_state["last_arena_pick"] = index  # a kept selection must not load again on the next run
        try:
            scene_of = result.scene_for(index)
        except SceneError as error:
            st.warning(str(error))
        else:
            load(scene_of, f"{result.labels[index]} at its tuned η0 = {result.tuned_lr[index]:.3g}, from the arena.")
    frame = pd.DataFrame(rows).drop(columns=["index"])
    st.dataframe(frame, hide_index=True, width="stretch", key="arena_table")
    by_evals = st.toggle("Count the budget in gradient evaluations", key="arena_by_evals")
    st.plotly_chart(reach_figure(result, order=order, by_evals=by_evals), key="chart_arena_reach", theme=None)
    left, right = st.columns(2)
    left.download_button(
        "Ranking (CSV)",
        lambda: arena_data.csv_text(result, rank_by),
        "arena.csv",
        "text/csv",
        key="dl_arena_csv",
        on_click="ignore",
        width="stretch",
    )
    right.download_button(
        "Gallery (PNG)",
        lambda: figure_export.to_png(gallery, 1400, int(gallery.layout.height), 2.0),
        "arena.png",
        "image/png",
        key="dl_arena_png",
        on_click="ignore",
        width="stretch",
    )


def clicked_optimizer(selection: Any) -> int | None:
    """The optimizer index a click on the gallery carries (``customdata``), or None."""
    points = selection.get("selection", {}).get("points", []) if isinstance(selection, dict) else []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list):
            data = data[0] if data else None
        if data is not None:
            return int(data)
    return None
