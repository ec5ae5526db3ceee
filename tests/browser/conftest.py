"""Browser tests: the real server, driven by Debian's Chromium through Python Playwright.

Never `playwright install`: the browser is the system one (/usr/bin/chromium), launched with the
flags in CHROMIUM_ARGS (no sandbox, no GPU, nothing fetched in the background; ARCHITECTURE.md). The
server is started per module on a free port and stopped after.

The README's screenshots (assets/screenshot-*.png) are taken by the tests marked `screenshot`, and
written only when RNNVIZ_SCREENSHOTS names a folder: `make screenshots` sets it to assets.
`make test` leaves it unset, so running the tests changes no tracked file.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("RNNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env_extra: dict | None = None):
    port = _free_port()
    env = dict(os.environ, **(env_extra or {}))
    log = (
        open(ROOT / "test-artifacts" / f"server-{port}.log", "w")
        if (ROOT / "test-artifacts").is_dir()
        else subprocess.DEVNULL
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            raise RuntimeError("the streamlit server exited while starting")
    proc.kill()
    raise RuntimeError("the streamlit server did not answer within 60 s")


@pytest.fixture(scope="module")
def server():
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    proc, url = start_server()
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: "
            "run `apt-get install -y chromium` (make test does)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def readme_screenshot():
    """save(page, name): the page as the README shows it, into $RNNVIZ_SCREENSHOTS/name (a folder
    relative to the repository), or nowhere when that is unset."""
    folder = os.environ.get("RNNVIZ_SCREENSHOTS")

    def save(page, name: str) -> None:
        if folder:
            page.screenshot(path=str(ROOT / folder / name))

    return save


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    # the first page of a fresh server also starts its warm worker processes
    pg.set_default_timeout(90_000)
    yield pg
    context.close()
