"""Metric functions against small cases computed by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assistant.errors import InvalidInput
from eval.gates import Gate, check, load_gates
from eval.grounding import figure_values, quotations, unsupported
from eval.metrics import (
    Counts,
    cohen_kappa,
    confusion,
    macro_f1,
    multilabel_counts,
    ndcg_at_k,
    percentile,
    recall_at_k,
    reciprocal_rank,
    span_counts,
    spans_match,
)
from eval.suites.evidence import align
from eval.suites.sections import judge_sections


def test_counts_give_precision_recall_and_f1() -> None:
    counts = Counts(tp=2, fp=1, fn=3)
    assert counts.precision == pytest.approx(2 / 3)
    assert counts.recall == pytest.approx(2 / 5)
    assert counts.f1 == pytest.approx(4 / 8)  # 2TP / (2TP + FP + FN)
    assert Counts().f1 is None and Counts().precision is None


def test_multilabel_counts_and_macro_f1_skip_labels_nobody_used() -> None:
    pairs = [({"metric"}, {"metric", "baseline"}), ({"metric", "spread"}, set()), (set(), {"baseline"})]
    counts = multilabel_counts(pairs, ["metric", "baseline", "spread", "value"])
    assert counts["metric"] == Counts(tp=1, fp=0, fn=1, tn=1)
    assert counts["baseline"] == Counts(tp=0, fp=2, fn=0, tn=1)
    assert counts["value"].f1 is None
    # metric F1 = 2/3, baseline 0, spread 0; value is undefined and left out.
    assert macro_f1(counts) == pytest.approx((2 / 3 + 0 + 0) / 3)


def test_feedback_prize_rule_needs_half_of_both_spans() -> None:
    assert spans_match((0, 10), (5, 15))  # 5/10 of each
    assert not spans_match((0, 10), (0, 30))  # covers the gold, but only a third of the prediction
    assert not spans_match((0, 10), (6, 12))  # 4/10 of the gold
    assert not spans_match((0, 10), (10, 20))


def test_span_counts_match_one_to_one() -> None:
    counts = span_counts([(0, 10), (20, 30)], [(0, 9), (1, 10), (40, 50)])
    assert counts == Counts(tp=1, fp=2, fn=1)


def test_cohen_kappa_by_hand() -> None:
    # p_o = 3/4, p1 = 1/2, p2 = 1/4, p_e = 1/2 -> kappa = (0.75 - 0.5) / 0.5
    assert cohen_kappa([True, True, False, False], [True, False, False, False]) == pytest.approx(0.5)
    assert cohen_kappa([False] * 4, [False] * 4) is None
    assert cohen_kappa([True, False], [False, True]) == pytest.approx(-1.0)


def test_ranking_metrics_by_hand() -> None:
    ranked, relevant = ["a", "b", "c", "d"], {"b", "c"}
    assert recall_at_k(ranked, relevant, 1) == 0
    assert recall_at_k(ranked, relevant, 3) == 1
    assert reciprocal_rank(ranked, relevant) == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(4)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at_k(ranked, relevant, 10) == pytest.approx(dcg / ideal)
    assert reciprocal_rank(["x"], relevant) == 0


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert percentile([], 50) is None


def test_confusion_rows_are_expected_columns_predicted() -> None:
    matrix = confusion([("pass", "pass"), ("pass", "fail"), ("fail", "fail")], ["pass", "fail"])
    assert matrix == [[1, 1], [0, 1]]


def test_alignment_handles_split_and_merged_sentences() -> None:
    gold = [(0, 20), (21, 40), (41, 60)]
    predicted = [(0, 10, ["metric"]), (10, 20, ["baseline"]), (21, 60, ["spread"])]
    assert align(gold, predicted) == [{"metric", "baseline"}, {"spread"}, {"spread"}]
    assert align([(0, 100)], [(95, 120, ["metric"])]) == [set()]  # a sliver is not the sentence


def test_section_is_found_when_its_criterion_covers_half() -> None:
    gold = [("ambition", (0, 100)), ("outcome", (100, 200))]
    predicted = [("ambition", 0, 60), ("outcome", 60, 140), ("spread", 140, 200)]
    assert judge_sections(gold, predicted) == [(True, "ambition"), (False, "spread")]


def test_grounding_finds_invented_figures_and_quotes() -> None:
    draft = 'Falls fell from 35% to 12% across 1,200 patients. A nurse said: "I finally have time to talk."'
    answer = ('Your outcomes section reports a fall from 35% to 12%, for 1200 patients. Add the 2 other wards. '
              'Quote "I finally have time to talk" and say savings reached £40,000 with "a huge difference made".')
    problems = unsupported(answer, [draft])
    assert [(p.kind, p.text) for p in problems] == [("figure", "£40,000"), ("quote", "a huge difference made")]
    assert figure_values("1. Add a baseline\n2. Add 3 quotes") == []
    assert quotations('He said "yes" and “this is fine”.') == ["this is fine"]


def test_gates_fail_below_minimum_or_on_a_large_drop() -> None:
    gate = Gate(min=0.6, max_drop=0.05)
    assert check("m", gate, 0.70, 0.68).status == "pass"
    assert check("m", gate, 0.70, 0.62).status == "fail"  # dropped 0.08
    assert check("m", gate, 0.60, 0.55).status == "fail"  # below the minimum
    assert check("m", gate, 0.70, None).status == "not measured"
    rate = Gate(max=0.2, max_rise=0.05)
    assert check("r", rate, 0.10, 0.14).status == "pass"
    assert check("r", rate, 0.10, 0.18).status == "fail"
    with pytest.raises(ValueError):
        Gate(min=0.5, max=0.9)


def test_thresholds_file_errors_name_the_gate_and_field(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.toml"
    path.write_text('[gates]\n"evidence.sentence.macro_f1" = { minimum = 0.5 }\n')
    with pytest.raises(InvalidInput, match=r"gates\.evidence\.sentence\.macro_f1\.minimum: Extra inputs"):
        load_gates(path)
    path.write_text('[gates]\n"review.false_missing_rate" = { max = 0.4, max_rise = 0.05 }\n')
    assert load_gates(path)["review.false_missing_rate"].higher_is_better is False


def test_shipped_thresholds_load() -> None:
    gates = load_gates()
    assert "evidence.sentence.macro_f1" in gates and "review.false_missing_rate" in gates
