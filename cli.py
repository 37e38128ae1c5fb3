"""Command line: list the catalog, run a scene to CSV, write a scene file.

    python cli.py list surfaces|schedules|optimizers [--verbose]
    python cli.py presets
    python cli.py run [--scene FILE | --preset ID] [flags] -o OUT.csv
    python cli.py scene [--scene FILE | --preset ID] [flags] -o SCENE.json
    python cli.py render [--scene FILE | --preset ID] [flags] --view VIEW -o FILE.png|svg|html|gif
    python cli.py claims | lrsearch | basins | bench   (see --help of each)

Flags override the scene file (the flags and the Scene they build: ``commandline``). Bad arguments exit
with code 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from commandline import UsageError, build_scene, scene_flags, write


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, no usage dump
        raise UsageError(message)


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


_GREEK = dict(
    zip("alpha beta gamma delta epsilon eta lambda mu rho sigma varphi xi".split(), "αβγδεηλμρσφξ", strict=True)
)


def _plain_symbol(latex: str) -> str:
    """A spec's LaTeX symbol as plain text: ``\\eta_{\\min}`` → ``η_min``."""
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m[1], m[1]), latex)
    return text.replace("{", "").replace("}", "")


def _describe_equivalents(registry: dict[str, Any], entry: Any, kind: str) -> list[str]:
    """``--verbose``: the symbols the mappings use, then one line per equivalent: its name, how it maps,
    and what the name alone stands for where that is not this entry."""
    from common.registry import resolve_name

    if not getattr(entry, "equivalents", ()):
        return []
    symbols = [f"{_plain_symbol(spec.symbol)} = {name}" for name, spec in entry.params.items() if spec.symbol]
    symbols += ["η0 = the base LR", "T = the run length"] if kind == "schedule" else ["η = the schedule's LR"]
    lines = [f"    symbols: {', '.join(symbols)}"]
    for eq in entry.equivalents:
        note = ""
        if eq.select and not eq.alias:
            note = f" (picked by {', '.join(f'{k}={v!r}' for k, v in eq.select.items())})"
        elif not eq.alias:
            own = {name: spec.default for name, spec in entry.params.items()}
            try:
                alone = resolve_name(registry, eq.qualified, {}, kind=kind).id
            except ValueError:
                alone = None
            try:
                with_own = resolve_name(registry, eq.qualified, own, kind=kind).id if own else None
            except ValueError:
                with_own = None
            if alone is None:
                note = " (several entries are one: give this id)"
            elif with_own == entry.id:
                note = f" (the name alone: {alone}; with {', '.join(f'{n}=' for n in own)}: {entry.id})"
            else:
                note = f" (the name alone: {alone})"
        lines.append(f"    {eq.qualified}: {eq.mapping}{note}")
    return lines


def cmd_list(args: argparse.Namespace) -> int:
    if args.what == "surfaces":
        from landscapes import SURFACES as registry
    elif args.what == "schedules":
        from schedules import SCHEDULES as registry
    else:
        from optimizers import OPTIMIZERS as registry
    kind = args.what.removesuffix("s")
    for entry_id, entry in registry.items():
        print(f"{entry_id}\t{entry.name}\t{_describe_params(dict(entry.params))}")
        if args.verbose:
            for line in _describe_equivalents(registry, entry, kind):
                print(line)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    scene = build_scene(args)
    from engine import export
    from engine.simulate import run

    result = run(scene)
    write(export.csv_text(result), args.output)
    if args.output not in (None, "-"):
        counts: dict[str, int] = {}
        for i in range(result.num_runs):
            counts[result.status_name(i)] = counts.get(result.status_name(i), 0) + 1
        summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        print(f"wrote {result.num_runs} trajectories × {scene.steps + 1} steps to {args.output} ({summary})")
    return 0


def cmd_scene(args: argparse.Namespace) -> int:
    scene = build_scene(args)
    write(scene.to_json() + "\n", args.output)
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
            write(figure_export.to_gif(result, grid, log_z=surface.log_z), args.output)
            print(f"wrote {args.output}")
            return 0
        x_axis = args.x_axis or (presets_registry()[args.preset].loss_x_axis if args.preset else "steps")
        if args.view == "loss" and x_axis != "steps":  # a preset's loss per gradient evaluation (a line search)
            from figures.paths import loss_figure

            fig = loss_figure(result, x_axis=x_axis)
        else:
            fig = VIEWS[args.view].draw(result, grid, surface.log_z)
    if suffix == "html":
        write(figure_export.to_html(fig), args.output)
    elif suffix == "png":
        write(figure_export.to_png(fig, args.width, args.height, args.scale), args.output)
    else:
        write(figure_export.to_svg(fig, args.width, args.height), args.output)
    print(f"wrote {args.output}")
    return 0


def presets_registry() -> dict[str, Any]:
    from presets import PRESETS

    return PRESETS


def landscapes_registry() -> dict[str, Any]:
    from landscapes import SURFACES

    return SURFACES


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python cli.py", description="Optimizers and LR schedules on 2-D surfaces.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    listing = commands.add_parser("list", help="list surfaces, schedules or optimizers")
    listing.add_argument("what", choices=("surfaces", "schedules", "optimizers"))
    listing.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also each entry's equivalents in torch, optax, Keras (the names --schedule and --optimizer accept)",
    )
    listing.set_defaults(handler=cmd_list)
    running = commands.add_parser("run", help="run a scene and write its trajectories as CSV")
    scene_flags(running)
    running.set_defaults(handler=cmd_run, computes=True)
    scene = commands.add_parser("scene", help="write the scene the flags describe as JSON")
    scene_flags(scene)
    scene.set_defaults(handler=cmd_scene)
    presets = commands.add_parser("presets", help="list the presets (the paper's figures and lessons)")
    presets.set_defaults(handler=cmd_presets)
    render = commands.add_parser("render", help="render a view to PNG, SVG, HTML or GIF without a browser")
    scene_flags(render)
    from figures import VIEWS

    render.add_argument("--view", choices=(*VIEWS, *SWEEP_VIEWS), default="3d", help="which view (default 3d)")
    render.add_argument("--width", type=int, default=1200, help="pixels (default 1200)")
    render.add_argument("--height", type=int, default=800, help="pixels (default 800)")
    render.add_argument("--scale", type=float, default=2.0, help="pixel density for PNG (default 2)")
    render.add_argument("--resolution", type=int, default=128, help="grid cells per side for basins/hparams")
    render.add_argument("--claim", metavar="ID", help="the claim to show with --view claims (default C5)")
    render.add_argument(
        "--x-axis",
        choices=("steps", "gradient evaluations"),
        help="what --view loss counts (default: the preset's, else steps)",
    )
    render.set_defaults(handler=cmd_render, computes=True)

    from analysis import cli as analysis_cli

    analysis_cli.add_parsers(commands)
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
        if getattr(args, "computes", False):  # the commands that run the engine; listing never starts JAX
            import engine

            engine.configure()
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
