"""Run the web view in a background thread (tests, benchmarks) or in the foreground (CLI)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    """No access log: URLs may carry the token, and logs hold no personal data."""
    return uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)


@contextmanager
def background(app: FastAPI, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Serve `app` until the block ends; yields the base URL."""
    port = port or free_port(host)
    server = uvicorn.Server(config(app, host, port))
    thread = threading.Thread(target=server.run, name="rostering-web", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"the web view did not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
