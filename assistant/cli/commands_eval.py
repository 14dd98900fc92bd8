"""`shortlist eval run` and `shortlist eval compare`.

The harness lives in the top-level ``eval`` package, which imports ``assistant``; it is imported
inside the commands so that the rest of the CLI never depends on it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.context import build_assistant, console, err_console, progress_bar, warm_up

eval_app = typer.Typer(help="Measure the assistant against labelled data and compare two runs.", no_args_is_help=True)

SUITE_HELP = ("evidence, sections, review, retrieval, eligibility, chat, messages or all (default: all, or the "
              "--dataset's kind)")


@eval_app.command("run")
def eval_run(
    suite: Annotated[str | None, typer.Option("--suite", "-s", help=SUITE_HELP)] = None,
    dataset: Annotated[Path | None, typer.Option("--dataset", "-d", help="A file in a dataset format")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Report directory (default eval/runs/<id>)")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N cases of each dataset")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics document as JSON")] = False,
    by: Annotated[str | None, typer.Option("--by", help="Also report each suite's headline metrics per value of "
                                           "this record field (e.g. source, programme, kind)")] = None,
) -> None:
    """Run evaluation suites offline and write rows, metrics and an HTML report."""
    from eval.runner import iter_headlines, plan, run

    planned = plan(suite, dataset, limit=limit)  # validates every dataset before any model loads
    assistant = build_assistant()
    warm_up(assistant, chat=True)
    outcome = run(assistant, planned, out_dir=out, argv=["shortlist", *sys.argv[1:]], progress=progress_bar, by=by)
    if as_json:
        sys.stdout.write(json.dumps(outcome.metrics, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"Eval run {outcome.header['run_id']} ({outcome.wall_s:.0f} s)")
    for column in ("suite", "metric", "value"):
        table.add_column(column)
    for name, label, value in iter_headlines(outcome):
        table.add_row(name, escape(label), value)
    if by:
        for result in outcome.results:
            for key, value in result.metrics.items():
                if key.startswith("by.") and not key.endswith(".cases") and value is not None:
                    table.add_row(result.name, escape(key.removeprefix("by.")), _number(value))
    console.print(table)
    failed = [f"{r.name}: {r.reason}" for r in outcome.results if r.status == "error"]
    errors = sum(1 for r in outcome.results for c in r.results if c.error)
    if failed or errors:
        err_console.print(f"[yellow]warning[/yellow]: {len(failed)} suite(s) failed, {errors} case(s) failed; "
                          "see rows.jsonl", highlight=False)
    console.print(f"report: {outcome.report}", highlight=False, soft_wrap=True)


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


@eval_app.command("compare")
def eval_compare(
    run_a: Annotated[Path, typer.Argument(help="The reference run (directory or its metrics.json)")],
    run_b: Annotated[Path, typer.Argument(help="The run being judged")],
    thresholds: Annotated[Path | None, typer.Option("--thresholds", help="Gates file (default eval/thresholds.toml)")]
    = None,
    show_all: Annotated[bool, typer.Option("--all", help="Show every metric, not just the gated and top-level ones")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print deltas and gate results as JSON")] = False,
) -> None:
    """Show metric deltas between two runs; exit 1 when RUN_B fails a gate in eval/thresholds.toml."""
    from eval.compare import compare_runs
    from eval.gates import THRESHOLDS, load_gates

    comparison = compare_runs(run_a, run_b, load_gates(thresholds or THRESHOLDS))
    if as_json:
        payload: dict[str, Any] = {
            "deltas": [{"metric": d.metric, "a": d.old, "b": d.new, "delta": d.change, "gated": d.gated}
                       for d in comparison.deltas],
            "gates": [{"metric": g.metric, "status": g.status, "reason": g.reason, "a": g.old, "b": g.new}
                      for g in comparison.gates],
            "failed": len(comparison.failed),
        }
        sys.stdout.write(json.dumps(payload) + "\n")
    else:
        _print_comparison(comparison, show_all=show_all)
    if comparison.failed:
        # sys.exit, not typer.Exit: main() runs click with standalone_mode=False, which turns
        # typer.Exit into a return value and the process would exit 0.
        sys.exit(1)


@eval_app.command("calibrate")
def eval_calibrate(
    folds: Annotated[int, typer.Option("--folds", min=2, max=20, help="Folds by source group")] = 5,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write (default knowledge/evidence/"
                                             "thresholds.json)")] = None,
) -> None:
    """Choose each evidence type's threshold on held-out folds of the real training texts and write them."""
    from assistant.evidence.calibration import STORED_FEATURES, THRESHOLDS_FILE, calibrate, write_thresholds

    assistant = build_assistant()
    knowledge = assistant.knowledge
    with progress_bar("folds      ", folds) as advance:
        thresholds = calibrate(list(knowledge.bank), list(knowledge.real), embed=assistant.embeddings.embed_array,
                               stored=knowledge.root / "evidence" / STORED_FEATURES,
                               model_id=assistant.embeddings.model_id, folds=folds, progress=advance)
    path = out or knowledge.root / "evidence" / THRESHOLDS_FILE
    write_thresholds(path, thresholds)
    table = Table(title=f"Per-type thresholds ({thresholds.sentences} held-out real sentences, {folds} folds)")
    for column in ("type", "threshold", "precision", "recall", "F1", "support"):
        table.add_column(column)
    for evidence_type, chosen in thresholds.types.items():
        table.add_row(evidence_type, f"{chosen.threshold:.3f}", _number(chosen.precision), _number(chosen.recall),
                      _number(chosen.f1), str(chosen.support))
    console.print(table)
    console.print(f"written: {path}", highlight=False, soft_wrap=True)


def _print_comparison(comparison: Any, *, show_all: bool) -> None:
    for label, a, b in comparison.differences():
        arrow = " " if a == "changed:" else " → "
        console.print(f"[dim]{label}:[/dim] {escape(str(a))}{arrow}{escape(str(b))}", highlight=False)
    status = {g.metric: g for g in comparison.gates}
    table = Table(title="Metric deltas (A → B)")
    for column in ("metric", "A", "B", "Δ", "gate", "result"):
        table.add_column(column, justify="right" if column in ("A", "B", "Δ") else "left")
    for delta in comparison.deltas:
        if not (show_all or delta.gated or delta.headline):
            continue
        gate = status.get(delta.metric)
        change = delta.change
        shown = "—" if change is None else f"{change:+.4f}"
        if change:
            lower_is_better = gate.gate.higher_is_better is False if gate else delta.metric.endswith("_ms")
            better = change < 0 if lower_is_better else change > 0
            colour = "green" if better else "red"
            shown = f"[{colour}]{shown}[/{colour}]"
        result = ""
        if gate is not None:
            result = {"pass": "[green]pass[/green]", "fail": f"[red]FAIL[/red] {escape(gate.reason)}",
                      "not measured": "[yellow]not measured[/yellow]"}[gate.status]
        table.add_row(escape(delta.metric), _number(delta.old), _number(delta.new), shown,
                      escape(gate.gate.describe()) if gate else "", result)
    console.print(table)
    if not show_all:
        console.print("[dim]gated and headline metrics only; --all shows every metric[/dim]")
    failed = comparison.failed
    if failed:
        err_console.print(f"[red]{len(failed)} gate(s) failed[/red]: " + ", ".join(g.metric for g in failed),
                          highlight=False)
    else:
        console.print("[green]all gates pass[/green]")


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
