"""Baselines the engine is measured against, on Rosenbrock with the engine's conventions.

- ``numpy_run``: the whole batch as NumPy vectors, one Python iteration per step (what a
  careful NumPy port of the reference pipeline does).
- ``loop_run``: one trajectory at a time, one Python iteration per step, as the reference
  pipeline did it: ``torch.optim`` when torch is importable, else NumPy on a ``(2,)`` vector.

Conventions match ``engine.simulate``: the gradient is clipped to the global norm ``clip``
(``g · min(1, clip / |g|)``) before the step, the LR is constant, Adam is torch's / optax's
(bias-corrected, ``ε`` outside the root) and SGD-momentum is torch's heavy ball
(``v ← μv + g``, ``x ← x − ηv``, ``v₁ = g₁``). Rosenbrock is ``(a − x)² + b(y − x²)²``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

import numpy as np

OPTIMIZERS = ("adam", "sgdm")


@dataclasses.dataclass(frozen=True)
class Hyper:
    """The settings every implementation shares."""

    lr: float = 1e-3
    clip: float | None = 1.0
    momentum: float = 0.9
    b1: float = 0.9
    b2: float = 0.999
    eps: float = 1e-8
    a: float = 1.0
    b: float = 100.0


DEFAULT = Hyper()


def rosenbrock(x: Any, y: Any, h: Hyper) -> tuple[Any, Any, Any]:
    """Loss and gradient of Rosenbrock (works on NumPy arrays and on Python or torch scalars)."""
    r = y - x * x
    loss = (h.a - x) ** 2 + h.b * r * r
    return loss, -2.0 * (h.a - x) - 4.0 * h.b * x * r, 2.0 * h.b * r


def starts(batch: int, seed: int = 0) -> np.ndarray:
    """``[batch, 2]`` start points spread over Rosenbrock's window ``[-2, 2] × [-1, 3]``."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(-2.0, 2.0, batch), rng.uniform(-1.0, 3.0, batch)], axis=1)


def numpy_run(
    optimizer: str, origins: np.ndarray, steps: int, h: Hyper = DEFAULT, *, record: bool = True, dtype: Any = np.float32
) -> dict[str, np.ndarray]:
    """The batch vectorised with NumPy. Returns ``final_x [B, 2]`` and, with ``record``,
    ``x [T + 1, 2, B]``, ``loss [T + 1, B]`` and ``grad_norm [T + 1, B]`` (time-major, like the engine).

    Written for speed the NumPy way: both coordinates in one ``[2, B]`` array, so every
    operation covers the whole batch, and the optimizer's state updated in place.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    dtype = np.dtype(dtype)
    f = dtype.type
    point = np.array(origins, dtype).T.copy()  # [2, B]
    batch = point.shape[1]
    lr, clip = f(h.lr), f(np.inf if h.clip is None else h.clip)
    a, b, tiny = f(h.a), f(h.b), np.finfo(dtype).tiny
    first = np.zeros_like(point)  # momentum: v; Adam: m
    second = np.zeros_like(point)  # Adam: v
    grad = np.empty_like(point)
    out: dict[str, np.ndarray] = {}
    if record:
        out["x"] = np.empty((steps + 1, 2, batch), dtype)
        out["loss"] = np.empty((steps + 1, batch), dtype)
        out["grad_norm"] = np.empty((steps + 1, batch), dtype)

    def evaluate() -> np.ndarray:
        x, y = point
        r = y - x * x
        grad[1] = (2 * b) * r
        grad[0] = -2 * (a - x) - (4 * b) * x * r
        return (a - x) ** 2 + b * r * r if record else r

    loss = evaluate()
    for t in range(steps + 1):
        norm = np.sqrt(grad[0] * grad[0] + grad[1] * grad[1])
        if record:
            out["x"][t] = point
            out["loss"][t] = loss
            out["grad_norm"][t] = norm
        if t == steps:
            break
        grad *= np.minimum(f(1.0), clip / np.maximum(norm, tiny))
        if optimizer == "sgdm":
            first *= f(h.momentum)
            first += grad
            point -= lr * first
        else:
            first *= f(h.b1)
            first += f(1 - h.b1) * grad
            second *= f(h.b2)
            second += f(1 - h.b2) * grad * grad
            step = f(h.lr / (1 - h.b1 ** (t + 1)))  # the bias corrections folded into the step size
            point -= step * first / (np.sqrt(second * f(1 / (1 - h.b2 ** (t + 1)))) + f(h.eps))
        loss = evaluate()
    out["final_x"] = point.T.copy()
    return out


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def loop_run(
    optimizer: str, origin: np.ndarray, steps: int, h: Hyper = DEFAULT, *, use_torch: bool | None = None
) -> np.ndarray:
    """One trajectory, one Python iteration per step, recording every point: ``[T + 1, 2]`` (float32).

    ``torch.optim`` (SGD with momentum, Adam) and ``clip_grad_norm_`` when torch is importable
    (or ``use_torch``), else the same arithmetic in NumPy on a ``(2,)`` vector.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if use_torch is None:
        use_torch = torch_available()
    if use_torch:
        return _torch_loop(optimizer, origin, steps, h)
    return _numpy_loop(optimizer, origin, steps, h)


def _torch_loop(optimizer: str, origin: np.ndarray, steps: int, h: Hyper) -> np.ndarray:
    import torch

    point = torch.tensor(np.asarray(origin, np.float32), requires_grad=True)
    if optimizer == "sgdm":
        opt = torch.optim.SGD([point], lr=h.lr, momentum=h.momentum)
    else:
        opt = torch.optim.Adam([point], lr=h.lr, betas=(h.b1, h.b2), eps=h.eps)
    path = np.empty((steps + 1, 2), np.float32)
    for t in range(steps + 1):
        path[t] = point.detach().numpy()
        if t == steps:
            break
        opt.zero_grad()
        loss = (h.a - point[0]) ** 2 + h.b * (point[1] - point[0] ** 2) ** 2
        loss.backward()
        if h.clip is not None:
            torch.nn.utils.clip_grad_norm_([point], h.clip)
        opt.step()
    return path


def _numpy_loop(optimizer: str, origin: np.ndarray, steps: int, h: Hyper) -> np.ndarray:
    f32 = np.float32
    point = np.array(origin, f32)
    m = np.zeros(2, f32)
    v = np.zeros(2, f32)
    clip = np.inf if h.clip is None else h.clip
    path = np.empty((steps + 1, 2), f32)
    for t in range(steps + 1):
        path[t] = point
        if t == steps:
            break
        _, gx, gy = rosenbrock(point[0], point[1], h)
        grad = np.array([gx, gy], f32)
        norm = float(np.linalg.norm(grad))
        if norm > clip:
            grad = grad * f32(clip / norm)
        if optimizer == "sgdm":
            m = grad if t == 0 else f32(h.momentum) * m + grad
            point = point - f32(h.lr) * m
        else:
            m = f32(h.b1) * m + f32(1 - h.b1) * grad
            v = f32(h.b2) * v + f32(1 - h.b2) * grad * grad
            m_hat = m / f32(1 - h.b1 ** (t + 1))
            v_hat = v / f32(1 - h.b2 ** (t + 1))
            point = point - f32(h.lr) * m_hat / (np.sqrt(v_hat) + f32(h.eps))
    return path


def time_numpy(optimizer: str, batch: int, steps: int, *, record: bool = True, repeat: int = 2) -> float:
    """Best wall time in seconds of ``numpy_run`` over ``repeat`` runs."""
    origins = starts(batch)
    best = math.inf
    for _ in range(max(1, repeat)):
        began = time.perf_counter()
        numpy_run(optimizer, origins, steps, record=record)
        best = min(best, time.perf_counter() - began)
    return best


def time_loop(optimizer: str, trajectories: int, steps: int, *, use_torch: bool | None = None) -> float:
    """Wall time in seconds of ``loop_run`` over ``trajectories`` trajectories, one after the other."""
    origins = starts(trajectories, seed=1)
    began = time.perf_counter()
    for origin in origins:
        loop_run(optimizer, origin, steps, use_torch=use_torch)
    return time.perf_counter() - began
