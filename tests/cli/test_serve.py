"""`casetracker serve`: a browser gets the page, and its websocket drives the real app."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request

import aiohttp
import pytest

from casetracker.services.demo import build_demo


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    build_demo(url, 6)
    port = _free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    argv = [sys.executable, "-m", "casetracker", "--db", url, "--as", "cw.demo"]
    proc = subprocess.Popen(
        [*argv, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as response:
                page = response.read().decode()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("casetracker serve did not answer within 30 s")
            time.sleep(0.2)
    yield base, page
    proc.terminate()
    proc.wait(timeout=10)


def test_the_page_is_served_with_its_session_websocket(served):
    base, page = served
    assert f'data-session-websocket-url="{base.replace("http", "ws")}/ws"' in page


def test_a_browser_session_runs_the_app_on_the_database(served):
    base, _ = served

    async def session() -> bytes:
        seen = b""
        async with aiohttp.ClientSession() as http:
            ws_url = base.replace("http", "ws") + "/ws?width=120&height=40"
            async with http.ws_connect(ws_url) as ws:
                await ws.send_json(["resize", {"width": 120, "height": 40}])
                deadline = time.monotonic() + 60
                while b"DEMO" not in seen or b"cw.demo" not in seen:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    try:
                        message = await ws.receive(timeout=remaining)
                    except TimeoutError:
                        break
                    if message.type == aiohttp.WSMsgType.BINARY:
                        seen += message.data
                    elif message.type == aiohttp.WSMsgType.TEXT:
                        seen += message.data.encode()
                    else:
                        break
                await ws.send_json(["stdin", "q"])
        return seen

    seen = asyncio.run(session())
    assert b"DEMO" in seen  # the header of the real app, on the demo database
    assert b"cw.demo" in seen
