"""Real servers for tests and the load run: ``shortlist serve`` in a subprocess, a throwaway
PostgreSQL cluster and a Chroma server.

Both bind to 127.0.0.1 on a free port, live in a temporary folder and are stopped by the context
manager (and by the test session's end). PostgreSQL comes from Debian's ``postgresql`` package; it
refuses to run as root, so as root the cluster is made and run as the ``postgres`` user.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PG_ROOT = Path("/usr/lib/postgresql")
# The first start embeds the whole knowledge base with the real model.
START_TIMEOUT_S = 900


class LiveServer:
    """``shortlist serve`` as a user runs it; stopped with SIGTERM, killed if it does not stop."""

    def __init__(self, data_dir: Path, port: int, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = port
        self.env = env or {}
        self.log_path = data_dir.parent / f"server-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTLIST_")}
        env["SHORTLIST_DATA_DIR"] = str(self.data_dir)
        env.update(self.env)
        command = [sys.executable, "-c", "from assistant.cli import main; main()",
                   "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, cwd=self.data_dir.parent, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"the server did not start in {START_TIMEOUT_S}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])



def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None when the package is missing."""
    versions = sorted((p for p in PG_ROOT.glob("*/bin") if (p / "pg_ctl").is_file()),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return versions[-1] if versions else None


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A fresh cluster on 127.0.0.1; yields a SQLAlchemy URL of an empty database."""
    binaries = postgres_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql (make test does this)")
    root = Path(tempfile.mkdtemp(prefix="shortlist-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data)]
    subprocess.run(_as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                 "--encoding=UTF8", "--no-instructions"]),
                   check=True, capture_output=True)
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=100"
    subprocess.run(_as_postgres([*pg_ctl, "-o", options, "-l", str(root / "server.log"), "-w", "-t", "60",
                                 "start"]), check=True, capture_output=True)
    try:
        subprocess.run(_as_postgres([str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U",
                                     "postgres", "shortlist"]), check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/shortlist"
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "fast", "-w", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def chroma_server() -> Iterator[str]:
    """``chroma run`` on 127.0.0.1; yields its URL."""
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="shortlist-chroma-"))
    chroma = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(folder / "store"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the Chroma server did not start")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)
