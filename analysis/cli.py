"""Command-line hooks: ``claims``, ``lrsearch`` and ``basins`` subcommands for ``python cli.py``.

    python cli.py claims [--claim C5 ...] [--json]
    python cli.py lrsearch [scene flags] [--candidates 200] [--objective distance2] [--mode shared] [-o SCENE.json]
    python cli.py basins [scene flags] [--resolution 256] [--pair 0,1 ...] [-o CELLS.csv]

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
