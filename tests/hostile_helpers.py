"""Starting the shared hostile fault server (shared/hostile/hostile_server.py) for a test.

It binds 127.0.0.1 on a free port, stops by itself after ``max_seconds`` and is ended by
PID when the test is done; both test modules that need it start it here.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _wait_for_port(port_file: Path, proc: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("hostile server exited at start")
        text = port_file.read_text() if port_file.exists() else ""
        if text.strip().isdigit():
            return int(text)
        time.sleep(0.05)
    pytest.fail("hostile server did not start")


@contextmanager
def hostile_server(script: Path, workdir: Path, *, max_seconds: int) -> Iterator[str]:
    """Run the server script; yields its base URL ``http://127.0.0.1:PORT``."""
    port_file = workdir / "port"
    args = [sys.executable, str(script), "--host", "127.0.0.1", "--port", "0"]
    args += ["--port-file", str(port_file), "--max-seconds", str(max_seconds)]
    args += ["--stream-seconds", "20", "--quiet"]
    proc = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{_wait_for_port(port_file, proc)}"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
