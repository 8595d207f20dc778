"""`python -m bench generalisation`: detection and tracing on every world and on real data,
through the stable CLI verbs only, as an outside evaluator runs them.

For each world (the named ones and random:1..3 by default) the installed `mrvtrace` generates
a fleet (120 enterprises × 24 months) with faults and its fault-free twin (same seed,
`--fault-rate 0`); each dataset is loaded into a fresh embedded store (its own MRVTRACE_HOME),
swept and exported with `mrvtrace findings`, and the export is scored against `faults.csv`
(bench/generalisation_scores.py). The real sample (`../shared/data/us-coal-2008-2012` from the
repository root, no ground truth) gets its flagged share, the share of idle months flagged and
the top flags with the raw figures around them and `mrvtrace why`'s reason. Writes
bench/results/generalisation.json and generalisation.md (bench/generalisation_table.py).

    python -m bench generalisation
    python -m bench generalisation --worlds baseline us_like --enterprises 60 --months 12
    python -m bench generalisation --worlds --out-dir bench/results/generalisation-real
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from bench import generalisation_scores as scores
from bench.generalisation_table import render
from bench.machine import machine_info
from synthetic.worlds import NAMED_WORLDS, resolve_world

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORLDS = (*NAMED_WORLDS, "random:1", "random:2", "random:3")
DEFAULT_REAL = Path("..") / "shared" / "data" / "us-coal-2008-2012"
# A finished verb never takes this long here; a hung one must not hold the whole run.
VERB_TIMEOUT_S = 1800
WHY_TIMEOUT_S = 300
# Wide enough that `why` prints its reason on one line.
TERMINAL_COLUMNS = "250"


@dataclass
class Run:
    """One dataset through load → sweep → findings: where, how long, and how it ended."""

    name: str
    folder: Path
    home: Path
    findings: Path
    seconds: dict[str, float] = field(default_factory=dict)
    error: str | None = None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench generalisation", description=__doc__.splitlines()[0]
    )
    add_arguments(parser)
    return parser.parse_args(argv)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--worlds",
        nargs="*",
        default=list(DEFAULT_WORLDS),
        metavar="WORLD",
        help="worlds to run (default: the named ones and random:1..3; none: the real data only)",
    )
    parser.add_argument("--enterprises", type=int, default=120)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1, help="dataset seed of every world")
    parser.add_argument("--fault-rate", type=float, default=0.03)
    parser.add_argument(
        "--real",
        type=Path,
        default=DEFAULT_REAL,
        help="real dataset folder, relative to the repository root (default %(default)s)",
    )
    parser.add_argument("--no-real", action="store_true", help="skip the real dataset")
    parser.add_argument("--top", type=int, default=20, help="real-data flags listed")
    parser.add_argument("--why", type=int, default=20, help="of those, explained by `why`")
    parser.add_argument("--jobs", type=int, default=2, help="datasets processed at once")
    parser.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "generalisation")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--mrvtrace", help="the CLI to evaluate (default: the installed one)")


def mrvtrace_command(explicit: str | None) -> str:
    """The `mrvtrace` beside this interpreter (the venv's), else the one on PATH."""
    if explicit:
        return explicit
    beside = Path(sys.executable).parent / "mrvtrace"
    found = str(beside) if beside.exists() else shutil.which("mrvtrace")
    if found is None:
        raise SystemExit("mrvtrace is not installed: pip install -e .")
    return found


class Cli:
    def __init__(self, command: str) -> None:
        self.command = command

    def run(
        self, args: list[str], home: Path | None = None, timeout: float = VERB_TIMEOUT_S
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, MRVTRACE_STORE="embedded", COLUMNS=TERMINAL_COLUMNS)
        if home is not None:
            env["MRVTRACE_HOME"] = str(home)
        return subprocess.run(
            [self.command, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def generate(
    cli: Cli, folder: Path, world: str, args: argparse.Namespace, clean: bool
) -> str | None:
    """Generate one dataset; the error text, or None."""
    shutil.rmtree(folder, ignore_errors=True)
    command = [
        "generate",
        "--out",
        str(folder),
        "--world",
        world,
        "--seed",
        str(args.seed),
        "--months",
        str(args.months),
        "--enterprises",
        str(args.enterprises),
    ]
    command += ["--fault-rate", "0" if clean else str(args.fault_rate)]
    done = cli.run(command)
    return None if done.returncode == 0 else _tail(done.stderr or done.stdout)


def load_sweep_export(cli: Cli, run: Run) -> Run:
    """load, sweep and findings of `run.folder` in a fresh MRVTRACE_HOME."""
    shutil.rmtree(run.home, ignore_errors=True)
    run.home.mkdir(parents=True)
    steps = {
        "load": ["load", str(run.folder)],
        "sweep": ["sweep", "--full"],
        "findings": ["findings", "--out", str(run.findings)],
    }
    for step, command in steps.items():
        started = time.perf_counter()
        done = cli.run(command, home=run.home)
        run.seconds[step] = round(time.perf_counter() - started, 1)
        if done.returncode != 0:
            run.error = f"`mrvtrace {step}` exited {done.returncode}: " + _tail(
                done.stderr or done.stdout
            )
            break
    return run


def world_runs(cli: Cli, world: str, args: argparse.Namespace) -> dict[str, Run]:
    """The faulty dataset of `world` and its clean twin, each generated, loaded, swept and
    exported."""
    slug = world.replace(":", "-")
    runs = {}
    for kind in ("faulty", "clean"):
        name = f"{slug}-{kind}"
        run = Run(
            name,
            args.workdir / name,
            args.workdir / f"home-{name}",
            args.workdir / f"findings-{name}.csv",
        )
        started = time.perf_counter()
        run.error = generate(cli, run.folder, world, args, clean=kind == "clean")
        run.seconds["generate"] = round(time.perf_counter() - started, 1)
        runs[kind] = run if run.error else load_sweep_export(cli, run)
    return runs


def score_world(world: str, runs: dict[str, Run]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "world": world,
        "parameters": resolve_world(world).parameters(),
        "seconds": {kind: run.seconds for kind, run in runs.items()},
    }
    errors = {kind: run.error for kind, run in runs.items() if run.error}
    if errors:
        return result | {"errors": errors}
    faulty, clean = runs["faulty"], runs["clean"]
    truth = scores.fault_unit_months(pd.read_csv(faulty.folder / "faults.csv", dtype=str))
    result["faulty"] = scores.score_faulty(
        scores.read_findings(faulty.findings),
        truth,
        len(scores.current_unit_months(faulty.folder)),
    )
    result["clean"] = scores.score_clean(
        scores.read_findings(clean.findings), len(scores.current_unit_months(clean.folder))
    )
    result["checks"] = scores.checks(result["faulty"] | result["clean"])
    return result


ROOT_CAUSE = re.compile(r"Root cause:\s*(.*?)(?:\n\s*\n|\n[┏┃│]|\Z)", re.S)


def why_reason(cli: Cli, home: Path, unit_id: str, period: str) -> str | None:
    """`mrvtrace why`'s one-line reason (its "Root cause:" sentence), or None."""
    try:
        done = cli.run(["why", unit_id, "--period", period], home=home, timeout=WHY_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None
    found = ROOT_CAUSE.search(done.stdout)
    return " ".join(found.group(1).split()) if done.returncode == 0 and found else None


def real_run(cli: Cli, args: argparse.Namespace) -> Run:
    folder = (ROOT / args.real).resolve()
    run = Run("real", folder, args.workdir / "home-real", args.workdir / "findings-real.csv")
    if not (folder / "unit_month.csv").exists():
        run.error = f"no dataset at {args.real}"
        return run
    return load_sweep_export(cli, run)


def score_real(cli: Cli, run: Run, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"dataset": str(args.real), "seconds": run.seconds}
    if run.error:
        return result | {"errors": {"real": run.error}}
    findings = scores.read_findings(run.findings)
    unit_month = scores.current_unit_months(run.folder)
    external = pd.read_csv(run.folder / "external_month.csv", dtype={"unit_id": str})
    result |= scores.score_real(findings, unit_month)
    result["checks"] = scores.checks(result)
    listing = scores.top_flags(findings, unit_month, external, args.top)
    explained = listing.head(args.why)
    started = time.perf_counter()
    with ThreadPoolExecutor(max(args.jobs, 1)) as pool:
        reasons = list(
            pool.map(
                lambda key: why_reason(cli, run.home, *key),
                zip(explained["unit_id"], explained["period"], strict=True),
            )
        )
    result["seconds"]["why"] = round(time.perf_counter() - started, 1)
    listing["why"] = pd.Series(reasons, index=explained.index, dtype=object)
    result["top_flags"] = json.loads(listing.to_json(orient="records"))
    return result


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    for world in args.worlds:
        resolve_world(world)  # fail before any work on a misspelt world
    args.workdir.mkdir(parents=True, exist_ok=True)
    cli = Cli(mrvtrace_command(args.mrvtrace))
    with ThreadPoolExecutor(max(args.jobs, 1)) as pool:
        # The real sample first: it is the single longest dataset.
        real = None if args.no_real else pool.submit(real_run, cli, args)
        pending = {world: pool.submit(world_runs, cli, world, args) for world in args.worlds}
        worlds = {}
        for world, future in pending.items():
            worlds[world] = score_world(world, future.result())
            outcome = worlds[world].get("checks", worlds[world].get("errors"))
            print(f"{world}: {json.dumps(outcome)}", flush=True)
        real_result = None if real is None else score_real(cli, real.result(), args)
    return {
        "meta": {
            "date": date,
            "enterprises": args.enterprises,
            "months": args.months,
            "seed": args.seed,
            "fault_rate": args.fault_rate,
            "worlds": list(args.worlds),
            "targets": {name: target.label for name, target in scores.TARGETS.items()},
            "machine": machine_info(),
            "wall_seconds": round(time.perf_counter() - started, 1),
        },
        "worlds": worlds,
        "real": real_result,
    }


def write_report(args: argparse.Namespace) -> None:
    report = run_benchmark(args)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "generalisation.json").write_text(
        json.dumps(report, indent=2, default=str), encoding="utf-8"
    )
    (args.out_dir / "generalisation.md").write_text(render(report), encoding="utf-8")
    print(f"written to {args.out_dir / 'generalisation.md'}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    write_report(parse_args(argv))


if __name__ == "__main__":
    main()
