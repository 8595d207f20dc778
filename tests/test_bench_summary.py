"""The Markdown summary of `python -m bench all`, rendered from sample stage results."""

from typing import Any

from bench.summary import fmt, headline, render

META: dict[str, Any] = {
    "scale": "medium",
    "seed": 1,
    "seeds": [1],
    "date": "2026-01-02 03:04 UTC",
    "machine": {
        "cpus": 2,
        "cpu_model": "Xeon",
        "reference_loop_ms": 77.6,
        "memory_gb": 24,
        "python": "3.11.7",
        "load_average": [1.5, 1.0, 0.5],
    },
    "wall_seconds": 754.2,
    "neo4j": {"version": "2025.12.1", "heap": "2g", "pagecache": "1g", "start_seconds": 12.5},
    "stage_status": {
        "load": "done",
        "sweep": "done",
        "api": "done",
        "accuracy": "done",
        "baselines": "skipped",
    },
    "stage_seconds": {"load": 201.3, "sweep": 40.1, "api": 120.4, "accuracy": 60.2},
    "stage_peak_rss_mb": {
        "load": {"bench": 880.5, "neo4j": 1890.0},
        "api": {"bench": 300.0, "neo4j": 1900.0},
        "accuracy": {"bench": 700.0, "neo4j": None},
    },
}

LOAD = {
    "runs": [
        {
            "store": "neo4j",
            "method": "merge",
            "seconds": 66.27,
            "nodes": 519890,
            "relationships": 1342882,
            "nodes_per_s": 7845,
            "relationships_per_s": 20263,
            "peak_rss_mb": 884,
            "server_peak_rss_mb": 1889,
        },
        {
            "store": "embedded",
            "seconds": 1.4,
            "nodes": 519890,
            "relationships": 1342882,
            "nodes_per_s": 370210,
            "relationships_per_s": 956258,
            "peak_rss_mb": 884,
        },
    ]
}

SWEEP = {
    "sweep_seconds": 31.5,
    "target_seconds": 300.0,
    "stages": {"read": 2.5, "fit": 12.25},
    "counts": {
        "unit_months": 18000,
        "flagged": 520,
        "listed": 900,
        "nodes": 47000,
        "checks": 83000,
    },
}

API = {
    "endpoint": "GET /units/{unit_id}/why?period=YYYY-MM",
    "server_workers": 2,
    "distinct_unit_months": 400,
    "target": "p95 <= 50.0 ms at 8 clients",
    "within_target": False,
    "levels": [
        {
            "clients": clients,
            "requests": 1000,
            "p50_ms": 10.0 * clients,
            "p95_ms": 20.0 * clients,
            "p99_ms": 30.0 * clients,
            "mean_ms": 12.0 * clients,
            "throughput_rps": 50.5,
            "errors_5xx": 0,
        }
        for clients in (1, 8, 32)
    ],
    "api_peak_rss_mb": {"main 10": 270.5, "worker 11": 280.25},
    "api_peak_rss_mb_total": 550.8,
}

ACCURACY = {
    "per_fault_type_f1": "harmonic mean of the type's recall and the overall precision",
    "seed_1": {
        "fault_unit_months": 100,
        "detected": 93,
        "flagged": 98,
        "precision": 0.95,
        "recall": 0.93,
        "f1": 0.9399,
        "root_top1": 0.99,
        "root_top3": 1.0,
        "per_fault_type": {
            "cems_drift": {
                "unit_months": 60,
                "detected": 33,
                "recall": 0.55,
                "f1_with_overall_precision": 0.6967,
                "root_top1": 0.97,
                "root_top3": 1.0,
            },
        },
        "clean_twin": {"unit_months": 18000, "flagged": 2, "clean_flagged_share": 0.0001},
    },
}


BASELINES = {
    "notes": ["Same 3 detected faulted unit-months for every method."],
    "methods": {
        "naive": {
            "explained": 3,
            "top1": 0.3333,
            "top3": 0.6667,
            "per_fault_type": {"cems_drift": {"n": 3, "top1": 0.3333, "top3": 0.6667}},
            "seconds_per_explanation": 0.0001,
        },
        "mrvtrace": {
            "explained": 3,
            "top1": 1.0,
            "top3": 1.0,
            "per_fault_type": {"cems_drift": {"n": 3, "top1": 1.0, "top3": 1.0}},
            "seconds_per_explanation": 0.002,
            "seconds_why_answer": 0.004,
        },
        "dowhy": {
            "explained": 3,
            "top1": 0.6667,
            "top3": 1.0,
            "per_fault_type": {"cems_drift": {"n": 3, "top1": 0.6667, "top3": 1.0}},
            "seconds_per_explanation": 3.0,
        },
    },
}


def rendered(**results: dict[str, Any]) -> str:
    return render(META, results)


def test_header_names_the_run_and_the_machine() -> None:
    text = rendered()
    assert text.startswith("# Benchmark summary: medium\n")
    assert "- date: 2026-01-02 03:04 UTC" in text
    assert "2 cores (Xeon), 24 GB RAM" in text
    assert "reference loop 77.6 ms" in text
    assert "total wall time: 12.6 min (754 s)" in text
    assert "Neo4j 2025.12.1 (local server, heap 2g, page cache 1g), started in 12.5 s" in text
    assert "| baselines | skipped | – |" in text


def test_each_area_gets_a_table_from_the_figures_given() -> None:
    text = rendered(load=LOAD, sweep=SWEEP, api=API, accuracy=ACCURACY)
    assert "| neo4j | merge | 66.27 | 519,890 | 1,342,882 | 7,845 | 20,263 | 884 | 1,889 |" in text
    assert "| embedded | – | 1.4 |" in text
    assert "| fit | 12.25 |" in text
    assert "18,000 unit-months, 520 flagged and 900 listed; 47,000 node and 83,000 check" in text
    assert "| 32 | 1,000 | 320 | 640 | 960 | 384 | 50.5 | 0 |" in text
    assert "| api | API server: worker 11 | 280.25 |" in text
    assert "| api | API server: all processes | 550.8 |" in text
    assert "| load | Neo4j server | 1,890 |" in text
    assert "| accuracy | Neo4j server |" not in text
    assert "| 1 | cems_drift | 60 | 33 | – | 0.55 | 0.697 |" in text
    assert "| 1 | **all** | 100 | 93 | 0.95 | 0.93 | 0.94 |" in text
    assert "seed 1: 0.0001 (2 of 18,000)" in text
    assert "| 1 | cems_drift | 33 | 0.97 | 1 |" in text


def test_baselines_side_by_side_in_a_fixed_method_order_with_speed_ratios() -> None:
    text = rendered(baselines=BASELINES)
    header = "| fault type | explained | mrvtrace top-1 | mrvtrace top-3 | dowhy top-1 |"
    assert header in text
    assert "| cems_drift | 3 | 1 | 1 | 0.667 | 1 | 0.333 | 0.667 |" in text
    assert "| **all** | 3 | 1 | 1 | 0.667 | 1 | 0.333 | 0.667 |" in text
    assert "| mrvtrace | 2 | 1 |" in text
    assert "| dowhy | 3,000 | 1,500 |" in text
    assert "| naive | 0.1 | 0.05 |" in text
    assert "from the store, then traced): 4 ms." in text
    assert "- Same 3 detected faulted unit-months for every method." in text


def test_stages_not_run_leave_their_sections_out() -> None:
    text = rendered(accuracy=ACCURACY)
    assert "## Load" not in text
    assert "## API latency" not in text
    assert "## Detection per fault type" in text


def test_headline_keeps_the_figures_to_compare() -> None:
    figures = headline(
        META, {"load": LOAD, "api": API, "accuracy": ACCURACY, "baselines": BASELINES}
    )
    assert figures["wall_seconds"] == 754.2
    assert figures["load"]["neo4j-merge"]["nodes_per_s"] == 7845
    assert figures["api_p95_ms"] == {"1": 20.0, "8": 160.0, "32": 640.0}
    assert figures["accuracy"]["1"]["f1"] == 0.9399
    assert list(figures["baselines"]) == ["mrvtrace", "dowhy", "naive"]
    assert figures["baselines"]["dowhy"]["seconds_per_explanation"] == 3.0


def test_cells() -> None:
    assert fmt(None) == "–"
    assert fmt(True) == "yes"
    assert fmt(1234567) == "1,234,567"
    assert fmt(0.5) == "0.5"
    assert fmt(2.0) == "2"
    assert fmt(12345.6) == "12,346"
