"""The command line as a person meets it: a light `--help`, flags without value placeholders,
numbers with thousands separators and units, and the local Neo4j's ports in `neo4j status`."""

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import typer
from typer.testing import CliRunner

from app.infrastructure.neo4j_local import free_port
from app.presentation.candidates_text import (
    figures_corrected_with,
    orders_left_broken,
    other_candidates,
    why_flagged,
)
from app.presentation.cli.main import app
from app.presentation.cli.why_command import impact_line
from app.presentation.quantities import format_value
from app.presentation.trace_picture import UNIT_OF
from app.services.analysis import Impact, WhyAnswer
from app.services.tracing.trace import Candidate, MovedFigure
from app.settings import get_settings
from tests.swept_stores import swept_embedded

# What `mrvtrace --help` must not import: each costs a large part of a second or more.
HEAVY_MODULES = ("pandas", "numpy", "sklearn", "scipy", "neo4j", "fastapi", "uvicorn")
SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
runner = CliRunner()


def _command_paths(command: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every verb's argument path: (), ("load",), ("neo4j",), ("neo4j", "start"), ..."""
    yield prefix
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_paths(sub, (*prefix, name))


def test_the_cli_imports_no_heavy_library_before_a_command_runs() -> None:
    probe = (
        "import json, sys\n"
        "import app.presentation.cli.main\n"
        f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))\n"
    )
    # A fresh interpreter: this test process has imported all of them already.
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_a_why_answer_imports_no_fitting_library() -> None:
    """`mrvtrace why` answers from what the sweep stored: scikit-learn and scipy, which only
    fitting needs, would cost it half of its second."""
    probe = (
        "import json, sys\n"
        "import app.presentation.cli.why_command, app.presentation.candidates_text\n"
        "import app.services.analysis, app.infrastructure.stores.embedded\n"
        "print(json.dumps([m for m in ('sklearn', 'scipy') if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_no_option_shows_a_bool_placeholder_in_any_help() -> None:
    paths = list(_command_paths(typer.main.get_command(app)))
    assert ("neo4j", "start") in paths and ("demo",) in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, path
        assert "--help " in result.output


def test_flags_show_no_placeholder_and_valued_options_their_type() -> None:
    result = runner.invoke(app, ["demo", "--help"], env={"COLUMNS": "200"})
    assert re.search(r"--serve / --no-serve +Serve", result.output)
    assert re.search(r"--port <int> +Port", result.output)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (73330.4, "t", "73,330 t"),
        (7.333e4, "tCO2", "73,330 tCO2"),
        (1234567.891, "", "1,234,568"),
        (0.541234, "", "0.5412"),
        (12.0, "%", "12 %"),
        (1.2e-5, "", "0.000012"),
        (-1e-12, "t", "0 t"),
        (999.96, "", "1,000"),
        (None, "t", "–"),
        (float("nan"), "", "–"),
        (float("inf"), "", "–"),
    ],
)
def test_values_print_grouped_in_fixed_point_with_their_unit(
    value: float | None, unit: str, shown: str
) -> None:
    assert format_value(value, unit) == shown


def test_the_impact_says_its_directions_and_what_the_month_cannot_give() -> None:
    # A month with no fuel figures: net supply under-reported by 420,723 MWh.
    impact = Impact(
        reported_co2_t=float("nan"),
        counterfactual_co2_t=float("nan"),
        co2_delta_t=float("nan"),
        allocation_delta_t=-368976.0,
        impact_t=368976.0,
        allowance_value_cny=33207840.0,
        price_cny_per_t=90.0,
    )
    assert impact_line(impact) == (
        "Impact: 368,976 tCO2 at stake (emissions not computable from the month's figures; "
        "allocation -368,976 tCO2: under-allocated) = 33,207,840 CNY at 90 CNY/t"
    )
    under = replace(
        impact,
        reported_co2_t=250_000.0,
        co2_delta_t=1200.0,
        allocation_delta_t=0.0,
        impact_t=1200.0,
    )
    assert "(emissions 1,200 tCO2: under-reported; allocation 0 tCO2)" in impact_line(under)
    # A month that reports no CO2 (the real sample): the tonnes the root's error is worth.
    monitor = replace(
        impact, co2_delta_t=34638.0, allocation_delta_t=float("nan"), impact_t=34638.0
    )
    assert "(the root's error is worth 34,638 tCO2 of emissions; the month reports no CO2)" in (
        impact_line(monitor)
    )
    # A fleet without allocations (the real sample): no allocation part at all.
    outside = replace(
        impact, allocation_delta_t=float("nan"), reported_co2_t=9000.0, co2_delta_t=-500.0
    )
    assert "(emissions -500 tCO2: over-reported) =" in impact_line(outside)
    # Neither part sized: said to be unknown, not priced as 0 CNY.
    unsized = replace(
        impact, allocation_delta_t=float("nan"), impact_t=0.0, allowance_value_cny=0.0
    )
    assert impact_line(unsized) == (
        "Impact: not computable from the month's figures (neither its emissions nor an "
        "allocation can be recomputed from them)"
    )


def test_the_runners_up_say_what_ranked_them_below_the_root() -> None:
    """Candidates tied at a score of 1.00 differ in their share of the evidence; one no value
    of which keeps its month's bounds says so; a share a sweep did not record is left out; those
    nothing points at (score 0.00, no share) are only counted."""
    tied = Candidate("power_supply_mwh", "2012-09", "k", 417.0, 238.2, 1.0, 0.2889, 1.0)
    cannot = replace(tied, parameter="power_generation_mwh", explained_fraction=0.3556)
    unrecorded = replace(tied, parameter="operating_hours", explained_fraction=float("nan"))
    nothing = replace(tied, parameter="energy_monitor_tce", score=0.0, explained_fraction=0.0)
    listed = [tied, replace(cannot, consistent=False), unrecorded, nothing]
    assert other_candidates(listed) == (
        "power_supply_mwh in 2012-09 (score 1.00, explains 28.89 %), "
        "power_generation_mwh in 2012-09 (score 1.00, explains 35.56 %; no value of it keeps "
        "the month's bounds and orders), operating_hours in 2012-09 (score 1.00), "
        "1 more with no evidence for it"
    )
    # Hours enough for the gross leave the net above it.
    hours = replace(tied, parameter="operating_hours", unmended=("LOG-001",))
    assert other_candidates([hours]) == (
        "operating_hours in 2012-09 (score 1.00, explains 28.89 %; leaves LOG-001 broken)"
    )
    assert other_candidates([nothing, replace(nothing, period="2012-08")]) == (
        "2 with no evidence for them"
    )


def test_the_figures_a_root_moves_are_shown_as_they_are_and_as_they_would_be() -> None:
    moved = (
        MovedFigure("report_carbon_pct", 44.38, 54.009485),
        MovedFigure("reported_co2_t", 245535.9, 298766.3),
    )
    assert figures_corrected_with(moved) == (
        "report_carbon_pct 44.38 % → 54.01 % (the document it copies states the same figure), "
        "reported_co2_t 245,536 tCO2 → 298,766 tCO2 (the CO2 computed from it)"
    )
    assert figures_corrected_with(()) == ""


def test_a_root_that_leaves_a_breached_order_says_another_figure_is_wrong_too() -> None:
    """The net supply of 1353-BSU2 in 2012-09 expected at the gross leaves the gross above
    what 1.2 × capacity × hours allow (LOG-002)."""
    net = Candidate("power_supply_mwh", "2012-09", "k", 417.0, 238.2, 1.0, 0.36, 1.0)
    assert orders_left_broken(net) == ""
    assert orders_left_broken(replace(net, unmended=("LOG-002",))) == (
        "LOG-002 (generation exceeds 1.2 × capacity × operating hours): another figure of the "
        "month is wrong too"
    )


def test_a_month_flagged_by_a_later_month_of_its_run_says_so() -> None:
    """6113-05 in 2008-06 (score 0.26) opens a run of heat-input months whose 2008-09 proves
    the fault: the answer says what flags it, since its own score does not."""

    def answer(flagged: bool, proved_in: str | None) -> WhyAnswer:
        found = SimpleNamespace(period="2008-06", flagged=flagged, proved_in=proved_in)
        return cast(WhyAnswer, found)

    assert why_flagged(answer(True, "2008-09")) == (
        "with 2008-09: this month opens a run of months listed with the same root, and "
        "2008-09's own evidence proves the fault (a slow fault's first months are weak alone)"
    )
    assert why_flagged(answer(True, "2008-06")) == ""
    assert why_flagged(answer(False, None)) == ""
    assert why_flagged(answer(True, None)).startswith("through its shared source")


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["why", "3-05", "--period", "foo"], "'foo' is not a month YYYY-MM"),
        (["why", "3-05", "--period", "2011-7x"], "'2011-7x' is not a month YYYY-MM"),
        (["sweep", "--periods", "2011-13"], "'2011-13' is not a month YYYY-MM"),
        (["validate", ".", "--encoding", "bogus"], "unknown text encoding 'bogus'"),
        (["load", ".", "--encoding", "bogus"], "unknown text encoding 'bogus'"),
        (["findings", "--out", "."], "is a directory"),
    ],
)
def test_a_malformed_argument_is_a_usage_error_that_names_it(
    arguments: list[str], said: str
) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert said in re.sub(r"\s+", " ", result.output)
    assert "Traceback" not in result.output


def test_neo4j_status_prints_the_uri_of_the_ports_asked_for() -> None:
    bolt, http = free_port(), free_port()
    result = runner.invoke(
        app, ["neo4j", "status", "--bolt-port", str(bolt), "--http-port", str(http)]
    )
    assert result.exit_code == 0, result.output
    assert f"export NEO4J_URI=bolt://127.0.0.1:{bolt}\n" in result.output
    assert f"http://127.0.0.1:{http}/browser/" in result.output
    assert "No authentication" in result.output


@pytest.fixture
def most_flagged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """(unit, month) of the highest score in a small swept embedded store, which the
    environment makes the CLI's store."""
    store = swept_embedded(tmp_path)
    flagged = store.read_unit_month_scores(flagged_only=True)
    store.close()
    worst = flagged.sort_values(["score", "unit_id"], ascending=[False, True]).iloc[0]
    monkeypatch.setenv("MRVTRACE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MRVTRACE_STORE", "embedded")
    get_settings.cache_clear()
    yield str(worst["unit_id"]), str(worst["period"])
    get_settings.cache_clear()


def test_why_prints_values_in_fixed_point_with_their_units(most_flagged: tuple[str, str]) -> None:
    unit_id, period = most_flagged
    result = runner.invoke(app, ["why", unit_id, "--period", period], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert not SCIENTIFIC.search(result.output), result.output
    root = re.search(r"Root cause: (\w+) in \d{4}-\d{2}: observed (.+?), expected", result.output)
    assert root is not None, result.output
    unit = UNIT_OF[root.group(1)]
    assert root.group(2).endswith(f" {unit}"), result.output
