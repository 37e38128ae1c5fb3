"""Command line: list the catalog, run a scene to CSV, write a scene file.

    python cli.py list surfaces|schedules|optimizers|tasks [--verbose]
    python cli.py presets
    python cli.py run [--scene FILE | --preset ID] [flags] -o OUT.csv
    python cli.py run --task ID[:k=v,...] [--seeds 0,1,2] [flags] -o OUT.csv
    python cli.py scene [--scene FILE | --preset ID] [flags] -o SCENE.json
    python cli.py render [--scene FILE | --preset ID] [flags] [--view VIEW | --layout paper|slide]
                         [--column one|two | --width-mm MM] [--dpi N] [--camera X,Y,Z] [-o FILE|FOLDER]
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
    elif args.what == "tasks":
        from tasks.registry import TASKS as registry
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
    if scene.task is not None:
        return _run_task(scene, args.output)
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


def _run_task(scene: Any, output: str | None) -> int:
    """A task scene to CSV: one row per run per recorded step (tasks.export)."""
    from tasks import export
    from tasks.run import run_scene

    result = run_scene(scene)
    write(export.csv_text(result), output)
    if output not in (None, "-"):
        diverged = sum(result.status_name(i) == "diverged" for i in range(result.num_runs))
        accuracy = ", ".join(f"{a:.1%}" for a in result.test_accuracy[:, -1][:8])
        more = ", …" if result.num_runs > 8 else ""
        print(
            f"wrote {result.num_runs} runs × {len(result.record_steps)} recorded steps to {output} "
            f"({diverged} diverged; final test accuracy {accuracy}{more})"
        )
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
RENDER_FORMATS = ("png", "svg", "pdf", "html", "gif")


def _render_format(args: argparse.Namespace) -> str:
    """The file format: the extension of ``-o``, else ``--format``, else PNG."""
    output = args.output
    if output == "-":
        raise UsageError("render writes a file: give -o FILE or a folder (or leave -o out), not '-'")
    suffix = ""
    if output and not (Path(output).is_dir() or output.endswith(("/", "\\"))):
        suffix = Path(output).suffix.lower().lstrip(".")
        if suffix not in RENDER_FORMATS:
            allowed = ", ".join(f".{f}" for f in RENDER_FORMATS)
            raise UsageError(f"-o: the file must end in {allowed} (or be a folder), got {output!r}")
    if suffix and args.format and args.format != suffix:
        raise UsageError(f"--format {args.format} and -o {output!r} disagree; give one")
    return suffix or args.format or "png"


def _render_checks(args: argparse.Namespace, fmt: str) -> None:
    """Combinations of flags that mean nothing, rejected before any work."""
    from figures import VIEWS

    printed = args.column is not None or args.width_mm is not None
    if args.layout != "single":
        if args.view is not None:
            raise UsageError(f"--view picks one view for --layout single; --layout {args.layout} draws its own panels")
        if fmt == "gif":
            raise UsageError("a GIF shows one view: use --layout single")
    if args.layout == "slide" and printed:
        raise UsageError("a slide is 1920 × 1080 pixels: --column and --width-mm size a paper figure")
    if args.layout != "paper" and args.dpi is not None and not printed:
        raise UsageError("--dpi goes with a printed width: add --column one|two or --width-mm MM")
    if (args.layout != "single" or printed) and (args.width is not None or args.height is not None):
        raise UsageError("--width and --height size a single view in pixels; a printed or slide figure sizes itself")
    view = args.view or "3d"
    if fmt == "gif" and not (view in VIEWS and VIEWS[view].on_surface):
        animated = [v.id for v in VIEWS.values() if v.on_surface]
        choices = f"{', '.join(animated[:-1])} or {animated[-1]}"
        raise UsageError(f"a GIF animates the paths: use --view {choices}, not {view!r}")
    if fmt == "gif" and printed:
        raise UsageError("a GIF is sized in pixels: --column and --width-mm are for PNG, SVG and PDF")
    if args.camera is not None and args.layout == "single" and view != "3d":
        raise UsageError(f"--camera places the 3-D view's camera; --view {view} has none")


def _output_path(args: argparse.Namespace, name: str) -> Path:
    """``-o`` if it names a file; else ``name`` in the folder ``-o`` names (or here)."""
    if args.output and not (Path(args.output).is_dir() or args.output.endswith(("/", "\\"))):
        return Path(args.output)
    folder = Path(args.output or ".")
    if not folder.is_dir():
        raise UsageError(f"-o: no such folder {args.output!r}")
    return folder / name


def cmd_render(args: argparse.Namespace) -> int:
    """Renders a view, or the survey's panels laid out for a paper or a slide, without a browser window
    (kaleido drives Debian's chromium headless). The file embeds the scene."""
    from figures import layouts

    fmt = _render_format(args)
    scene = build_scene(args)
    if scene.task is not None:
        return _render_task(scene, args, fmt)
    _render_checks(args, fmt)
    try:
        camera = None if args.camera is None else layouts.parse_camera(args.camera)
        printed = args.layout == "paper" or args.column is not None or args.width_mm is not None
        size = layouts.PrintSize.of(args.width_mm, args.column, args.dpi) if printed else None
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.view in TASK_ONLY_VIEWS:
        raise UsageError(f"--view {args.view} draws a task; add --task ID (python cli.py list tasks)")
    import figures
    from figures import export as figure_export

    view = args.view or "3d"
    if view in SWEEP_VIEWS:
        if args.layout != "single":
            raise UsageError(f"--layout {args.layout} lays out one run's views; --view {view} is a sweep")
        fig = _sweep_figure(args, scene, view)
        if size is not None:
            fig = layouts.print_figure(fig, size)
        elif fmt != "html":
            import plotly.graph_objects as go

            fig = go.Figure(data=fig.data, layout={**fig.layout.to_plotly_json(), **_pixels(args)})
        prepared = layouts.Prepared(fig, view, size, size.scale() if size else args.scale or 2.0)
    else:
        from engine.simulate import run

        result = run(scene)
        surface = landscapes_registry()[scene.surface.id]
        grid = figures.surface_grid(scene.surface.id, scene.surface.params, surface.window)
        if fmt == "gif":
            path = _output_path(args, layouts.file_name(scene, view, "gif"))
            write(figure_export.to_gif(result, grid, log_z=surface.log_z), str(path))
            sidecar = path.with_name(path.stem + ".scene.json")
            write(scene.to_json() + "\n", str(sidecar))
            print(f"wrote {path} and its scene {sidecar}")
            return 0
        prepared = layouts.prepare(
            result,
            grid,
            surface.log_z,
            layout=args.layout,
            view=view,
            size=size,
            camera=camera,
            loss_x_axis=_loss_x_axis(args),
            scale=args.scale or (1.0 if args.layout == "slide" else 2.0),
            **_pixels(args),
        )
    path = _output_path(args, layouts.file_name(scene, prepared.what, fmt, prepared.size))
    about = layouts.describe(scene, prepared, path.name, camera)
    dpi = prepared.size.dpi if prepared.size else None
    width_mm = prepared.size.width_mm if prepared.size else None
    try:
        data = figure_export.export_file(
            prepared.figure, fmt, scale=prepared.scale, dpi=dpi, width_mm=width_mm, about=about
        )
    except ValueError as error:  # e.g. a size too small for the figure's titles and legend
        raise UsageError(f"--width/--height: {error}") from None
    write(data, str(path))
    width, height = prepared.figure.layout.width, prepared.figure.layout.height
    if prepared.size is not None:
        height_mm = prepared.size.width_mm * height / width
        detail = f"{prepared.size.width_mm:g} × {height_mm:.0f} mm"
        if fmt == "png":
            detail += f", {round(width * prepared.scale)} × {round(height * prepared.scale)} px at {dpi} dpi"
    else:
        detail = f"{width} × {height} px" + (f" × {prepared.scale:g}" if fmt == "png" and prepared.scale != 1 else "")
    print(f"wrote {path} ({detail})")
    return 0


TASK_ONLY_VIEWS = ("curves", "landscape", "interpolation")


def _render_task(scene: Any, args: argparse.Namespace, fmt: str) -> int:
    """Renders a view of a trained task (figures.views.TASK_VIEWS); the file embeds the scene."""
    from figures import export as figure_export
    from figures import layouts
    from figures import tasks as figures_tasks
    from figures.views import TASK_VIEWS, TaskViewOptions
    from tasks.run import run_scene

    view = args.view or "curves"
    if view not in TASK_VIEWS:
        raise UsageError(f"--view {view} draws a surface; a task's views are {', '.join(TASK_VIEWS)}")
    if args.layout != "single":
        raise UsageError(f"--layout {args.layout} lays out a surface's views; a task draws one view at a time")
    if fmt == "gif" and not TASK_VIEWS[view].animated:
        raise UsageError(f"a GIF animates the paths: use --view playback, not {view!r}")
    runs = scene.num_runs
    for flag, value in (("--run", args.run), ("--other", args.other)):
        if value is not None and not 0 <= value < runs:
            raise UsageError(f"{flag}: the scene has runs 0 … {runs - 1} (optimizer, then schedule, then seed)")
    options = TaskViewOptions(
        run=args.run or 0,
        directions=args.directions,
        fit=args.fit,
        resolution=args.grid,
        other=args.other,
        x="grad_evals" if args.x_axis == "evaluations" else "steps",
    )
    result = run_scene(scene)
    path = _output_path(args, layouts.file_name(scene, view, fmt))
    if fmt == "gif":
        data = figures_tasks.landscape_data(
            result, options.run, fit=options.fit, resolution=options.resolution, directions="pca"
        )
        write(figures_tasks.playback_gif(data), str(path))
        sidecar = path.with_name(path.stem + ".scene.json")
        write(scene.to_json() + "\n", str(sidecar))
        print(f"wrote {path} and its scene {sidecar}")
        return 0
    fig = TASK_VIEWS[view].draw(result, options)
    if fmt != "html":
        import plotly.graph_objects as go

        fig = go.Figure(data=fig.data, layout={**fig.layout.to_plotly_json(), **_pixels(args)})
    about = figure_export.About(
        scene=scene.to_json(),
        title=f"{layouts.scene_title(scene)} ({view})",
        command=f"python cli.py render --scene {path.name} --view {view} -o {path.name}",
    )
    try:
        data = figure_export.export_file(fig, fmt, scale=args.scale or 2.0, about=about)
    except ValueError as error:
        raise UsageError(f"--width/--height: {error}") from None
    write(data, str(path))
    print(f"wrote {path}")
    return 0


def _pixels(args: argparse.Namespace) -> dict[str, int]:
    return {"width": args.width or 1200, "height": args.height or 800}


def _sweep_figure(args: argparse.Namespace, scene: Any, view: str) -> Any:
    import analysis

    if view == "claims":
        from figures.claims import claims_figure

        claim = args.claim or "C5"
        if claim not in analysis.CLAIMS:
            raise UsageError(f"--claim: unknown claim {claim!r}; allowed: {', '.join(analysis.CLAIMS)}")
        return claims_figure(analysis.check(claim))
    if view == "basins":
        from figures.sweeps import basins_figure

        return basins_figure(analysis.basins(scene, resolution=args.resolution))
    from figures.sweeps import hparam_figure

    return hparam_figure(analysis.hparam_map(scene, resolution=min(args.resolution, 64)))


def presets_registry() -> dict[str, Any]:
    from presets import PRESETS

    return PRESETS


X_AXES = {"steps": "steps", "evaluations": "gradient evaluations"}  # --x-axis -> the loss figure's x axis


def _loss_x_axis(args: argparse.Namespace) -> str:
    """What the loss counts: ``--x-axis``, else the preset's (a line search per gradient evaluation), else steps."""
    if args.x_axis:
        return X_AXES[args.x_axis]
    return presets_registry()[args.preset].loss_x_axis if getattr(args, "preset", None) else "steps"


def landscapes_registry() -> dict[str, Any]:
    from landscapes import SURFACES

    return SURFACES


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python cli.py", description="Optimizers and LR schedules on 2-D surfaces.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    listing = commands.add_parser("list", help="list surfaces, schedules or optimizers")
    listing.add_argument("what", choices=("surfaces", "schedules", "optimizers", "tasks"))
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
    render = commands.add_parser(
        "render", help="render a view, or a paper or slide figure, to PNG, SVG, PDF, HTML or GIF without a browser"
    )
    scene_flags(render)
    from figures import VIEWS
    from figures.layouts import COLUMNS_MM, LAYOUTS

    render.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="single",
        help="single: one view (default); paper: the survey's lettered panels at a column's width; slide: 16:9",
    )
    from figures.views import TASK_VIEWS

    views = tuple(dict.fromkeys((*VIEWS, *SWEEP_VIEWS, *TASK_VIEWS)))
    render.add_argument(
        "--view", choices=views, help="the view of --layout single (default 3d; a task's default: curves)"
    )
    render.add_argument("--format", choices=RENDER_FORMATS, help="when -o is a folder or left out (default png)")
    render.add_argument(
        "--column",
        choices=tuple(COLUMNS_MM),
        help=f"print at a journal column's width: one ({COLUMNS_MM['one']:g} mm) or two ({COLUMNS_MM['two']:g} mm)",
    )
    render.add_argument("--width-mm", type=float, metavar="MM", help="print at this width in millimetres")
    render.add_argument("--dpi", type=int, help="pixels per inch of a printed PNG (default 300)")
    render.add_argument("--camera", metavar="X,Y,Z|JSON", help="the 3-D camera: an eye x,y,z or Plotly camera JSON")
    render.add_argument("--width", type=int, help="pixels of a single view (default 1200)")
    render.add_argument("--height", type=int, help="pixels of a single view (default 800)")
    render.add_argument("--scale", type=float, help="PNG pixel density of a pixel-sized figure (default 2; slide 1)")
    render.add_argument("--resolution", type=int, default=128, help="grid cells per side for basins/hparams")
    render.add_argument("--claim", metavar="ID", help="the claim to show with --view claims (default C5)")
    task_views = render.add_argument_group("views of a task (--task)")
    task_views.add_argument("--run", type=int, metavar="N", help="the chosen run: landscape centre (default 0)")
    task_views.add_argument("--other", type=int, metavar="N", help="interpolate between the final weights of two runs")
    task_views.add_argument("--directions", choices=("pca", "random"), default="pca", help="the landscape's plane")
    task_views.add_argument(
        "--fit", choices=("seed", "all"), default="seed", help="fit the PCA to the chosen run's seed (default) or all"
    )
    task_views.add_argument("--grid", type=int, default=41, metavar="N", help="landscape points per side (41)")
    render.add_argument(
        "--x-axis",
        choices=tuple(X_AXES),
        help="what the loss (and a task's curves) count: steps or gradient evaluations (default: the preset's, "
        "else steps)",
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
