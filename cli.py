"""Command line: list the catalog, run a scene to CSV, write a scene file.

    python cli.py list surfaces|schedules|optimizers
    python cli.py presets
    python cli.py run [--scene FILE | --preset ID] [flags] -o OUT.csv
    python cli.py scene [--scene FILE | --preset ID] [flags] -o SCENE.json
    python cli.py render [--scene FILE | --preset ID] [flags] --view VIEW -o FILE.png|svg|html|gif
    python cli.py claims | lrsearch | basins | bench   (see --help of each)

Flags override the scene file. Bad arguments exit with code 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn


class UsageError(Exception):
    """A bad command line; the message says what to change."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, no usage dump
        raise UsageError(message)


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


def _scene_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scene", metavar="FILE", help="a scene JSON file; the flags below override it")
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
        data = Scene.from_json(path.read_bytes()).to_dict()
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


def _describe_params(params: dict[str, Any]) -> str:
    parts = []
    for name, spec in params.items():
        default = getattr(spec, "default", None)
        if default is None and hasattr(spec, "fraction"):
            default = f"{spec.fraction:g}·T"
        elif default is None and hasattr(spec, "fractions"):
            default = "/".join(f"{f:g}·T" for f in spec.fractions)
        elif isinstance(default, tuple):
            default = "/".join(f"{v:g}" for v in default)
        parts.append(f"{name}={default}")
    return ", ".join(parts) if parts else "-"


def cmd_list(args: argparse.Namespace) -> int:
    if args.what == "surfaces":
        from landscapes import SURFACES as registry
    elif args.what == "schedules":
        from schedules import SCHEDULES as registry
    else:
        from optimizers import OPTIMIZERS as registry
    for entry_id, entry in registry.items():
        print(f"{entry_id}\t{entry.name}\t{_describe_params(dict(entry.params))}")
    return 0


def _write(text: str, output: str | None) -> None:
    if output in (None, "-"):
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"-o: cannot write {output!r}: {error.strerror}") from None


def cmd_run(args: argparse.Namespace) -> int:
    scene = build_scene(args)
    from engine import export
    from engine.simulate import run

    result = run(scene)
    _write(export.csv_text(result), args.output)
    if args.output not in (None, "-"):
        counts: dict[str, int] = {}
        for i in range(result.num_runs):
            counts[result.status_name(i)] = counts.get(result.status_name(i), 0) + 1
        summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        print(f"wrote {result.num_runs} trajectories × {scene.steps + 1} steps to {args.output} ({summary})")
    return 0


def cmd_scene(args: argparse.Namespace) -> int:
    scene = build_scene(args)
    _write(scene.to_json() + "\n", args.output)
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    from presets import PRESETS

    for preset_id, preset in PRESETS.items():
        print(f"{preset_id}\t{preset.name}\t{preset.caption}")
    return 0


SWEEP_VIEWS = ("basins", "hparams", "claims")  # views of a sweep, not of one run (figures.VIEWS)


def cmd_render(args: argparse.Namespace) -> int:
    """Renders one view without a browser window (kaleido drives Debian's chromium headless)."""
    from figures import VIEWS

    if not args.output or args.output == "-":
        raise UsageError("render needs -o FILE with a .png, .svg, .html or .gif extension")
    suffix = Path(args.output).suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "html", "gif"):
        raise UsageError(f"-o: the file must end in .png, .svg, .html or .gif, got {args.output!r}")
    if suffix == "gif" and not (args.view in VIEWS and VIEWS[args.view].on_surface):
        animated = [view.id for view in VIEWS.values() if view.on_surface]
        choices = f"{', '.join(animated[:-1])} or {animated[-1]}"
        raise UsageError(f"a GIF animates the paths: use --view {choices}, not {args.view!r}")
    scene = build_scene(args)
    import figures
    from figures import export as figure_export

    if args.view == "claims":
        import analysis
        from figures.claims import claims_figure

        claim = args.claim or "C5"
        if claim not in analysis.CLAIMS:
            raise UsageError(f"--claim: unknown claim {claim!r}; allowed: {', '.join(analysis.CLAIMS)}")
        fig = claims_figure(analysis.check(claim))
    elif args.view == "basins":
        import analysis
        from figures.sweeps import basins_figure

        fig = basins_figure(analysis.basins(scene, resolution=args.resolution))
    elif args.view == "hparams":
        import analysis
        from figures.sweeps import hparam_figure

        fig = hparam_figure(analysis.hparam_map(scene, resolution=min(args.resolution, 64)))
    else:
        from engine.simulate import run

        result = run(scene)
        surface = landscapes_registry()[scene.surface.id]
        grid = figures.surface_grid(scene.surface.id, scene.surface.params, surface.window)
        if suffix == "gif":
            _write_bytes(figure_export.to_gif(result, grid, log_z=surface.log_z), args.output)
            print(f"wrote {args.output}")
            return 0
        fig = VIEWS[args.view].draw(result, grid, surface.log_z)
    if suffix == "html":
        _write(figure_export.to_html(fig), args.output)
    elif suffix == "png":
        _write_bytes(figure_export.to_png(fig, args.width, args.height, args.scale), args.output)
    else:
        _write_bytes(figure_export.to_svg(fig, args.width, args.height), args.output)
    print(f"wrote {args.output}")
    return 0


def landscapes_registry() -> dict[str, Any]:
    from landscapes import SURFACES

    return SURFACES


def _write_bytes(data: bytes, output: str) -> None:
    try:
        Path(output).write_bytes(data)
    except OSError as error:
        raise UsageError(f"-o: cannot write {output!r}: {error.strerror}") from None


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python cli.py", description="Optimizers and LR schedules on 2-D surfaces.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    listing = commands.add_parser("list", help="list surfaces, schedules or optimizers")
    listing.add_argument("what", choices=("surfaces", "schedules", "optimizers"))
    listing.set_defaults(handler=cmd_list)
    running = commands.add_parser("run", help="run a scene and write its trajectories as CSV")
    _scene_flags(running)
    running.set_defaults(handler=cmd_run)
    scene = commands.add_parser("scene", help="write the scene the flags describe as JSON")
    _scene_flags(scene)
    scene.set_defaults(handler=cmd_scene)
    presets = commands.add_parser("presets", help="list the presets (the paper's figures and lessons)")
    presets.set_defaults(handler=cmd_presets)
    render = commands.add_parser("render", help="render a view to PNG, SVG, HTML or GIF without a browser")
    _scene_flags(render)
    from figures import VIEWS

    render.add_argument("--view", choices=(*VIEWS, *SWEEP_VIEWS), default="3d", help="which view (default 3d)")
    render.add_argument("--width", type=int, default=1200, help="pixels (default 1200)")
    render.add_argument("--height", type=int, default=800, help="pixels (default 800)")
    render.add_argument("--scale", type=float, default=2.0, help="pixel density for PNG (default 2)")
    render.add_argument("--resolution", type=int, default=128, help="grid cells per side for basins/hparams")
    render.add_argument("--claim", metavar="ID", help="the claim to show with --view claims (default C5)")
    render.set_defaults(handler=cmd_render)

    from analysis import cli as analysis_cli

    analysis_cli.add_parsers(commands, _scene_flags)
    try:
        import bench
    except ImportError:  # the benchmark is a development tool; the app does not need it
        bench = None
    if bench is not None:
        bench.add_parser(commands)
    return parser


def _attach_negative_values(argv: Sequence[str]) -> list[str]:
    """``--start -2,2.5`` → ``--start=-2,2.5``: argparse would take ``-2,2.5`` for an option."""
    joined: list[str] = []
    for arg in argv:
        if (
            joined
            and joined[-1].startswith("--")
            and "=" not in joined[-1]
            and len(arg) > 1
            and arg[0] == "-"
            and (arg[1].isdigit() or arg[1] == ".")
        ):
            joined[-1] = f"{joined[-1]}={arg}"
        else:
            joined.append(arg)
    return joined


def main(argv: Sequence[str] | None = None) -> int:
    from common.params import ParamError

    try:
        argv = sys.argv[1:] if argv is None else argv
        args = make_parser().parse_args(_attach_negative_values(argv))
        return args.handler(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ValueError, ParamError) as error:  # SceneError and friends
        message = " ".join(str(error).split())
        print(f"error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
