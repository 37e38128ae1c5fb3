"""The engine: a validated Scene becomes one compiled, vectorised run per optimizer kind.

Call :func:`configure` once per process before the first run (the page, the command line, the
benchmark and the tests do); importing the engine configures nothing.
"""

from engine.jaxconfig import configure
from engine.scene import SCENE_VERSION, Scene, SceneError

__all__ = ["SCENE_VERSION", "Scene", "SceneError", "configure"]
