"""What every command-line subcommand shares: the scene flags, the Scene they build, writing the output.

``cli.py`` and the subcommands of ``analysis.cli`` (and any other) import this module; it imports
neither of them. A bad command line raises :class:`UsageError`, which ``cli.main`` prints as one
line and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


class UsageError(Exception):
    """A bad command line; the message says what to change."""


def _split_top_level(text: str) -> list[str]:
    """Splits ``a=1,f=max(k, 2)`` at commas outside parentheses."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in (s.strip() for s in parts) if p]


def _value(text: str) -> Any:
    """``5`` → 5, ``0.9`` → 0.9, ``true`` → True, ``100/300/400`` → [100, 300, 400], else the text."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if "/" in text and all(_is_number(p) for p in text.split("/")):
        return [_value(p) for p in text.split("/")]
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_entry(text: str, flag: str) -> dict[str, Any]:
    """``ID[:k=v,...]`` → ``{"id": ID, "params": {...}}`` (``inner=ID`` and ``inner.k=v`` for lookahead)."""
    entry_id, _, rest = text.partition(":")
    entry_id = entry_id.strip()
    if not entry_id:
        raise UsageError(f"{flag}: expected ID[:name=value,...], got {text!r}")
    entry: dict[str, Any] = {"id": entry_id, "params": {}}
    for item in _split_top_level(rest):
        name, eq, raw = item.partition("=")
        name = name.strip()
        if not eq or not name:
            raise UsageError(f"{flag} {entry_id}: expected name=value, got {item!r}")
        value = _value(raw.strip())
        if name == "inner":
            entry.setdefault("inner", {"params": {}})["id"] = raw.strip()
        elif name.startswith("inner."):
            entry.setdefault("inner", {"params": {}})["params"][name.removeprefix("inner.")] = value
        elif name == "lr":
            entry["lr"] = value
        elif name.startswith("warmup."):
            entry.setdefault("warmup", {})[name.removeprefix("warmup.")] = value
        else:
            entry["params"][name] = value
    if "inner" in entry and "id" not in entry["inner"]:
        raise UsageError(f"{flag} {entry_id}: inner.NAME=value needs inner=ID too")
    return entry


def _registry(kind: str) -> Any:
    """The schedules' or optimizers' registry (neither imports JAX)."""
    if kind == "schedule":
        from schedules import SCHEDULES

        return SCHEDULES
    from optimizers import OPTIMIZERS

    return OPTIMIZERS


def resolve_entry(entry: dict[str, Any], kind: str, flag: str) -> dict[str, Any]:
    """``entry`` (from :func:`parse_entry`) with a library's name put in our terms.

    ``--schedule CosineAnnealingWarmRestarts:T_0=50,T_mult=2`` is ``sgdres_lr`` with ``period=50,
    t_mult=2``, ``--optimizer torch.optim.SGD:momentum=0.9`` is ``momentum`` (the entries' ``equivalents``
    say how; :func:`common.registry.resolve_name` does it). An id stays as it is; so does a wrapper's
    ``inner=``, which is resolved the same way.
    """
    from common.registry import resolve_name

    registry = _registry(kind)
    try:
        resolved = resolve_name(registry, entry["id"], entry["params"], kind=kind)
        inner = entry.get("inner")
        if inner is not None:
            inner_resolved = resolve_name(registry, inner["id"], inner["params"], kind=kind)
            inner = {**inner, "id": inner_resolved.id, "params": inner_resolved.params}
    except ValueError as error:
        raise UsageError(f"{flag}: {error}") from None
    out = {**entry, "id": resolved.id, "params": resolved.params}
    if inner is not None:
        out["inner"] = inner
    if resolved.lr is not None:
        if "lr" in entry:
            given = next(name for name, target in resolved.via.params.items() if target == "lr")
            raise UsageError(f"{flag} {entry['id']}: {given}= and lr= both give the base LR; keep one")
        out["lr"] = resolved.lr
    return out


def _point(text: str, flag: str) -> list[float]:
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        return [float(parts[0]), float(parts[1])]
    except ValueError:
        raise UsageError(f"{flag}: expected two numbers X,Y (e.g. -2,2.5), got {text!r}") from None


def scene_flags(parser: argparse.ArgumentParser) -> None:
    """Adds the flags that describe a scene (and ``-o``) to a subcommand's parser."""
    parser.add_argument(
        "--scene", metavar="FILE", help="a scene JSON file or a figure exported with one; the flags below override it"
    )
    parser.add_argument("--preset", metavar="ID", help="start from a preset (python cli.py presets lists them)")
    parser.add_argument("--surface", metavar="ID[:k=v,...]", help="surface and its parameters")
    parser.add_argument("--start", metavar="X,Y", action="append", help="start point (repeatable)")
    parser.add_argument("--perturb", metavar="DX,DY", action="append", help="start perturbation (repeatable)")
    parser.add_argument(
        "--optimizer",
        metavar="ID[:k=v,...]",
        action="append",
        help="optimizer (repeatable); an id or a library's name: AdamW, torch.optim.SGD, optax.adam",
    )
    parser.add_argument(
        "--schedule",
        metavar="ID[:k=v,...]",
        action="append",
        help="LR schedule (repeatable); an id or a library's name: OneCycleLR, optax.warmup_cosine_decay_schedule",
    )
    parser.add_argument("--lr", type=float, metavar="LR", help="base learning rate η0")
    parser.add_argument("--steps", type=int, metavar="N", help="number of steps T")
    parser.add_argument("--clip", metavar="NORM", help="clip gradients to this global norm; 'none' to turn off")
    parser.add_argument("--noise", type=float, metavar="SIGMA", help="std of isotropic Gaussian gradient noise")
    parser.add_argument("--seed", type=int, metavar="S", help="seed of the gradient noise (with --task: its one seed)")
    parser.add_argument("--tolerance", type=float, metavar="TOL", help="gradient norm that counts as converged")
    parser.add_argument("--dtype", choices=("float32", "float64"))
    task_flags(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="where to write (default: standard output)")


def build_scene(args: argparse.Namespace):
    """The Scene the file and flags describe (flags win). Raises SceneError or UsageError."""
    from engine.scene import Scene

    data: dict[str, Any] = {}
    if getattr(args, "preset", None):
        from presets import PRESETS

        if args.scene:
            raise UsageError("--preset and --scene both give a starting scene; use one")
        if args.preset not in PRESETS:
            raise UsageError(f"--preset: unknown preset {args.preset!r}; allowed: {', '.join(PRESETS)}")
        data = PRESETS[args.preset].build().to_dict()
    if args.scene:
        path = Path(args.scene)
        if not path.is_file():
            raise UsageError(f"--scene: no such file {args.scene!r}")
        raw = path.read_bytes()
        if raw[:6] in (b"GIF87a", b"GIF89a"):
            sidecar = path.with_name(path.stem + ".scene.json")
            raise UsageError(
                f"--scene: {args.scene!r} is neither a scene JSON file nor an exported figure that embeds one; "
                f"a GIF's scene is its side-car: --scene {sidecar}"
            )
        if raw[:8] == b"\x89PNG\r\n\x1a\n" or raw[:5] == b"%PDF-" or raw.lstrip()[:1] == b"<":
            # an exported figure (PNG, PDF, SVG, HTML) carries its scene; anything else is read as a scene file
            from figures.export import embedded_scene

            raw = embedded_scene(raw, repr(args.scene)).encode("utf-8")
        data = Scene.from_json(raw).to_dict()
    data = apply_task_flags(args, data)
    if args.surface:
        surface = parse_entry(args.surface, "--surface")
        if data.get("surface", {}).get("id") != surface["id"] and not args.start:
            data.pop("starts", None)  # the old surface's start points mean nothing on the new one
        data["surface"] = surface
    if args.start:
        data["starts"] = [_point(s, "--start") for s in args.start]
    if args.perturb:
        data["perturbations"] = [_point(s, "--perturb") for s in args.perturb]
    if args.optimizer:
        data["optimizers"] = [
            resolve_entry(parse_entry(s, "--optimizer"), "optimizer", "--optimizer") for s in args.optimizer
        ]
    if args.schedule:
        data["schedules"] = [
            resolve_entry(parse_entry(s, "--schedule"), "schedule", "--schedule") for s in args.schedule
        ]
    for name in ("lr", "steps", "dtype", "tolerance"):
        if getattr(args, name) is not None:
            data[name] = getattr(args, name)
    if args.clip is not None:
        if args.clip.lower() in ("none", "off"):
            data["clip"] = None
        else:
            try:
                data["clip"] = float(args.clip)
            except ValueError:
                raise UsageError(f"--clip: expected a number or 'none', got {args.clip!r}") from None
    if "task" not in data and (args.noise is not None or args.seed is not None):
        noise = dict(data.get("noise", {}))
        if args.noise is not None:
            noise["sigma"] = args.noise
        if args.seed is not None:
            noise["seed"] = args.seed
        data["noise"] = noise
    return Scene.build(data)


# --- Tasks (a network on data instead of a surface) ----------------------------------------------------------

# A surface scene's own settings: switching a scene to a task (or back) drops them, and the task's defaults apply.
_KIND_SETTINGS = ("lr", "steps", "clip")
_SURFACE_FLAGS = {  # argument: (flag, what it gives)
    "start": ("--start", "start points"),
    "perturb": ("--perturb", "perturbations"),
    "noise": ("--noise", "gradient noise"),
    "tolerance": ("--tolerance", "convergence tolerance"),
}


def task_flags(parser: argparse.ArgumentParser) -> None:
    """The flags of a task scene: ``--task`` and ``--seeds`` (``--seed S`` is one seed)."""
    parser.add_argument("--task", metavar="ID[:k=v,...]", help="train a task (python cli.py list tasks) instead")
    parser.add_argument("--seeds", metavar="S,S,...", help="a task's seeds (initial weights and mini-batches)")


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UsageError(f"--seeds: expected integers separated by commas (e.g. 0,1,2), got {text!r}") from None
    if not seeds:
        raise UsageError(f"--seeds: expected at least one integer, got {text!r}")
    return seeds


def apply_task_flags(args: argparse.Namespace, data: dict[str, Any]) -> dict[str, Any]:
    """Scene data with ``--task``, ``--seeds`` and (on a task) ``--seed`` applied.

    ``--task`` turns a surface scene (a file, a preset) into a task scene: its surface, start points,
    perturbations, noise and tolerance go, and so do its η0, steps and clipping, so that the task's own
    defaults apply unless ``--lr``, ``--steps`` or ``--clip`` say otherwise; the optimizers and schedules stay.
    ``--surface`` does the reverse to a task scene.
    """
    from engine.scene import SURFACE_FIELDS, TASK_FIELDS

    task = getattr(args, "task", None)
    if task and args.surface:
        raise UsageError("--task and --surface both say what to run on; give one")
    if task:
        entry = parse_entry(task, "--task")
        unexpected = sorted(set(entry) - {"id", "params"})
        if unexpected:
            raise UsageError(f"--task {entry['id']}: a task takes only its parameters, not {', '.join(unexpected)}")
        if "task" not in data:
            data = {k: v for k, v in data.items() if k not in (*SURFACE_FIELDS, *_KIND_SETTINGS)}
        data = {**data, "task": entry}
    elif args.surface and "task" in data:
        data = {k: v for k, v in data.items() if k not in (*TASK_FIELDS, *_KIND_SETTINGS)}
    if "task" in data:
        for name, (flag, what) in _SURFACE_FLAGS.items():
            if getattr(args, name, None) is not None:
                raise UsageError(f"{flag}: a task scene has no {what}; remove {flag}, or run on a surface")
        if args.seeds is not None and args.seed is not None:
            raise UsageError("--seed and --seeds both give a task's seeds; use one")
        if args.seeds is not None:
            data["seeds"] = _seeds(args.seeds)
        elif args.seed is not None:
            data["seeds"] = [args.seed]
    elif getattr(args, "seeds", None) is not None:
        raise UsageError("--seeds: only a task scene has seeds; add --task ID (python cli.py list tasks)")
    return data


def write(data: str | bytes, output: str | None) -> None:
    """Writes ``data`` to the file ``output`` (UTF-8 for text), or text to standard output for None or ``-``."""
    if output in (None, "-"):
        sys.stdout.write(data)
        return
    try:
        if isinstance(data, bytes):
            Path(output).write_bytes(data)
        else:
            Path(output).write_text(data, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"-o: cannot write {output!r}: {error.strerror}") from None
