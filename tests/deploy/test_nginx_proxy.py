"""The proxy of deploy/ on its own: deploy/nginx.conf.template rendered by deploy/run_class.py,
Debian's nginx run as any user, in front of two stand-in replicas (tiny HTTP servers that answer
with their name and the headers they received). Fast, and no browser: the stickiness rules one by
one. tests/deploy/test_replicas_browser.py runs the same proxy in front of real replicas."""

import json
import shutil
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy


def _stand_in(name: str) -> ThreadingHTTPServer:
    """A replica that answers every GET with its name and the request's headers, as JSON."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(
                {"replica": name, "path": self.path, "headers": dict(self.headers)}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def proxy(run_class):
    """nginx in front of stand-ins "A" (cookie r0) and "B" (r1): (its URL, the stand-ins)."""
    if not Path(run_class.NGINX).exists():
        pytest.skip(f"nginx is not installed at {run_class.NGINX}: `make browser-deps` installs it")
    replicas = [_stand_in("A"), _stand_in("B")]
    cls = run_class.new_class()
    try:
        run_class.start_proxy(cls, [f"127.0.0.1:{r.server_address[1]}" for r in replicas])
        yield cls.url, replicas
    finally:
        cls.stop()
        for r in replicas:
            r.shutdown()
        shutil.rmtree(cls.workdir, ignore_errors=True)


def _get(url: str, cookie: str | None = None, headers: dict | None = None) -> tuple[dict, dict]:
    """(what the replica said, nginx's response headers)."""
    request = urllib.request.Request(
        url, headers={**(headers or {}), **({"Cookie": cookie} if cookie else {})}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read()), dict(response.headers)


def _cookie(headers: dict) -> str | None:
    value = headers.get("Set-Cookie", "")
    return value.split(";")[0] if value.startswith("rnnviz_replica=") else None


def test_nginx_new_browser_gets_a_cookie_naming_its_replica_and_stays_there(proxy):
    url, _ = proxy
    said, headers = _get(url + "/next-letter")
    cookie = _cookie(headers)
    assert cookie in ("rnnviz_replica=r0", "rnnviz_replica=r1"), headers
    expected = {"rnnviz_replica=r0": "A", "rnnviz_replica=r1": "B"}[cookie]
    assert said["replica"] == expected, (cookie, said)
    for path in [
        "/_stcore/health",
        "/_stcore/stream",
        "/_stcore/upload_file/x",
        "/static/app.js",
    ] * 3:
        again, headers = _get(url + path, cookie)
        assert again["replica"] == expected, f"{path} with {cookie} went to {again['replica']}"
        assert _cookie(headers) == cookie, headers


def test_nginx_new_browsers_spread_over_both_replicas(proxy):
    url, _ = proxy
    first_replicas = [_get(url + "/")[0]["replica"] for _ in range(4)]
    assert set(first_replicas) == {"A", "B"}, first_replicas


@pytest.mark.parametrize(
    "cookie",
    [
        "rnnviz_replica=127.0.0.1:22",
        "rnnviz_replica=evil.example:80",
        "rnnviz_replica=r7",
        "rnnviz_replica=",
    ],
)
def test_nginx_cookie_picks_only_among_the_listed_replicas(proxy, cookie):
    url, _ = proxy
    said, headers = _get(url + "/", cookie)
    assert said["replica"] in ("A", "B"), said
    assert (
        _cookie(headers) == {"A": "rnnviz_replica=r0", "B": "rnnviz_replica=r1"}[said["replica"]]
    ), headers


def test_nginx_websocket_upgrade_reaches_the_replica(proxy):
    url, _ = proxy
    said, _ = _get(
        url + "/_stcore/stream",
        "rnnviz_replica=r1",
        {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"},
    )
    sent = {k.lower(): v for k, v in said["headers"].items()}
    assert said["replica"] == "B"
    assert sent.get("upgrade") == "websocket" and sent.get("connection") == "upgrade", sent
    assert sent.get("host") == url.split("//")[1], (
        f"Streamlit checks the Origin against Host: {sent.get('host')}"
    )
    plain, _ = _get(url + "/", "rnnviz_replica=r1")
    assert {k.lower(): v for k, v in plain["headers"].items()}.get("connection") == "close"


def test_nginx_replica_down_sends_its_browsers_to_another(proxy):
    url, replicas = proxy
    replicas[0].shutdown()  # "A", cookie r0
    replicas[0].server_close()
    said, headers = _get(url + "/", "rnnviz_replica=r0")
    assert said["replica"] == "B"
    assert _cookie(headers) == "rnnviz_replica=r1", headers
