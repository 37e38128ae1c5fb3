"""Serves the page with its engine warmed up: ``streamlit run serve.py`` (what ``scripts/app.sh`` runs).

``streamlit run app.py`` works too, but Streamlit runs a page's script only when a browser connects,
so the first visitor waits while the process imports JAX, loads the compiled programs and draws a
first figure (about 3 s of a cold start here). This file hands Streamlit the same page as an
``st.App`` whose startup (its ``lifespan``) begins that work in a background thread: the browser
loads Streamlit's frontend meanwhile, and the page's script finds the modules imported and the
default scene's program compiled. The thread never blocks the server and never raises into it; a
failure only costs the time it was meant to save.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st

_LOG = logging.getLogger("lr_landscapes.serve")


def warm_up() -> None:
    """Imports what the page imports, configures JAX, runs the default preset and draws its first tab."""
    try:
        import analysis  # noqa: F401 (the page's imports, in the order it makes them)
        import engine
        import figures
        import landscapes
        import presets
        import ui.arena
        import ui.tasks  # noqa: F401
        from engine.scene import Scene
        from engine.simulate import run
        from figures.views import draw

        engine.configure()
        scene = Scene.build(presets.PRESETS[presets.DEFAULT_PRESET].scene)
        result = run(scene)
        surface = landscapes.SURFACES[scene.surface.id]
        grid = figures.surface_grid(scene.surface.id, scene.surface.params, surface.window)
        for view in ("3d", "contour", "lr", "loss"):
            draw(view, result, grid, surface.log_z).to_json()
    except Exception:  # a warm-up that fails leaves the page as cold as plain ``streamlit run app.py``
        _LOG.exception("warming up the engine failed; the first visit will be slower")


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    threading.Thread(target=warm_up, name="lr-landscapes-warm-up", daemon=True).start()
    yield


app = st.App("app.py", lifespan=lifespan)
