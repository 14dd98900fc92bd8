"""Shortlist's evaluation harness: datasets, suites, metrics, reports and gates."""

from eval.harness import Case, CaseResult, Score, SuiteResult
from eval.runner import plan, run

__all__ = ["Case", "CaseResult", "Score", "SuiteResult", "plan", "run"]
