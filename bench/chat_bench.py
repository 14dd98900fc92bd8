"""Benchmark: chat answer time in template mode over the 30 team chat cases.

Each case is one stateless answer (``ChatEngine.answer``) about a draft, timed end to end: reading the
message, reviewing the draft (a fresh engine, so nothing is cached from an earlier round), the tools
and the template. Models, the store, the detector and the message model are loaded before timing.
Reports the median and p95 per round and over all rounds.
Run: python bench/chat_bench.py [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from assistant.chat import build_chat_engine
    from assistant.service import Assistant
    from assistant.settings import get_settings

    assistant = Assistant.from_settings(get_settings())
    assistant.ingest_knowledge()
    assistant.detector  # noqa: B018 - trained or loaded before timing
    if hasattr(assistant, "prepare_messages"):
        assistant.prepare_messages()
    cases = [json.loads(line) for line in (ROOT / "eval" / "datasets" / "chat.jsonl").read_text().splitlines()
             if line.strip()]
    timings: list[float] = []
    rounds = []
    for _ in range(args.rounds):
        engine = build_chat_engine(assistant, database_path=Path(":memory:"))
        this_round = []
        for case in cases:
            started = time.perf_counter()
            engine.answer(case["draft"], case["category"], case["request"], programme=case["programme"])
            this_round.append((time.perf_counter() - started) * 1000)
        rounds.append({"p50_ms": round(statistics.median(this_round), 1),
                       "p95_ms": round(percentile(this_round, 0.95), 1)})
        timings += this_round
    result = {"cases": len(cases), "rounds": rounds, "p50_ms": round(statistics.median(timings), 1),
              "p95_ms": round(percentile(timings, 0.95), 1)}
    print(json.dumps(result) if args.json else
          f"chat answer time over {len(cases)} cases x {args.rounds} rounds: median {result['p50_ms']} ms, "
          f"p95 {result['p95_ms']} ms; per round {rounds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
