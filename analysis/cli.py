"""Command-line hooks: ``claims``, ``lrsearch``, ``basins`` and ``arena`` subcommands for ``python cli.py``.

    python cli.py claims [--claim C5 ...] [--json]
    python cli.py lrsearch [scene flags] [--candidates 200] [--objective distance2] [--mode shared] [-o SCENE.json]
    python cli.py basins [scene flags] [--resolution 256] [--pair 0,1 ...] [-o CELLS.csv]
    python cli.py arena [scene flags] [--family adam ...] [--candidates 100] [--rank-by tuned] [-o ARENA.csv|.png]

``add_parsers(subparsers)`` registers them with the same scene flags as ``python cli.py run``; each
``main(args) -> int`` builds its scene with ``commandline.build_scene(args)``. They run the engine, so
their parsers set ``computes=True``: ``cli.main`` configures JAX first.
"""

from __future__ import annotations

import argparse
import io
import json
from typing import Any

from commandline import UsageError, build_scene, scene_flags, write


def add_parsers(subparsers: Any) -> None:
    """Registers ``claims``, ``lrsearch`` and ``basins`` on an argparse subparsers object."""
    claims = subparsers.add_parser("claims", help="check the paper's claims C1–C18 live and print the verdicts")
    claims.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable), e.g. C5")
    claims.add_argument("--json", action="store_true", help="print the table as JSON")
    claims.set_defaults(handler=claims_main, computes=True)

    search = subparsers.add_parser("lrsearch", help="tune η0 as the reference did, all candidates in one batch")
    scene_flags(search)
    search.add_argument("--candidates", type=int, default=200, metavar="N", help="η0 values to try (default 200)")
    search.add_argument("--low", type=float, metavar="LR", help="smallest η0 (default: the reference's range)")
    search.add_argument("--high", type=float, metavar="LR", help="largest η0 (default: the reference's range)")
    search.add_argument("--objective", choices=("distance2", "final_loss", "steps_to_tol"), default="distance2")
    search.add_argument("--mode", choices=("shared", "per_schedule"), default="shared")
    search.add_argument("--search-steps", type=int, default=200, metavar="N", help="steps per search run (200)")
    search.add_argument("--json", action="store_true", help="print the result as JSON")
    search.set_defaults(handler=lrsearch_main, computes=True)

    basin = subparsers.add_parser("basins", help="where a grid of start points ends up, per optimizer × schedule")
    scene_flags(basin)
    basin.add_argument("--resolution", type=int, default=256, metavar="N", help="cells per side (default 256)")
    basin.add_argument("--pair", action="append", metavar="O,S", help="optimizer,schedule indices (repeatable)")
    basin.add_argument("--json", action="store_true", help="print the summary as JSON")
    basin.set_defaults(handler=basins_main, computes=True)

    fight = subparsers.add_parser(
        "arena", help="every optimizer (or --optimizer / --family) with its own tuned η0: ranking and gallery"
    )
    scene_flags(fight)
    fight.add_argument(
        "--family", action="append", metavar="ID", help="every optimizer of this family (repeatable), e.g. adam"
    )
    fight.add_argument("--schedule-index", type=int, default=0, metavar="I", help="which --schedule runs (default 0)")
    fight.add_argument("--candidates", type=int, default=100, metavar="N", help="η0 values per optimizer (100)")
    fight.add_argument("--low", type=float, metavar="LR", help="smallest η0 (default 1e-5)")
    fight.add_argument("--high", type=float, metavar="LR", help="largest η0 (default 10)")
    fight.add_argument("--objective", choices=("distance2", "final_loss", "steps_to_tol"), default="distance2")
    fight.add_argument(
        "--rank-by", choices=("tuned", "steps", "evals", "robustness", "robustness_evals"), default="tuned"
    )
    fight.add_argument("--json", action="store_true", help="print the ranked table as JSON")
    fight.set_defaults(handler=arena_main, computes=True)


def claims_main(args: argparse.Namespace) -> int:
    from analysis.claims import CLAIMS, check_all, claims_table
    from analysis.task_claims import TASK_CLAIMS  # Section 4.2's, on a network (C15–C18), after Section 4.1's
    from analysis.task_claims import check_all as check_task_claims

    known = [*CLAIMS, *TASK_CLAIMS]
    ids = [c.upper() for c in args.claim] if args.claim else known
    unknown = [c for c in ids if c not in known]
    if unknown:
        raise UsageError(f"--claim: unknown {', '.join(unknown)}; known: {', '.join(known)}")
    surface_ids, task_ids = [c for c in ids if c in CLAIMS], [c for c in ids if c in TASK_CLAIMS]
    verdicts = [*(check_all(surface_ids) if surface_ids else []), *(check_task_claims(task_ids) if task_ids else [])]
    rows = claims_table(verdicts)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        print(f"{row['id']}\t{row['verdict']}\t{row['robustness']:.2f}\t{row['claim']}\t{row['reason']}")
    return 0


def lrsearch_main(args: argparse.Namespace) -> int:
    from analysis.lrsearch import apply, lr_search

    scene = build_scene(args)
    search = lr_search(
        scene,
        candidates=args.candidates,
        low=args.low,
        high=args.high,
        objective=args.objective,
        mode=args.mode,
        steps=args.search_steps,
    )
    rows = [
        {"schedule": label, "best": float(best), "chosen": float(chosen)}
        for label, best, chosen in zip(search.schedule_labels, search.best, search.chosen, strict=True)
    ]
    summary = {
        "objective": search.objective_name,
        "mode": search.mode,
        "candidates": int(search.candidates.size),
        "range": [float(search.candidates[0]), float(search.candidates[-1])],
        "steps": search.steps,
        "trajectories": search.trajectories,
        "seconds": round(search.seconds, 3),
        "schedules": rows,
    }
    if args.output not in (None, "-"):
        write(apply(scene, search).to_json() + "\n", args.output)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for row in rows:
            print(f"{row['schedule']}\tbest {row['best']:.4g}\tchosen {row['chosen']:.4g}")
        print(
            f"{search.trajectories:,} runs of {search.steps} steps in {search.seconds:.2f} s "
            f"({search.objective_name}, {search.mode})"
        )
        if args.output not in (None, "-"):
            print(f"wrote the scene with the chosen η0 to {args.output}")
    return 0


def _pairs(texts: list[str] | None) -> list[tuple[int, int]] | None:
    if not texts:
        return None
    pairs = []
    for text in texts:
        parts = text.split(",")
        try:
            if len(parts) != 2:
                raise ValueError
            pairs.append((int(parts[0]), int(parts[1])))
        except ValueError:
            raise UsageError(f"--pair: expected two indices O,S (e.g. 0,2), got {text!r}") from None
    return pairs


def basins_main(args: argparse.Namespace) -> int:
    import numpy as np

    from analysis.basins import basins

    scene = build_scene(args)
    result = basins(scene, resolution=args.resolution, pairs=_pairs(args.pair))
    summary = {
        "resolution": result.resolution,
        "seconds": round(result.seconds, 3),
        "pairs": [
            {"pair": list(pair), "label": label, "fractions": result.fractions(k)}
            for k, (pair, label) in enumerate(zip(result.pairs, result.labels, strict=True))
        ],
    }
    if args.output not in (None, "-"):
        buffer = io.StringIO()
        buffer.write("pair,i,j,x,y,outcome,category,steps\n")
        ii, jj = np.meshgrid(np.arange(len(result.ys)), np.arange(len(result.xs)), indexing="ij")
        for k in range(len(result.pairs)):
            for i, j in zip(ii.ravel(), jj.ravel(), strict=True):
                code = int(result.outcome[k, i, j])
                steps = result.steps[k, i, j]
                buffer.write(
                    f"{k},{i},{j},{result.xs[j]:.6g},{result.ys[i]:.6g},{code},{result.categories[code]},"
                    f"{'' if np.isnan(steps) else int(steps)}\n"
                )
        write(buffer.getvalue(), args.output)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    for row in summary["pairs"]:
        shares = ", ".join(f"{name} {share:.1%}" for name, share in row["fractions"].items())
        print(f"{row['label']}\t{shares}")
    cells = result.resolution**2 * len(result.pairs)
    print(f"{cells:,} runs of {scene.steps} steps in {result.seconds:.2f} s")
    return 0


ARENA_IMAGES = ("png", "svg", "html")


def arena_main(args: argparse.Namespace) -> int:
    """The arena: ``-o FILE.csv`` writes the ranking, ``-o FILE.png|svg|html`` the gallery; the table is printed."""
    from pathlib import Path

    from analysis.arena import arena, csv_text, default_optimizers, table
    from commandline import parse_entry, resolve_entry

    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output not in (None, "-") else ""
    if suffix and suffix not in ("csv", *ARENA_IMAGES):
        raise UsageError(f"-o: the file must end in .csv, .png, .svg or .html, got {args.output!r}")
    if args.optimizer and args.family:
        raise UsageError("--optimizer and --family both choose the optimizers; use one")
    flags = argparse.Namespace(**{**vars(args), "optimizer": None})  # the arena takes more than a scene's 16
    scene = build_scene(flags)
    if args.optimizer:
        specs: Any = [
            resolve_entry(parse_entry(text, "--optimizer"), "optimizer", "--optimizer") for text in args.optimizer
        ]
    else:
        specs = default_optimizers(args.family)
    if not 0 <= args.schedule_index < len(scene.schedules):
        raise UsageError(
            f"--schedule-index: the scene has {len(scene.schedules)} schedule(s), so use 0 … {len(scene.schedules) - 1}"
        )
    result = arena(
        scene,
        specs,
        schedule=args.schedule_index,
        candidates=args.candidates,
        low=args.low,
        high=args.high,
        objective=args.objective,
    )
    rows = table(result, args.rank_by)
    if suffix == "csv":
        write(csv_text(result, args.rank_by), args.output)
    elif suffix:
        from figures import export as figure_export
        from figures.arena import gallery_figure

        figure = gallery_figure(result, order=[row["index"] for row in rows], ranked_by=args.rank_by)
        height = int(figure.layout.height)
        if suffix == "png":
            write(figure_export.to_png(figure, 1400, height, 2.0), args.output)
        elif suffix == "svg":
            write(figure_export.to_svg(figure, 1400, height), args.output)
        else:
            write(figure_export.to_html(figure), args.output)
    if args.json:
        print(
            json.dumps([{k: v for k, v in row.items() if k != "index"} for row in rows], indent=2, ensure_ascii=False)
        )
        return 0
    print(f"rank\toptimizer\ttuned η0\t{result.objective_name}\treached\tsteps\tevals\trobustness\tedge")
    for row in rows:
        print(
            f"{row['rank']}\t{row['optimizer']}\t{_cell(row['tuned η0'])}\t{_cell(row[result.objective_name])}\t"
            f"{row['reached (steps)']:.0%}\t{_cell(row['steps to reach'])}\t{_cell(row['evals to reach'])}\t"
            f"{row['robustness (steps)']:.0%}\t{row['edge']}"
        )
    print(
        f"{result.trajectories:,} runs of {result.steps} steps ({result.schedule.label}) in {result.seconds:.2f} s, "
        f"{result.compilations} compiled; ranked by {args.rank_by}"
    )
    if suffix:
        print(f"wrote {args.output}")
    return 0


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"
