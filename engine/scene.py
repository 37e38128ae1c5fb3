"""The Scene: one validated, versioned, JSON-serialisable description of an experiment.

Every entry point (widgets, URL, uploaded file, preset, command line) builds a Scene and
nothing else, so bad input is rejected in one place and always the same way: a
``SceneError`` whose message names the field and says what is allowed.

A Scene runs either on a 2-D **surface** (``surface``, ``starts``, ``perturbations``, ``noise``, ``tolerance``) or
on a **task**, a small network trained on real data (``task``, ``seeds``; :mod:`tasks`); the optimizers,
schedules, ``lr``, ``steps``, ``clip`` and ``dtype`` are shared. Each kind's JSON holds only its own fields, so a
surface scene reads and writes exactly as before tasks existed. A task scene takes its ``lr`` and ``steps`` from
the task when they are not given, and no clipping.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Literal

import numpy as np
import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

import schedules
from common.params import FormulaParam, ParamError, validate_params

SCENE_VERSION = 1

# Budgets, enforced before any work (the page is a server many people share).
MAX_STARTS = 64
MAX_PERTURBATIONS = 16
MAX_OPTIMIZERS = 16
MAX_SCHEDULES = 64
MAX_STEPS = 20_000
MAX_TRAJECTORIES = 4096  # recorded runs; sweeps that keep no paths have their own caps
MAX_TRAJECTORY_STEPS = 4_000_000  # trajectories × steps for a run that records every step
MAX_SCENE_BYTES = 1_000_000
MAX_JSON_DEPTH = 20
COORD_LIMIT = 1e6
# Tasks (a network trained on data): seeds per scene, runs (optimizers × schedules × seeds), and the work of a
# run in multiply-adds, about parameters × (3 × steps × batch size + recorded evaluations × examples): the
# mini-batch forward and backward passes, and the whole data set at every recorded step. The digits MLP with
# the paper's five schedules × 3 seeds × 2,000 steps is 1.4·10¹⁰ (a few seconds on two cores).
MAX_SEEDS = 16
MAX_TASK_RUNS = 256
MAX_TASK_WORK = 3e11
MAX_PAGE_TASK_RUNS = 64
MAX_PAGE_TASK_WORK = 6e10
# Fields that belong to one kind of scene only (a task scene's JSON has no surface, and the reverse).
SURFACE_FIELDS = ("surface", "starts", "perturbations", "noise", "tolerance")
TASK_FIELDS = ("task", "seeds")
# The largest export of one scene (CSV or JSON of every step of every trajectory), estimated before any work
# from the sizes of the numbers the exports write (see ``Scene.estimated_output_bytes``).
MAX_OUTPUT_BYTES = 256_000_000
# Trajectories the page draws for one request (every chart, the playback frames): the figures cost about
# 0.1–0.2 s of server time and up to 200 kB of chart data per trajectory. The command line is not bound by it.
MAX_PAGE_TRAJECTORIES = 256
MAX_MESSAGE_CHARS = 600  # an error message never echoes more of the input than this
_NUMBER_CHARS = {"float32": 16, "float64": 25}  # the widest number an export writes, with its separator


class SceneError(ValueError):
    """The Scene is not valid; the message names the field and what is allowed."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _registry(kind: str) -> dict[str, Any]:
    # Imported lazily: surfaces and optimizers pull in JAX, and the Scene is also used to check files quickly.
    if kind == "surface":
        from landscapes import SURFACES

        return SURFACES
    if kind == "schedule":
        return schedules.SCHEDULES
    if kind == "task":
        from tasks.registry import TASKS  # the registry only: no data, no JAX

        return TASKS
    from optimizers import OPTIMIZERS

    return OPTIMIZERS


def _check_id(kind: str, value: str) -> str:
    registry = _registry(kind)
    if value not in registry:
        raise ValueError(f"unknown {kind} {value!r}; allowed: {', '.join(registry)}")
    return value


def _check_params(kind: str, entry_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """Validated parameters, canonical: a value equal to its default is left out (so equal scenes compare equal)."""
    specs = _registry(kind)[entry_id].params
    checked: dict[str, Any] = {}
    for name, value in params.items():
        try:
            checked.update(validate_params(specs, {name: value}, "params"))
        except ParamError as error:
            raise ValueError(str(error).removeprefix("params: ").removeprefix("params.")) from None
        except (OverflowError, RecursionError):  # e.g. an integer of 400 digits where a float belongs
            raise ValueError(f"{name}: the number is too large; use a finite number within its range") from None
    return {name: value for name, value in checked.items() if value != getattr(specs[name], "default", None)}


def _number(value: Any) -> Any:
    """Refuses what pydantic would otherwise coerce into a number: text ("0.1") and booleans (true is 1)."""
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        raise ValueError(f"must be a number, got {_clip_text(repr(value), 40)}")
    return value


def _numbers(points: Any) -> Any:
    if isinstance(points, (list, tuple)):
        for point in points:
            if isinstance(point, (list, tuple)):
                for value in point:
                    _number(value)
    return points


def _finite_point(point: tuple[float, float], limit: float = COORD_LIMIT) -> tuple[float, float]:
    for value in point:
        if not math.isfinite(value) or abs(value) > limit:
            raise ValueError(f"coordinates must be finite numbers within ±{limit:g}, got {list(point)}")
    return point


class SurfaceSpec(_Model):
    id: str = "rosenbrock"
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> SurfaceSpec:
        _check_id("surface", self.id)
        object.__setattr__(self, "params", _check_params("surface", self.id, self.params))
        return self


class TaskSpec(_Model):
    """A task of :data:`tasks.TASKS` and its parameters (those at their defaults are left out)."""

    id: str = "digits_mlp"
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> TaskSpec:
        _check_id("task", self.id)
        object.__setattr__(self, "params", _check_params("task", self.id, self.params))
        from tasks import base as task_base

        task = _registry("task")[self.id]
        values = task_base.default_params(task) | self.params
        examples = task_base.train_size(task, values)
        if values["batch_size"] > examples:
            raise ValueError(
                f"params.batch_size: must be at most the {examples} training examples of this split, "
                f"got {values['batch_size']}"
            )
        return self

    @property
    def values(self) -> dict[str, Any]:
        """Every parameter of the task, defaults filled in."""
        from tasks import base as task_base

        return task_base.default_params(_registry("task")[self.id]) | self.params

    @property
    def num_params(self) -> int:
        """The network's number of weights and biases."""
        return _registry("task")[self.id].model(self.values).num_params

    @property
    def label(self) -> str:
        """A short label, e.g. ``digits_mlp[hidden=64]``."""
        settings = _settings(_registry("task")[self.id].params, self.params, set())
        return self.id + (f"[{settings}]" if settings else "")


class OptimizerSpec(_Model):
    id: str = "sgd"
    params: dict[str, Any] = Field(default_factory=dict)
    inner: OptimizerSpec | None = None  # the optimizer that Lookahead wraps

    @model_validator(mode="after")
    def _check(self) -> OptimizerSpec:
        _check_id("optimizer", self.id)
        wraps = _registry("optimizer")[self.id].wraps
        if wraps and self.inner is None:
            object.__setattr__(self, "inner", OptimizerSpec(id="sgd"))
        if not wraps and self.inner is not None:
            raise ValueError(f"only a wrapping optimizer (lookahead) takes 'inner'; {self.id!r} does not")
        if self.inner is not None and _registry("optimizer")[self.inner.id].wraps:
            raise ValueError("lookahead cannot wrap another lookahead; choose a plain optimizer as 'inner'")
        if self.inner is not None:
            outer, inner = _registry("optimizer")[self.id], _registry("optimizer")[self.inner.id]
            if not outer.passes_extra_args and inner.extra_args:
                raise ValueError(
                    f"{self.id} cannot wrap {self.inner.id}: {self.inner.id} needs {', '.join(inner.extra_args)} "
                    f"besides the gradient, which {self.id} does not pass on; choose an inner optimizer that needs "
                    f"only the gradient (e.g. sgd, adam), or run {self.inner.id} on its own"
                )
        object.__setattr__(self, "params", _check_params("optimizer", self.id, self.params))
        return self

    @property
    def label(self) -> str:
        """A short human label, e.g. ``momentum[momentum=0.5]`` or ``lookahead(yogi)``."""
        return self.label_showing(set())

    def label_showing(self, names: set[str]) -> str:
        """The label, also naming the parameters in ``names`` at their defaults (to tell siblings apart)."""
        name = self.id if self.inner is None else f"{self.id}({self.inner.label})"
        settings = _settings(_registry("optimizer")[self.id].params, self.params, names)
        return name + (f"[{settings}]" if settings else "")


_WARMUP_START = schedules.WARMUP_PARAMS["start_factor"]


class WarmupSpec(_Model):
    """A warm-up prefix; the defaults are the schedules' own (``schedules.WARMUP_PARAMS``)."""

    kind: Literal[schedules.WARMUP_KINDS] = schedules.WARMUP_PARAMS["kind"].default
    steps: int | None = Field(default=None, ge=1, le=MAX_STEPS)  # None: the default share of the run
    start_factor: float = Field(
        default=_WARMUP_START.default, ge=_WARMUP_START.low, le=_WARMUP_START.high, allow_inf_nan=False
    )

    _numeric = field_validator("steps", "start_factor", mode="before")(lambda cls, value: _number(value))


class ScheduleSpec(_Model):
    id: str = "constant_lr"
    params: dict[str, Any] = Field(default_factory=dict)
    lr: float | None = Field(default=None, gt=0.0, le=100.0, allow_inf_nan=False)  # overrides the scene's lr
    warmup: WarmupSpec | None = None

    _numeric = field_validator("lr", mode="before")(lambda cls, value: _number(value))

    @model_validator(mode="after")
    def _check(self) -> ScheduleSpec:
        _check_id("schedule", self.id)
        object.__setattr__(self, "params", _check_params("schedule", self.id, self.params))
        return self

    @property
    def label(self) -> str:
        return self.label_showing(set())

    def label_showing(self, names: set[str]) -> str:
        """The label, also naming the parameters in ``names`` at their defaults (to tell siblings apart)."""
        name = self.id
        settings = _settings(_registry("schedule")[self.id].params, self.params, names)
        extras = [settings] if settings else []
        if self.lr is not None:
            extras.append(f"lr={self.lr:g}")
        if self.warmup is not None:
            extras.append(f"warmup={self.warmup.kind}")
        return name + (f"[{','.join(extras)}]" if extras else "")


class NoiseSpec(_Model):
    sigma: float = Field(default=0.0, ge=0.0, le=1e3, allow_inf_nan=False)  # std of isotropic gradient noise
    seed: int = Field(default=0, ge=0, le=2**31 - 1)

    _numeric = field_validator("sigma", "seed", mode="before")(lambda cls, value: _number(value))


class Scene(_Model):
    """A whole experiment: what to run, from where, with which optimizers and schedules."""

    version: int = SCENE_VERSION
    surface: SurfaceSpec = Field(default_factory=SurfaceSpec)
    starts: list[tuple[float, float]] = Field(default_factory=list, max_length=MAX_STARTS)
    perturbations: list[tuple[float, float]] = Field(
        default_factory=lambda: [(0.0, 0.0)], min_length=1, max_length=MAX_PERTURBATIONS
    )
    optimizers: list[OptimizerSpec] = Field(
        default_factory=lambda: [OptimizerSpec()], min_length=1, max_length=MAX_OPTIMIZERS
    )
    schedules: list[ScheduleSpec] = Field(
        default_factory=lambda: [ScheduleSpec()], min_length=1, max_length=MAX_SCHEDULES
    )
    lr: float = Field(default=1e-3, gt=0.0, le=100.0, allow_inf_nan=False)
    steps: int = Field(default=500, ge=1, le=MAX_STEPS)
    clip: float | None = Field(default=1.0, gt=0.0, le=1e6, allow_inf_nan=False)  # global-norm clipping; None: off
    noise: NoiseSpec = Field(default_factory=NoiseSpec)
    # A trajectory counts as converged once its gradient norm stays at or below this.
    tolerance: float = Field(default=1e-4, gt=0.0, le=1.0, allow_inf_nan=False)
    dtype: Literal["float32", "float64"] = "float32"

    _numeric = field_validator("version", "lr", "steps", "clip", "tolerance", mode="before")(
        lambda cls, value: _number(value)
    )
    _numeric_points = field_validator("starts", "perturbations", mode="before")(lambda cls, value: _numbers(value))

    @model_validator(mode="before")
    @classmethod
    def _kind(cls, data: Any) -> Any:
        """A scene is a surface's or a task's: refuses the other kind's fields, and fills a task's defaults."""
        if not isinstance(data, dict):
            return data
        if cls is Scene:
            if "seeds" in data:
                raise ValueError(
                    "only a scene that trains a task has seeds (they draw the initial weights and the mini-batches of "
                    "a network); remove them, or set noise.seed for the gradient noise on a surface"
                )
            return data
        given = [name for name in SURFACE_FIELDS if name in data]
        if given:
            raise ValueError(
                f"a scene that trains a task has no {', '.join(given)}; remove "
                + ("it" if len(given) == 1 else "them")
                + " (or remove the task to run on the surface)"
            )
        task = data.get("task")
        entry = _registry("task").get(task.get("id", TaskSpec().id)) if isinstance(task, dict) else None
        if entry is not None:  # an unknown id is reported by TaskSpec
            data = {"lr": entry.lr, "steps": entry.steps, "clip": None, **data}
        return data

    def __getattr__(self, name: str) -> Any:
        # ``scene.task`` is None on a surface scene (only a TaskScene has the field), so callers can ask any Scene.
        if name == "task":
            return None
        return super().__getattr__(name)

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != SCENE_VERSION:
            raise ValueError(f"this app reads scene version {SCENE_VERSION}, got {value}; re-export the scene")
        return value

    @field_validator("starts", "perturbations")
    @classmethod
    def _points(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [_finite_point(p) for p in points]

    @model_validator(mode="after")
    def _fill_and_budget(self) -> Scene:
        if self.task is not None:
            self._check_task_budget()
            self._check_formula_schedules()
            return self
        if not self.starts:
            surface = _registry("surface")[self.surface.id]
            object.__setattr__(self, "starts", [tuple(map(float, surface.starts[0]))])
        n = self.num_trajectories
        if n > MAX_TRAJECTORIES:
            raise ValueError(
                f"{n} trajectories (starts × perturbations × optimizers × schedules) is over the limit of "
                f"{MAX_TRAJECTORIES}; use fewer starts, perturbations, optimizers or schedules"
            )
        if n * self.steps > MAX_TRAJECTORY_STEPS:
            raise ValueError(
                f"{n} trajectories × {self.steps} steps is over the limit of {MAX_TRAJECTORY_STEPS:,} "
                f"recorded trajectory-steps; use at most {MAX_TRAJECTORY_STEPS // n} steps or fewer trajectories"
            )
        size = self.estimated_output_bytes()
        if size > MAX_OUTPUT_BYTES:
            per_run = size // n
            row = per_run // (self.steps + 1)
            steps = MAX_OUTPUT_BYTES // (n * row) - 2
            runs = MAX_OUTPUT_BYTES // per_run
            raise ValueError(
                f"{n} trajectories × {self.steps + 1} recorded steps would export about {_megabytes(size)} "
                f"(CSV/JSON of every step), over the limit of {_megabytes(MAX_OUTPUT_BYTES)}; use at most "
                + (f"{steps} steps, or " if steps >= 1 else "")
                + f"at most {runs} trajectories"
                + (" (or float32: its numbers are shorter)" if self.dtype == "float64" else "")
            )
        self._check_formula_schedules()
        return self

    def _check_task_budget(self) -> None:
        """A task's runs, work, recorded weights and export, all before any work; no optimizer that needs more than
        the mini-batch gradient, and no schedule that needs the run's loss (the trainer reads every LR from a table
        made before the run)."""
        from tasks import base as task_base

        for index, spec in enumerate(self.optimizers):
            for entry_id in filter(None, (spec.id, spec.inner.id if spec.inner is not None else None)):
                refusal = task_base.gradient_only_refusal(entry_id)
                if refusal:
                    raise ValueError(f"optimizers.{index}: {refusal}")
        for index, spec in enumerate(self.schedules):
            if _registry("schedule")[spec.id].needs_loss:
                raise ValueError(
                    f"schedules.{index}: {spec.id} follows the run's loss as it goes, which the task trainer does not "
                    "feed back (every LR comes from a table made before the run); choose a schedule of the step"
                )
        runs = self.num_runs
        if runs > MAX_TASK_RUNS:
            raise ValueError(
                f"{runs} runs (optimizers × schedules × seeds) is over the limit of {MAX_TASK_RUNS}; use fewer "
                "optimizers, schedules or seeds"
            )
        work = self.task_work()
        if work > MAX_TASK_WORK:
            values, task = self.task.values, _registry("task")[self.task.id]
            fixed = float(runs) * self.task.num_params * (task_base.RECORDS + 1) * task.num_examples(values)
            per_step = (work - fixed) / self.steps
            steps = int((MAX_TASK_WORK - fixed) / per_step) if per_step > 0 else 0
            advice = (
                f"use at most {steps} steps, fewer runs, a smaller network or a smaller batch"
                if steps >= 1
                else f"even one step is over it (each run evaluates the whole data set {task_base.RECORDS + 1} times); "
                "use fewer runs or a smaller network"
            )
            raise ValueError(
                f"training {_runs(runs)} of a {self.task.num_params:,}-parameter network for {self.steps} steps is "
                f"about {work:.2g} multiply-adds, over the limit of {MAX_TASK_WORK:.0e}; {advice}"
            )
        weights = runs * (task_base.RECORDS + 1) * self.task.num_params * np.dtype(self.dtype).itemsize
        if weights > task_base.MAX_WEIGHT_BYTES:
            raise ValueError(
                f"recording the weights of {_runs(runs)} ({self.task.num_params:,} each, at {task_base.RECORDS + 1} "
                f"steps) takes {_megabytes(weights)}, over the limit of {_megabytes(task_base.MAX_WEIGHT_BYTES)}; use "
                "fewer runs or a smaller network" + (" (or float32)" if self.dtype == "float64" else "")
            )
        size = self.estimated_output_bytes()
        if size > MAX_OUTPUT_BYTES:
            raise ValueError(
                f"{_runs(runs)} × {self.steps} steps would export about {_megabytes(size)} (JSON of every step's LR "
                f"and mini-batch loss), over the limit of {_megabytes(MAX_OUTPUT_BYTES)}; use fewer steps or runs"
            )

    def task_work(self) -> float:
        """Multiply-adds of training this task scene, about (see ``MAX_TASK_WORK``); 0 for a surface scene."""
        if self.task is None:
            return 0.0
        from tasks import base as task_base

        values = self.task.values
        task = _registry("task")[self.task.id]
        per_run = 3 * self.steps * values["batch_size"] + (task_base.RECORDS + 1) * task.num_examples(values)
        return float(self.num_runs) * self.task.num_params * per_run

    def _check_formula_schedules(self) -> None:
        """A schedule given by a user formula must give a finite LR, in the run's dtype, at every step.

        Its table is computed here (a numpy evaluation of at most ``MAX_STEPS`` values), so that an LR of
        ``inf`` or ``nan`` is a message naming the schedule instead of a NaN in the results.
        """
        formula_ids = {
            spec.id
            for spec in self.schedules
            if any(isinstance(param, FormulaParam) for param in _registry("schedule")[spec.id].params.values())
        }
        if not formula_ids:
            return
        largest = float(np.finfo(self.dtype).max)
        for index, spec in enumerate(self.schedules):
            if spec.id not in formula_ids:
                continue
            with np.errstate(all="ignore"):
                table = schedules.entry_table(spec, self.steps, base_lr=self.lr)
                bad = ~np.isfinite(table) | (np.abs(table) > largest)
            if bad.any():
                k = int(np.argmax(bad))
                raise ValueError(
                    f"schedules.{index}.params.formula: gives the learning rate {table[k]:g} at step k={k}; it must "
                    f"be a finite {self.dtype} number at every step k = 0 … {self.steps - 1}"
                )

    @property
    def num_trajectories(self) -> int:
        """Paths on the surface: starts × perturbations × optimizers × schedules (0 for a task scene)."""
        if self.task is not None:
            return 0
        return len(self.starts) * len(self.perturbations) * len(self.optimizers) * len(self.schedules)

    @property
    def num_runs(self) -> int:
        """Runs of this scene: a task's optimizers × schedules × seeds, or a surface's trajectories."""
        if self.task is not None:
            return len(self.optimizers) * len(self.schedules) * len(self.seeds)
        return self.num_trajectories

    def estimated_output_bytes(self) -> int:
        """An upper estimate of this scene's largest export (CSV or JSON, every step of every trajectory).

        A CSV row holds six numbers (start x, y; x, y, loss, lr) of at most ``_NUMBER_CHARS[dtype]`` characters,
        the two labels (perhaps quoted) and at most 28 characters of run, step, status and commas; a JSON step
        holds five numbers of at most 26 characters, each trajectory's JSON adds its labels, start and keys, and
        the JSON starts with the scene itself. It is computed from the scene alone, before any work.
        """
        labels = max(map(len, sibling_labels(self.optimizers))) + max(map(len, sibling_labels(self.schedules)))
        if self.task is not None:
            # The JSON's per-step LR and mini-batch loss and accuracy dominate; recorded rows are at most RECORDS + 1.
            from tasks import base as task_base

            rows = (task_base.RECORDS + 1) * (6 * 26 + labels + 48)
            return self.num_runs * (3 * 26 * self.steps + rows + 512) + len(json.dumps(self.to_dict()))
        row = max(6 * _NUMBER_CHARS[self.dtype] + labels + 32, 5 * 26)
        return self.num_trajectories * ((self.steps + 1) * row + labels + 256) + len(json.dumps(self.to_dict()))

    def check_page_budget(self) -> Scene:
        """This scene, if the page may draw it; else a ``SceneError`` saying how to get under the page's limit.

        The page sends every chart to a browser and builds the playback frames on the server, which costs per
        trajectory; the command line and the exports are bound only by the Scene's own limits.
        """
        if self.task is not None:
            runs, work = self.num_runs, self.task_work()
            if runs > MAX_PAGE_TASK_RUNS or work > MAX_PAGE_TASK_WORK:
                raise SceneError(
                    f"{_runs(runs)} (optimizers × schedules × seeds) of about {work:.2g} multiply-adds is over the "
                    f"page's limit of {MAX_PAGE_TASK_RUNS} runs and {MAX_PAGE_TASK_WORK:.0e}; use fewer runs, steps "
                    "or a smaller network, or run it with the command line (python cli.py run --scene FILE), which "
                    f"allows {MAX_TASK_RUNS} runs and {MAX_TASK_WORK:.0e}"
                )
            return self
        n = self.num_trajectories
        if n > MAX_PAGE_TRAJECTORIES:
            raise SceneError(
                f"{n} trajectories (starts × perturbations × optimizers × schedules) is over the page's limit of "
                f"{MAX_PAGE_TRAJECTORIES}; use fewer starts, perturbations, optimizers or schedules, or run it "
                "with the command line (python cli.py run --scene FILE), which allows "
                f"{MAX_TRAJECTORIES}"
            )
        return self

    # --- JSON in and out -------------------------------------------------------------------------

    @classmethod
    def build(cls, data: Any) -> Scene:
        """Validates plain data (a dict from JSON, a URL, widgets, flags) into a Scene, or raises SceneError."""
        if not isinstance(data, dict):
            raise SceneError(f"a scene must be a JSON object, got {type(data).__name__}")
        kind = TaskScene if data.get("task") is not None else Scene
        try:
            return kind.model_validate(data)
        except pydantic.ValidationError as error:
            raise SceneError(_clip_text(_describe(error))) from None
        except (ParamError, ValueError, TypeError) as error:  # raised outside pydantic's wrapping
            raise SceneError(_clip_text(str(error))) from None
        except (OverflowError, RecursionError):  # a number too large for a float; nesting too deep for Python
            raise SceneError("the scene holds a number too large or nesting too deep to read") from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Scene:
        """Reads a scene file or text: size, encoding, nesting and numbers are checked before it is parsed."""
        if not isinstance(text, (str, bytes, bytearray)):
            raise SceneError(f"a scene file must be text or bytes, got {type(text).__name__}")
        if len(text) > MAX_SCENE_BYTES:
            raise SceneError(f"a scene file must be at most {MAX_SCENE_BYTES:,} bytes, got {len(text):,}")
        if not isinstance(text, str):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as error:
                raise SceneError(f"a scene file must be UTF-8 text: {error}") from None
        elif len(text.encode("utf-8", "surrogatepass")) > MAX_SCENE_BYTES:
            raise SceneError(f"a scene file must be at most {MAX_SCENE_BYTES:,} bytes of UTF-8")
        _check_depth(text)
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as error:
            raise SceneError(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
        except ValueError as error:
            if "digits" in str(error):  # Python's limit on converting very long integers
                raise SceneError("a number in the scene has too many digits; use a number within its range") from None
            raise SceneError(_clip_text(str(error))) from None
        except RecursionError:
            raise SceneError(f"a scene file may nest at most {MAX_JSON_DEPTH} levels deep") from None
        return cls.build(data)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def replace(self, **changes: Any) -> Scene:
        """A new, validated Scene with some top-level fields changed."""
        data = self.to_dict()
        data.update({k: _plain(v) for k, v in changes.items()})
        return Scene.build(data)


class TaskScene(Scene):
    """A Scene that trains a task (:mod:`tasks`) instead of running on a surface.

    It adds ``task`` and ``seeds`` (each seed draws the initial weights and the order of the mini-batches of its
    runs); the surface's fields (``SURFACE_FIELDS``) are refused on input and left out of its JSON.
    ``Scene.build`` makes a TaskScene from data that names a task.
    """

    task: TaskSpec
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1, max_length=MAX_SEEDS)

    @field_validator("seeds", mode="before")
    @classmethod
    def _seed_numbers(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            for seed in value:
                _number(seed)
        return value

    @field_validator("seeds")
    @classmethod
    def _distinct_seeds(cls, seeds: list[int]) -> list[int]:
        if any(not 0 <= seed < 2**31 for seed in seeds):
            raise ValueError(f"must be integers in [0, 2**31), got {seeds}")
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"must be distinct, got {seeds}")
        return seeds

    def to_dict(self) -> dict[str, Any]:
        """The version, the task and the seeds first, then the fields a task scene shares with a surface scene."""
        data = self.model_dump(mode="json", exclude=set(SURFACE_FIELDS))
        return {key: data[key] for key in ("version", *TASK_FIELDS)} | data


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _settings(specs: dict[str, Any], params: dict[str, Any], names: set[str]) -> str:
    shown = {k: v for k, v in params.items()}
    for name in names - set(params):
        default = getattr(specs.get(name), "default", None)
        if default is not None:
            shown[name] = default
    return ",".join(f"{k}={_short(v)}" for k, v in sorted(shown.items()))


def sibling_labels(specs: list[OptimizerSpec] | list[ScheduleSpec]) -> list[str]:
    """Labels that tell apart entries with the same id: each names every parameter set on any of its siblings."""
    set_names: dict[str, set[str]] = {}
    for spec in specs:
        set_names.setdefault(spec.id, set()).update(spec.params)
    return [spec.label_showing(set_names[spec.id]) for spec in specs]


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "/".join(_short(v) for v in value)
    return str(value)


_FIELD_PATH = re.compile(r"[a-z_]+(?:\.\w+)+")  # e.g. schedules.3.params.formula
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")  # the literals a message quotes (reprs of the input)


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


def _clip_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters: a message never echoes a megabyte of hostile input back."""
    text = _QUOTED.sub(lambda m: m[0] if len(m[0]) <= 80 else f"{m[0][:61]}…{m[0][0]}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reject_constant(name: str) -> None:
    raise ValueError(f"scene files must not contain {name}; use finite numbers")


def _check_depth(text: str) -> None:
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise SceneError(f"a scene file may nest at most {MAX_JSON_DEPTH} levels deep")
        elif char in "]}":
            depth -= 1


def _describe(error: pydantic.ValidationError) -> str:
    """One line per problem: ``schedules.1.params: gamma: must be in [0, 1], got 1.5``."""
    lines = []
    for problem in error.errors(include_url=False)[:5]:
        where = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if not where:  # a check of the whole scene: it may name the field itself
            where, named, rest = message.partition(": ")
            if not (named and _FIELD_PATH.fullmatch(where)):
                where, message = "scene", message
            else:
                message = rest
        if problem["type"] == "extra_forbidden":
            message = "unknown field; remove it (check the spelling)"
        elif problem["type"] == "missing":
            message = "required field is missing"
        lines.append(f"{where}: {message}")
    more = error.error_count() - len(lines)
    if more > 0:
        lines.append(f"(and {more} more)")
    return "; ".join(lines)
