"""Batch reports as JSON, CSV (one row per entry and rule) and a self-contained HTML page."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from assistant.batch.models import INPUT_RULE, BatchReport
from assistant.eligibility import RULE_IDS
from assistant.errors import ConfigError, InvalidInput

FORMATS = ("json", "csv", "html")
TEMPLATE = "batch_report.html.j2"
RULE_LABELS = {
    "entrant_sector": "Entrant sector",
    "primary_entrant": "Lead entrant",
    "required_partners": "Required partners",
    "evidence_window": "Evidence window",
    "required_criteria": "Required criteria",
    "word_limits": "Word limits",
    "category_requirements": "Category requirements",
    "category_fit": "Category fit",
    "re_entry": "Re-entry",
    "duplicate_entry": "Duplicate entry",
    "pii": "Patient-identifiable information",
    "ai_instructions": "Instructions aimed at AI",
    INPUT_RULE: "Input file",
}
CSV_COLUMNS = ("id", "category", "source", "verdict", "rule", "status", "reason", "quotes")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_json(report: BatchReport) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def _cell(value: str) -> str:
    # Entry text is untrusted: a quote starting with '=' must not run as a spreadsheet formula.
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(report: BatchReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in report.entries:
        for rule in entry.rules:
            row = [entry.id, entry.category, entry.source, entry.verdict, rule.rule, rule.status, rule.reason,
                   " | ".join(rule.quotes)]
            writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _bars(passed: int, review: int, failed: int, width: float = 100.0) -> list[dict[str, Any]]:
    total = passed + review + failed
    bars, x = [], 0.0
    for status, count in (("pass", passed), ("needs_review", review), ("fail", failed)):
        share = width * count / total if total else 0.0
        bars.append({"status": status, "count": count, "x": round(x, 2), "width": round(share, 2)})
        x += share
    return bars


def html_context(report: BatchReport) -> dict[str, Any]:
    """Everything the template shows, computed here so the template holds no logic."""
    summary = report.summary
    charts = []
    for item in summary.rules:
        label = RULE_LABELS.get(item.rule, item.rule)
        charts.append({
            "rule": item.rule, "label": label, "passed": item.passed, "needs_review": item.needs_review,
            "failed": item.failed, "bars": _bars(item.passed, item.needs_review, item.failed),
            "description": f"{label}: {item.passed} pass, {item.needs_review} need review, {item.failed} fail",
        })
    order = {rule: i for i, rule in enumerate([INPUT_RULE, *RULE_IDS])}
    entries = []
    for number, entry in enumerate(report.entries, start=1):
        flagged = sorted((r for r in entry.rules if r.status != "pass"), key=lambda r: order.get(r.rule, 99))
        entries.append({
            "anchor": f"entry-{number}", "number": number, "id": entry.id, "category": entry.category,
            "source": entry.source, "verdict": entry.verdict, "verdict_label": entry.verdict.replace("_", " "),
            "fails": sum(r.status == "fail" for r in entry.rules),
            "reviews": sum(r.status == "needs_review" for r in entry.rules),
            "flags": ", ".join(RULE_LABELS.get(r.rule, r.rule) for r in flagged) or "none",
            "rules": [
                {"label": RULE_LABELS.get(r.rule, r.rule), "rule": r.rule, "status": r.status,
                 "status_label": r.status.replace("_", " "), "reason": r.reason, "quotes": r.quotes}
                for r in sorted(entry.rules, key=lambda r: (r.status == "pass", order.get(r.rule, 99)))
            ],
        })
    return {
        "programme": report.programme, "programme_name": report.programme_name or report.programme,
        "summary": summary, "verdict_bars": _bars(summary.eligible, summary.needs_review, summary.ineligible),
        "charts": charts, "entries": entries,
    }


def to_html(report: BatchReport, templates_dir: Path) -> str:
    if not (templates_dir / TEMPLATE).is_file():
        raise ConfigError(f"{templates_dir / TEMPLATE}: the batch report template is missing.")
    environment = Environment(
        loader=FileSystemLoader(str(templates_dir)), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    return environment.get_template(TEMPLATE).render(html_context(report))


def render(report: BatchReport, fmt: str, templates_dir: Path) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "html":
        return to_html(report, templates_dir)
    raise InvalidInput(f"Unknown report format '{fmt}'; use one of {', '.join(FORMATS)}.")


def write_report(report: BatchReport, path: Path, templates_dir: Path) -> None:
    """Write the report in the format its suffix names (.json, .csv or .html)."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "htm":
        fmt = "html"
    if fmt not in FORMATS:
        raise InvalidInput(f"{path}: the report must end in .json, .csv or .html.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report, fmt, templates_dir), encoding="utf-8")
