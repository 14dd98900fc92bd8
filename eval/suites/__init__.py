"""The suites, by name; each module's ``SUITE`` class follows ``eval.harness.Suite``."""

from collections.abc import Callable

from eval.harness import Suite
from eval.suites import chat, eligibility, evidence, messages, retrieval, review, sections

SUITES: dict[str, Callable[[], Suite]] = {
    "evidence_real": evidence.RealSuite,
    "evidence": evidence.SUITE,
    "sections": sections.SUITE,
    "review": review.SUITE,
    "retrieval": retrieval.SUITE,
    "eligibility": eligibility.SUITE,
    "chat": chat.SUITE,
    "messages": messages.SUITE,
}

__all__ = ["SUITES"]
