"""The Markdown summary and the headline figures of a `python -m bench all` run.

Both are built only from the stages' result dicts (as written to bench/results/<stage>.json) and
the run's facts (`meta`: scale, seeds, date, machine, wall time, per-stage seconds and peak
memory); a stage that was skipped or failed is said so instead of its tables.
"""

from collections.abc import Iterable, Sequence
from typing import Any

Result = dict[str, Any]
METHOD_ORDER = ("mrvtrace", "dowhy", "naive")


def fmt(value: object, digits: int = 3) -> str:
    """A cell: ints with thousands separators, floats rounded, missing values as a dash."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _neo4j_line(neo4j: Result | None) -> list[str]:
    if not neo4j or neo4j.get("start_seconds") is None:
        return []
    return [
        f"- Neo4j {neo4j['version']} (local server, heap {neo4j['heap']}, page cache "
        f"{neo4j['pagecache']}), started in {neo4j['start_seconds']} s"
    ]


def _header(meta: Result) -> list[str]:
    machine = meta["machine"]
    seeds = ", ".join(str(s) for s in meta["seeds"])
    lines = [
        f"# Benchmark summary: {meta['scale']}",
        "",
        f"- date: {meta['date']}",
        f"- scale: {meta['scale']}; dataset seed: {meta['seed']}; accuracy seeds: {seeds}",
        f"- machine: {machine['cpus']} cores ({machine.get('cpu_model')}), "
        f"{machine['memory_gb']} GB RAM, Python {machine['python']}; load average at start "
        f"{machine['load_average']}; reference loop {machine.get('reference_loop_ms')} ms "
        "(one core's speed: compare figures of two runs next to it)",
        f"- total wall time: {meta['wall_seconds'] / 60:.1f} min ({meta['wall_seconds']:.0f} s)",
        *_neo4j_line(meta.get("neo4j")),
        "",
        "## Stages",
        "",
    ]
    rows = [
        (stage, status, meta["stage_seconds"].get(stage))
        for stage, status in meta["stage_status"].items()
    ]
    return lines + table(["stage", "status", "seconds"], rows)


def _load(load: Result) -> list[str]:
    rows = [
        (
            run["store"],
            run.get("method", "–"),
            run["seconds"],
            run["nodes"],
            run["relationships"],
            run["nodes_per_s"],
            run["relationships_per_s"],
            run.get("peak_rss_mb"),
            run.get("server_peak_rss_mb"),
        )
        for run in load["runs"]
    ]
    headers = [
        "store",
        "method",
        "seconds",
        "nodes",
        "relationships",
        "nodes/s",
        "relationships/s",
        "bench peak MB",
        "Neo4j peak MB",
    ]
    return ["## Load", "", *table(headers, rows)]


def _sweep(sweep: Result) -> list[str]:
    counts = sweep["counts"]
    lines = [
        "## Sweep (full, on Neo4j)",
        "",
        f"{fmt(sweep['sweep_seconds'])} s in all (target ≤ {fmt(sweep['target_seconds'])} s); "
        f"{fmt(counts.get('unit_months'))} unit-months, {fmt(counts.get('flagged'))} flagged "
        f"and {fmt(counts.get('listed'))} listed; {fmt(counts.get('nodes'))} node and "
        f"{fmt(counts.get('checks'))} check rows written; CPU stolen by the hypervisor "
        f"meanwhile: {_percent(sweep.get('cpu_steal_share'))}.",
        "",
    ]
    return lines + table(["stage", "seconds"], sweep["stages"].items())


def _latency_table(levels: list[Result], errors: str, errors_header: str) -> list[str]:
    """One row per concurrency level of an API benchmark."""
    keys = ("clients", "requests", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "throughput_rps")
    rows = [
        (*(level[k] for k in keys), level[errors], _percent(level.get("cpu_steal_share")))
        for level in levels
    ]
    headers = ["clients", "requests", "p50 ms", "p95 ms", "p99 ms", "mean ms", "req/s"]
    return table([*headers, errors_header, "CPU stolen"], rows)


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f} %"


def _queue(queue: Result) -> list[str]:
    return [
        "## Review queue latency",
        "",
        f"`{queue['endpoint']}`, province {queue['province']} "
        f"({queue['open_findings_in_province']:,} open of {queue['findings_total']:,} findings), "
        f"{queue['page_size']} a page, {queue['server_workers']} server workers; target "
        f"{queue['target']} (met: {fmt(queue['within_target'])}).",
        "",
        *_latency_table(queue["levels"], "errors", "errors"),
    ]


def _api(api: Result) -> list[str]:
    lines = [
        "## API latency",
        "",
        f"`{api['endpoint']}`, {api['server_workers']} server workers, "
        f"{api['distinct_unit_months']} distinct unit-months; target {api['target']}.",
    ]
    built = api.get("levels_every_answer_built")
    if built:
        lines += [
            "",
            "Every answer traced afresh (the answer cache off; met: "
            f"{fmt(api['within_target_every_answer_built'])}):",
            "",
            *_latency_table(built, "errors_5xx", "5xx"),
            *_cpu_split(built),
            "",
            "As served (the answer cache on; the targets repeat, so each level after the "
            f"first serves kept answers; met: {fmt(api['within_target'])}):",
        ]
    kept = [
        (
            level["clients"],
            _percent(level["answers_kept_share"]),
            _percent(level.get("answers_from_other_worker_share", 0.0)),
        )
        for level in api["levels"]
        if "answers_kept_share" in level
    ]
    return [
        *lines,
        "",
        *_latency_table(api["levels"], "errors_5xx", "5xx"),
        *_cpu_split(api["levels"]),
        *(
            [
                "",
                *table(
                    ["clients", "answers served as kept", "of them built by the other worker"], kept
                ),
            ]
            if kept
            else []
        ),
    ]


def _cpu_split(levels: list[Result]) -> list[str]:
    """Where the cores went: CPU ms per request of each process role, per level."""
    measured = [level for level in levels if level.get("cpu_ms_per_request")]
    if not measured:
        return []
    roles = list(measured[0]["cpu_ms_per_request"])
    rows = [(level["clients"], *level["cpu_ms_per_request"].values()) for level in measured]
    return [
        "",
        "CPU ms per request, by process (the clients run on the same cores):",
        "",
        *table(["clients", *roles], rows),
    ]


def _memory(meta: Result, api: Result | None) -> list[str]:
    """Peak RSS per process: this benchmark process and the Neo4j server for each stage (peaks
    restarted at each stage), then each API server process of the API stage."""
    rows: list[tuple[object, ...]] = []
    for stage, peaks in meta["stage_peak_rss_mb"].items():
        rows.append((stage, "benchmark (Python)", peaks.get("bench")))
        if peaks.get("neo4j") is not None:
            rows.append((stage, "Neo4j server", peaks["neo4j"]))
        if stage == "api" and api is not None:
            rows += [
                (stage, f"API server: {name}", mb) for name, mb in api["api_peak_rss_mb"].items()
            ]
            rows.append((stage, "API server: all processes", api["api_peak_rss_mb_total"]))
    return [
        "## Peak memory per process",
        "",
        "Each stage restarts the peaks of this process and of the Neo4j server from their "
        "resident memory then, so a stage's figure includes what earlier stages left resident.",
        "",
        *table(["stage", "process", "peak RSS MB"], rows),
    ]


def _seeds(accuracy: Result) -> list[tuple[str, Result]]:
    return [
        (key.removeprefix("seed_"), value) for key, value in accuracy.items() if key[:5] == "seed_"
    ]


def _detection(accuracy: Result) -> list[str]:
    lines = [
        "## Detection per fault type",
        "",
        f"Unit-month flags against the generator's faults. Per fault type: recall, and F1 as the "
        f"{accuracy['per_fault_type_f1']}.",
        "",
    ]
    headers = ["seed", "fault type", "unit-months", "detected", "precision", "recall", "F1"]
    rows: list[tuple[object, ...]] = []
    for seed, result in _seeds(accuracy):
        for fault_type, per in result["per_fault_type"].items():
            rows.append(
                (
                    seed,
                    fault_type,
                    per["unit_months"],
                    per["detected"],
                    None,
                    per["recall"],
                    per["f1_with_overall_precision"],
                )
            )
        rows.append(
            (
                seed,
                "**all**",
                result["fault_unit_months"],
                result["detected"],
                result["precision"],
                result["recall"],
                result["f1"],
            )
        )
    twins = [
        f"seed {seed}: {fmt(r['clean_twin']['clean_flagged_share'], 4)} "
        f"({r['clean_twin']['flagged']} of {fmt(r['clean_twin']['unit_months'])})"
        for seed, r in _seeds(accuracy)
        if "clean_twin" in r
    ]
    footer = ["False-positive rate on the fault-free twin: " + "; ".join(twins) + ".", ""]
    return lines + table(headers, rows) + (footer if twins else [])


def _root_cause(accuracy: Result) -> list[str]:
    headers = ["seed", "fault type", "detected", "top-1", "top-3"]
    rows: list[tuple[object, ...]] = []
    for seed, result in _seeds(accuracy):
        for fault_type, per in result["per_fault_type"].items():
            rows.append((seed, fault_type, per["detected"], per["root_top1"], per["root_top3"]))
        rows.append((seed, "**all**", result["detected"], result["root_top1"], result["root_top3"]))
    return [
        "## Root cause per fault type",
        "",
        "Share of detected faulted unit-months whose exported root (top-1) or one of whose "
        "first three candidates (top-3) is the fault's root parameter.",
        "",
        *table(headers, rows),
    ]


def _methods(baselines: Result) -> list[str]:
    found = list(baselines["methods"])
    return [m for m in METHOD_ORDER if m in found] + [m for m in found if m not in METHOD_ORDER]


def _baselines(baselines: Result) -> list[str]:
    methods = _methods(baselines)
    figures = baselines["methods"]
    fault_types = sorted({t for m in methods for t in figures[m].get("per_fault_type", {})})
    headers = ["fault type", "explained"] + [
        f"{m} {k}" for m in methods for k in ("top-1", "top-3")
    ]
    rows = []
    for fault_type in [*fault_types, "all"]:
        per_method = [
            figures[m] if fault_type == "all" else figures[m]["per_fault_type"].get(fault_type, {})
            for m in methods
        ]
        explained = figures[methods[0]].get("explained") if fault_type == "all" else None
        row: list[object] = [
            "**all**" if fault_type == "all" else fault_type,
            explained if explained is not None else per_method[0].get("n"),
        ]
        for per in per_method:
            row += [per.get("top1"), per.get("top3")]
        rows.append(row)
    reference = figures.get("mrvtrace", {}).get("seconds_per_explanation")
    speed_rows = []
    for method in methods:
        seconds = figures[method].get("seconds_per_explanation")
        ratio = seconds / reference if seconds is not None and reference else None
        speed_rows.append((method, None if seconds is None else seconds * 1000, ratio))
    speed_headers = ["method", "ms per explanation", "× mrvtrace's time"]
    why = figures.get("mrvtrace", {}).get("seconds_why_answer")
    return [
        "## Root cause: mrvtrace beside the baselines",
        "",
        *(f"- {note}" for note in baselines.get("notes", [])),
        "",
        *table(headers, rows),
        *table(speed_headers, speed_rows),
        *(
            [
                "One mrvtrace why answer on its own (the unit-month's window read from the "
                f"store, then traced): {fmt(why * 1000)} ms.",
                "",
            ]
            if why is not None
            else []
        ),
    ]


def render(meta: Result, results: dict[str, Result]) -> str:
    """The Markdown summary of one run."""
    lines = _header(meta)
    sections = {
        "load": _load,
        "sweep": _sweep,
        "api": _api,
        "queue": _queue,
    }
    for stage, section in sections.items():
        if stage in results:
            lines += section(results[stage])
    lines += _memory(meta, results.get("api"))
    if "accuracy" in results:
        lines += _detection(results["accuracy"]) + _root_cause(results["accuracy"])
    if "baselines" in results:
        lines += _baselines(results["baselines"])
    return "\n".join(lines).rstrip() + "\n"


def headline(meta: Result, results: dict[str, Result]) -> Result:
    """The figures a reader compares between runs, in one flat-ish dict."""
    figures: Result = {"wall_seconds": meta["wall_seconds"]}
    if "load" in results:
        figures["load"] = {
            f"{run['store']}-{run.get('method', 'load')}": {
                "seconds": run["seconds"],
                "nodes_per_s": run["nodes_per_s"],
                "relationships_per_s": run["relationships_per_s"],
            }
            for run in results["load"]["runs"]
        }
    if "sweep" in results:
        figures["sweep_seconds"] = results["sweep"]["sweep_seconds"]
    if "queue" in results:
        figures["queue_p95_ms"] = {
            str(level["clients"]): level["p95_ms"] for level in results["queue"]["levels"]
        }
    if "api" in results:
        figures["api_p95_ms"] = {
            str(level["clients"]): level["p95_ms"] for level in results["api"]["levels"]
        }
        figures["api_p95_ms_every_answer_built"] = {
            str(level["clients"]): level["p95_ms"]
            for level in results["api"].get("levels_every_answer_built", [])
        }
    if "accuracy" in results:
        figures["accuracy"] = {
            seed: {k: r[k] for k in ("precision", "recall", "f1", "root_top1", "root_top3")}
            for seed, r in _seeds(results["accuracy"])
        }
    if "baselines" in results:
        figures["baselines"] = {
            method: {
                k: results["baselines"]["methods"][method].get(k)
                for k in ("top1", "top3", "seconds_per_explanation")
            }
            for method in _methods(results["baselines"])
        }
    return figures
