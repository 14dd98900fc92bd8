"""report.html: summary cards, the suites' plots and tables, the latency histogram, the run header."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from eval.gates import Gate
from eval.harness import SuiteResult
from eval.plots import latency_histograms
from eval.report import suite_summary

TEMPLATES = Path(__file__).parent / "templates"
TITLES = {
    "evidence": "Evidence detection",
    "sections": "Section finding",
    "review": "Gap detection (review)",
    "retrieval": "Retrieval",
    "eligibility": "Eligibility",
    "chat": "Chat",
}


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _card(result: SuiteResult, key: str, label: str, gates: dict[str, Gate]) -> dict[str, Any]:
    value = result.metrics.get(key)
    gate = gates.get(f"{result.name}.{key}")
    status = ""
    if gate is not None and isinstance(value, int | float):
        low = gate.min is not None and value < gate.min
        high = gate.max is not None and value > gate.max
        status = "fail" if low or high else "pass"
    shown = f"{value:.3f}" if isinstance(value, float) else _fmt(value)
    absolute = None
    if gate is not None and (gate.min is not None or gate.max is not None):
        absolute = f"≥ {gate.min:g}" if gate.min is not None else f"≤ {gate.max:g}"
    return {"label": label, "value": shown, "suite": result.name, "gate": absolute, "status": status}


def render_report(
    out_dir: Path, header: dict[str, Any], results: list[SuiteResult], gates: dict[str, Gate], *, total_wall_s: float
) -> Path:
    latency_file = None
    latencies = {r.name: r.latencies for r in results if r.status == "ok" and r.results}
    if latencies:
        latency_histograms(out_dir / "latency.png", latencies)
        latency_file = "latency.png"
    cards = [
        _card(result, key, label, gates)
        for result in results if result.status == "ok"
        for key, label in result.headline.items()
    ]
    suites = []
    for result in results:
        summary = suite_summary(result)
        scalars = [(k, v) for k, v in sorted(summary["metrics"].items()) if not isinstance(v, list | dict)]
        suites.append({
            "name": result.name, "title": TITLES.get(result.name, result.name), "status": result.status,
            "reason": result.reason, "note": result.note, "dataset": result.dataset, "cases": summary["cases"],
            "errors": summary["errors"],
            "wall_s": result.wall_s,
            "latency": {"p50": summary["metrics"].get("latency.p50_ms"),
                        "p95": summary["metrics"].get("latency.p95_ms")},
            "figures": result.figures, "tables": result.tables, "metrics": scalars,
        })
    detection = header.get("detection", {})
    detection_label = "+".join(k for k in ("rules", "classifier") if detection.get(k)) or "none"
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=select_autoescape(["html", "j2"]),
    )
    environment.filters["fmt"] = _fmt
    html = environment.get_template("report.html.j2").render(
        header=header, cards=cards, suites=suites, total_wall_s=total_wall_s, latency_figure=latency_file,
        detection_label=f"{detection_label} (threshold {detection.get('threshold')})",
        settings_json=json.dumps(header.get("settings", {}), indent=2),
    )
    path = out_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
