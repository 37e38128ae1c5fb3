"""The analysis subcommands, registered on a parser like ``python cli.py``'s."""

import json

import pytest

import cli
from analysis.cli import add_parsers
from engine.scene import Scene


def run_cli(argv: list[str]) -> int:
    parser = cli._Parser(prog="python cli.py")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=cli._Parser)
    add_parsers(commands)
    args = parser.parse_args(cli._attach_negative_values(argv))
    return args.handler(args)


def test_lrsearch_prints_and_writes_the_tuned_scene(tmp_path, capsys):
    out = tmp_path / "tuned.json"
    argv = ["lrsearch", "--surface", "rosenbrock", "--start", "-2,2.5", "--schedule", "constant_lr", "--schedule",
            "cosine_lr", "--candidates", "20", "--search-steps", "50", "--steps", "100", "-o", str(out)]  # fmt: skip
    assert run_cli(argv) == 0
    printed = capsys.readouterr().out
    assert "constant_lr\tbest" in printed and "40 runs of 50 steps" in printed
    tuned = Scene.from_json(out.read_text())
    assert tuned.lr == pytest.approx(float(printed.split("chosen ")[1].split()[0]), rel=1e-3)
    assert run_cli([*argv[:-2], "--mode", "per_schedule", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["mode"] == "per_schedule" and len(summary["schedules"]) == 2


def test_basins_summary_and_cells(tmp_path, capsys):
    out = tmp_path / "cells.csv"
    argv = ["basins", "--surface", "himmelblau", "--optimizer", "momentum:momentum=0.9", "--lr", "0.01",
            "--steps", "100", "--resolution", "8", "--json", "-o", str(out)]  # fmt: skip
    assert run_cli(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["resolution"] == 8 and len(summary["pairs"]) == 1
    lines = out.read_text().splitlines()
    assert lines[0] == "pair,i,j,x,y,outcome,category,steps" and len(lines) == 1 + 64
    with pytest.raises(cli.UsageError, match="--pair"):
        run_cli(["basins", "--surface", "himmelblau", "--resolution", "8", "--pair", "0"])


def test_claims_table(capsys):
    assert run_cli(["claims", "--claim", "c6"]) == 0
    row = capsys.readouterr().out.strip().split("\t")
    assert row[:3] == ["C6", "holds", "1.00"] and len(row) == 5
    with pytest.raises(cli.UsageError, match="unknown C99"):
        run_cli(["claims", "--claim", "C99"])
