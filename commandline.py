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
    parser.add_argument("--optimizer", metavar="ID[:k=v,...]", action="append", help="optimizer (repeatable)")
    parser.add_argument("--schedule", metavar="ID[:k=v,...]", action="append", help="LR schedule (repeatable)")
    parser.add_argument("--lr", type=float, metavar="LR", help="base learning rate η0")
    parser.add_argument("--steps", type=int, metavar="N", help="number of steps T")
    parser.add_argument("--clip", metavar="NORM", help="clip gradients to this global norm; 'none' to turn off")
    parser.add_argument("--noise", type=float, metavar="SIGMA", help="std of isotropic Gaussian gradient noise")
    parser.add_argument("--seed", type=int, metavar="S", help="seed of the gradient noise")
    parser.add_argument("--tolerance", type=float, metavar="TOL", help="gradient norm that counts as converged")
    parser.add_argument("--dtype", choices=("float32", "float64"))
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
        if raw.lstrip()[:1] != b"{":  # an exported figure (PNG, SVG, PDF, HTML) carries its scene
            from figures.export import embedded_scene

            raw = embedded_scene(raw, repr(args.scene)).encode("utf-8")
        data = Scene.from_json(raw).to_dict()
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
        data["optimizers"] = [parse_entry(s, "--optimizer") for s in args.optimizer]
    if args.schedule:
        data["schedules"] = [parse_entry(s, "--schedule") for s in args.schedule]
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
    if args.noise is not None or args.seed is not None:
        noise = dict(data.get("noise", {}))
        if args.noise is not None:
            noise["sigma"] = args.noise
        if args.seed is not None:
            noise["seed"] = args.seed
        data["noise"] = noise
    return Scene.build(data)


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
