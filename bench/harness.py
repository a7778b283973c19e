"""Shared pieces of the benchmarks: a prepared instance, gunicorn servers, wrk, percentiles.

Every server listens on 127.0.0.1 only and is stopped when its `with` block ends.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def instance_env(instance: Path, **extra: str) -> dict[str, str]:
    """Development settings (production's, less the Secure cookies that plain HTTP on
    loopback would drop) with test payments, on a SQLite file (or BENCH_DATABASE_URL)."""
    env = dict(os.environ)
    env.update(
        SILLON_CONFIG="development",
        SILLON_INSTANCE=str(instance),
        SECRET_KEY="bench-" + "x" * 40,
        TEST_PAYMENTS="1",
        # Two workers need one rate-limit store, as in production (gunicorn.conf.py).
        RATELIMIT_STORAGE_URI=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        PYTHONPATH=str(ROOT),
        **extra,
    )
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    return env


@contextlib.contextmanager
def prepared_instance() -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh database with migrations applied and the demo label loaded."""
    instance = Path(tempfile.mkdtemp(prefix="sillon-bench-"))
    env = instance_env(instance)
    try:
        for command in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run(
                [PYTHON, "-m", "flask", "--app", "storefront", *command],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        yield instance, env
    finally:
        shutil.rmtree(instance, ignore_errors=True)


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str]) -> Iterator[str]:
    """Serve `app_spec` with gunicorn sync workers (the same settings for every server)."""
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/healthz", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited before serving")
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=1).close()
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def wrk(url: str, *, seconds: int = 10, connections: int = 50) -> dict[str, float]:
    """Requests/s, p50 and p99 (ms) measured by wrk -t2."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "rps": rps,
        "p50": _latency(output, "50%"),
        "p99": _latency(output, "99%"),
        "errors": float(non_2xx.group(1)) if non_2xx else 0.0,
    }


def _latency(output: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": cuts[49], "p99": cuts[98]}


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")


def database_url(instance: Path) -> str:
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{instance / 'sillon.sqlite3'}"


def run_sql(url: str, statement: str, **params) -> list:
    """Run one statement against the bench database (set-up and final checks)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()
