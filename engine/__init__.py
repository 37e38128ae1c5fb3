"""The engine: a validated Scene becomes one compiled, vectorised run per optimizer kind."""

from engine.scene import SCENE_VERSION, Scene, SceneError

__all__ = ["SCENE_VERSION", "Scene", "SceneError"]
