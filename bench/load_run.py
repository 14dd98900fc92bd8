"""Load run: simulated entrants against a real ``shortlist serve`` on 127.0.0.1, then kill -9 during writes.

Phase 1 (load): ``--users`` entrants for ``--duration`` seconds, each behind its own address (sent as
X-Forwarded-For, which uvicorn honours from 127.0.0.1, so each has its own rate limit). Each one
starts a conversation with a varied draft (sections of the bundled samples and exemplars, dropped,
shuffled and re-worded), asks questions, adds versions, reads the conversation back and asks for
full reviews, with 0.5-2.5 s of thinking between requests. Reported: requests, p50/p95 per endpoint,
responses by status (only 2xx, 429 and 503 are allowed), and the server's RSS at the start, the
peak and the end.

Phase 2 (durability): writers send messages as fast as the server answers; the server is killed
with SIGKILL mid-run and restarted; every turn the server acknowledged (a 200 with the turn's id)
must be in the conversation after the restart.

Both phases run on SQLite and, with ``--database both``, on a throwaway PostgreSQL cluster.
Loopback only; every server it starts is stopped at the end.
Run: python bench/load_run.py [--users 30] [--duration 180] [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import LiveServer, free_port, postgres_cluster  # noqa: E402

QUESTIONS = [
    "What's missing in impact?", "how do i make the scale section stronger", "what do judges look for in value?",
    "Is my entry eligible?", "what evidence is missing overall", "how many words is each section?",
    "show me an example of a good testimonial", "what counts as spread to other sites?",
    "and sustainability?", "can you check the ambition section", "which criterion is weakest?",
    "do we need a baseline for the waiting times figure?", "what about patient involvement",
]
CATEGORIES = ["hsj-awards-2025/acute-innovation", "hsj-awards-2024/performance-recovery",
              "kent-medway-qsi-2020/primary-care-safety", "hsj-value-2025/value-workforce"]


def drafts() -> list[str]:
    """Source sections to build varied drafts from: the bundled samples and the exemplars' passages."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "knowledge" / "samples").glob("*.md"))]
    sections: list[str] = []
    for text in texts:
        sections += [s.strip() for s in re.split(r"\n(?=## )", text) if s.strip().startswith("## ")]
    return sections


def varied_draft(rng: random.Random, sections: list[str]) -> str:
    chosen = rng.sample(sections, k=min(len(sections), rng.randint(3, 7)))
    out = []
    for section in chosen:
        lines = section.splitlines()
        if rng.random() < 0.3 and len(lines) > 3:  # drop a sentence-bearing line
            del lines[rng.randrange(2, len(lines))]
        out.append("\n".join(lines))
    return f"# Entry {rng.randint(1, 10_000)}\n\n" + "\n\n".join(out) + "\n"


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children, in MB."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def _children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return found + [g for c in found for g in _children(c)]


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter[int]] = defaultdict(Counter)

    def record(self, endpoint: str, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[endpoint][status] += 1
            if 200 <= status < 300:
                self.latency[endpoint].append(seconds * 1000)


def _call(client: httpx.Client, recorder: Recorder, endpoint: str, method: str, url: str,
          **kwargs: object) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError:
        recorder.record(endpoint, 0, time.perf_counter() - started)
        return None
    recorder.record(endpoint, response.status_code, time.perf_counter() - started)
    return response


def entrant(index: int, url: str, stop: float, recorder: Recorder, sections: list[str]) -> None:
    rng = random.Random(index)
    address = f"10.{index // 250}.{index % 250}.{rng.randint(1, 250)}"
    with httpx.Client(base_url=url, timeout=120, headers={"X-Forwarded-For": address}) as client:
        conversation: tuple[str, dict[str, str]] | None = None
        while time.monotonic() < stop:
            roll = rng.random()
            if conversation is None or roll < 0.08:
                draft = varied_draft(rng, sections)
                response = _call(client, recorder, "POST /conversations", "POST", "/api/conversations",
                                 json={"category": rng.choice(CATEGORIES), "text": draft})
                if response is not None and response.status_code == 201:
                    body = response.json()
                    conversation = (body["id"], {"Authorization": f"Bearer {body['token']}"})
            elif roll < 0.55:
                cid, auth = conversation
                _call(client, recorder, "POST /conversations/{id}/messages", "POST",
                      f"/api/conversations/{cid}/messages", json={"content": rng.choice(QUESTIONS)}, headers=auth)
            elif roll < 0.68:
                cid, auth = conversation
                _call(client, recorder, "POST /conversations/{id}/versions", "POST",
                      f"/api/conversations/{cid}/versions", json={"text": varied_draft(rng, sections)}, headers=auth)
            elif roll < 0.85:
                cid, auth = conversation
                _call(client, recorder, "GET /conversations/{id}", "GET", f"/api/conversations/{cid}", headers=auth)
            else:
                _call(client, recorder, "POST /reviews", "POST", "/api/reviews",
                      json={"category": rng.choice(CATEGORIES), "text": varied_draft(rng, sections)})
            time.sleep(rng.uniform(0.5, 2.5))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def load_phase(server: LiveServer, users: int, duration: float) -> dict[str, object]:
    assert server.process is not None
    sections = drafts()
    recorder = Recorder()
    rss_start = rss_mb(server.process.pid)
    peak = rss_start
    began = time.monotonic()
    stop = began + duration
    timeline: list[tuple[int, float]] = []
    threads = [threading.Thread(target=entrant, args=(i, server.url, stop, recorder, sections), daemon=True)
               for i in range(users)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    while any(t.is_alive() for t in threads):
        now = rss_mb(server.process.pid)
        peak = max(peak, now)
        elapsed = int(time.monotonic() - began)
        if not timeline or elapsed - timeline[-1][0] >= 30:
            timeline.append((elapsed, now))
        time.sleep(1)
    endpoints = {}
    for endpoint, statuses in sorted(recorder.statuses.items()):
        times = recorder.latency[endpoint]
        endpoints[endpoint] = {
            "requests": sum(statuses.values()),
            "p50_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(percentile(times, 0.95), 1) if times else None,
            "statuses": dict(sorted(statuses.items())),
        }
    statuses = Counter[int]()
    for counter in recorder.statuses.values():
        statuses.update(counter)
    unexpected = {s: n for s, n in statuses.items() if not (200 <= s < 300 or s in (429, 503))}
    return {"users": users, "seconds": duration, "requests": sum(statuses.values()),
            "statuses": dict(sorted(statuses.items())), "unexpected": unexpected, "endpoints": endpoints,
            "rss_mb": {"start": rss_start, "peak": peak, "end": rss_mb(server.process.pid),
                       "every_30s": timeline}}


def durability_phase(server: LiveServer, writers: int = 6, before_kill: float = 20.0) -> dict[str, object]:
    """Kill -9 the server while writers post messages; every acknowledged turn must survive."""
    acknowledged: dict[str, list[str]] = defaultdict(list)
    tokens: dict[str, dict[str, str]] = {}
    lock = threading.Lock()
    sections = drafts()
    stop = threading.Event()

    def writer(index: int) -> None:
        rng = random.Random(1000 + index)
        with httpx.Client(base_url=server.url, timeout=60,
                          headers={"X-Forwarded-For": f"10.9.{index}.1"}) as client:
            try:
                created = client.post("/api/conversations",
                                      json={"category": CATEGORIES[0], "text": varied_draft(rng, sections)})
            except httpx.HTTPError:
                return
            cid, auth = created.json()["id"], {"Authorization": f"Bearer {created.json()['token']}"}
            with lock:
                tokens[cid] = auth
            while not stop.is_set():
                try:
                    response = client.post(f"/api/conversations/{cid}/messages",
                                           json={"content": rng.choice(QUESTIONS)}, headers=auth)
                except httpx.HTTPError:
                    continue  # the server died mid-request: not acknowledged
                if response.status_code == 200:
                    with lock:
                        acknowledged[cid].append(response.json()["id"])

    threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(writers)]
    for thread in threads:
        thread.start()
    time.sleep(before_kill)
    assert server.process is not None
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    with lock:
        acked = {cid: list(ids) for cid, ids in acknowledged.items()}
    server.start()
    lost = 0
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for cid, ids in acked.items():
            stored = {t["id"] for t in client.get(f"/api/conversations/{cid}", headers=tokens[cid]).json()["turns"]}
            lost += sum(1 for turn_id in ids if turn_id not in stored)
    return {"acknowledged_turns": sum(len(ids) for ids in acked.values()), "conversations": len(acked),
            "lost_after_kill_9": lost}


def run(database: str, args: argparse.Namespace, work: Path) -> dict[str, object]:
    with ExitStack() as stack:
        env = {"SHORTLIST_BATCH_WORKERS": "1"}
        if database == "postgresql":
            env["SHORTLIST_DATABASE__URL"] = stack.enter_context(postgres_cluster())
        data = work / database / "data"
        (data / "cache").mkdir(parents=True)
        if args.warm_from and (args.warm_from / "cache").is_dir():  # trained models: skip the first-use training
            for path in (args.warm_from / "cache").iterdir():
                if path.is_file():
                    shutil.copy2(path, data / "cache" / path.name)
        server = LiveServer(data, free_port(), env)
        started = time.monotonic()
        server.start()
        stack.callback(server.stop)
        ready = round(time.monotonic() - started, 1)
        print(f"[{database}] server ready in {ready}s; {args.users} users for {args.duration}s", file=sys.stderr)
        load = load_phase(server, args.users, args.duration)
        print(f"[{database}] load done: {load['requests']} requests {load['statuses']}", file=sys.stderr)
        durability = durability_phase(server)
        print(f"[{database}] kill -9: {durability}", file=sys.stderr)
        return {"database": database, "start_s": ready, "load": load, "durability": durability}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--duration", type=float, default=180)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--warm-from", type=Path, default=ROOT / "data",
                        help="a data dir whose cache/ (trained models) is copied first (default: ./data)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load_run.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="shortlist-load-"))
    try:
        databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
        results = [run(database, args, work) for database in databases]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    failed = any(r["load"]["unexpected"] or r["durability"]["lost_after_kill_9"] for r in results)  # type: ignore[index]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
