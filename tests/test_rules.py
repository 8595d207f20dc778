"""Every rule stays silent on an honest fleet and fires on its own failing example."""

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from app.presentation.cli import rules_command
from graph_schema.parameters import parameter_names
from models.rule_engine import VIOLATION_COLUMNS, evaluate_rules, list_rules, rule_counts
from models.rules import RULES, Family, Rule
from tests.frames import TEST_UNIT, apply_example, honest_frame, latest_period


@pytest.fixture(scope="module")
def baseline() -> pd.DataFrame:
    return honest_frame()


@pytest.fixture(scope="module")
def baseline_violations(baseline: pd.DataFrame) -> pd.DataFrame:
    return evaluate_rules(baseline)


def test_there_are_at_least_100_rules_with_unique_ids() -> None:
    ids = [r.rule_id for r in RULES]
    assert len(ids) >= 100
    assert len(set(ids)) == len(ids)


def test_all_four_families_are_present() -> None:
    assert {r.family for r in RULES} == set(Family)
    counts = rule_counts()
    assert sum(counts.values()) == len(RULES)
    assert all(counts[f.value] >= 10 for f in Family)


def test_every_named_parameter_is_in_the_catalogue() -> None:
    catalogue = set(parameter_names())
    for r in RULES:
        assert r.target in catalogue, r.rule_id
        assert r.target in r.parameters, r.rule_id
        assert set(r.parameters) <= catalogue, r.rule_id
        assert 1 <= r.severity <= 3, r.rule_id
        assert r.rationale, r.rule_id
        assert r.rule_id.split("-")[0] in {"EXT", "STD", "THR", "LOG"}


def test_the_honest_baseline_fires_no_rule(baseline_violations: pd.DataFrame) -> None:
    fired = baseline_violations.groupby("rule_id").size().to_dict()
    assert fired == {}


@pytest.mark.parametrize("rule", RULES, ids=[r.rule_id for r in RULES])
def test_rule_fires_on_its_failing_example(baseline: pd.DataFrame, rule: Rule) -> None:
    mutated = apply_example(baseline, rule.example)
    found = evaluate_rules(mutated, periods=[latest_period()], rules=[rule])
    assert not evaluate_rules(baseline, rules=[rule]).shape[0]
    assert list(found["unit_id"]) == [TEST_UNIT]
    hit = found.iloc[0]
    assert hit["period"] == latest_period()
    assert hit["parameter"] == rule.target
    assert hit["family"] == rule.family.value
    assert hit["severity"] == rule.severity
    assert 0.5 <= hit["score"] <= 1.0


def test_violations_have_the_interface_columns_and_types(baseline: pd.DataFrame) -> None:
    mutated = apply_example(baseline, RULES[0].example)
    found = evaluate_rules(mutated)
    assert list(found.columns) == VIOLATION_COLUMNS
    assert found["severity"].dtype.kind == "i"
    assert found["score"].between(0, 1).all()
    assert (found["unit_id"] == TEST_UNIT).all()


def test_periods_limit_the_rows_evaluated_but_not_the_history(baseline: pd.DataFrame) -> None:
    frozen = next(r for r in RULES if r.rule_id == "LOG-029")
    mutated = apply_example(baseline, frozen.example)
    assert evaluate_rules(mutated, periods=["2023-06"], rules=[frozen]).empty
    found = evaluate_rules(mutated, periods=[latest_period()], rules=[frozen])
    assert len(found) == 1


def test_expected_value_points_back_into_the_band(baseline: pd.DataFrame) -> None:
    band = next(r for r in RULES if r.rule_id == "LOG-020")
    mutated = apply_example(baseline, band.example)
    hit = evaluate_rules(mutated, rules=[band]).iloc[0]
    row = mutated[(mutated["unit_id"] == TEST_UNIT) & (mutated["period"] == latest_period())]
    ncv = float(row["coal_ncv_gj_t"].iloc[0])
    assert hit["value"] == pytest.approx(float(row["coal_carbon_pct"].iloc[0]))
    assert hit["expected"] == pytest.approx(0.0240 * 100 * ncv)


def test_a_gap_in_the_months_is_not_read_as_last_month(baseline: pd.DataFrame) -> None:
    jump = next(r for r in RULES if r.rule_id == "THR-018")
    mutated = apply_example(baseline, jump.example)
    gap = mutated[~((mutated["unit_id"] == TEST_UNIT) & (mutated["period"] == "2024-01"))]
    assert evaluate_rules(gap, rules=[jump]).empty


def test_missing_values_do_not_fire(baseline: pd.DataFrame) -> None:
    holes = baseline.copy()
    numeric = [c for c in parameter_names() if c in holes]
    holes.loc[holes["unit_id"] == TEST_UNIT, numeric] = np.nan
    found = evaluate_rules(holes)
    assert found.empty


def test_list_rules_describes_every_rule() -> None:
    table = list_rules()
    assert list(table["rule_id"]) == [r.rule_id for r in RULES]
    assert table["check"].str.len().gt(0).all()


def test_rules_list_prints_every_family_with_counts() -> None:
    app = typer.Typer()
    app.callback()(lambda: None)
    rules_command.register(app)
    result = CliRunner().invoke(app, ["rules", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for family, count in rule_counts().items():
        assert f"{family} ({count} rules)" in result.output
    assert f"{len(RULES)} rules" in result.output
    assert "LOG-001" in result.output
