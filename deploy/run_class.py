"""Run a class bigger than one machine: N app replicas behind nginx, training on a Ray cluster.

    python deploy/run_class.py --replicas 2 --port 8080          # all on this machine, on loopback
    python deploy/run_class.py nginx-conf \
        --replica 10.0.0.2:8501 --replica 10.0.0.3:8501 --listen 80

The first form starts, on this machine and as any user, a Ray head (`ray start --head`), N Streamlit
replicas of app.py sharing one cookie secret and sending their training to Ray (RAY_ADDRESS,
RNNVIZ_EXECUTOR=ray), and Debian's nginx in front with sticky sessions (deploy/nginx.conf.template),
then waits for Ctrl-C and stops all it started. The second prints the nginx config for replicas on
other machines. deploy/README.md is the recipe for several machines; tests/deploy/ runs this file.

Everything started here runs in its own process group and is stopped by that group, so nothing
else on the machine (another Ray cluster, another nginx) is touched. This file leaves the training
itself to rnnviz's executors and the scheduling to Ray.
"""

from __future__ import annotations

import argparse
import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Class", "start_class", "new_class", "start_proxy", "render_nginx_conf", "free_port"]

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX = os.environ.get("RNNVIZ_NGINX", shutil.which("nginx") or "/usr/sbin/nginx")


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_nginx_conf(replicas: list[str], listen: str, prefix: str, upload_mb: int = 10) -> str:
    """The nginx config for `replicas` ("host:port" each, named r0, r1, ... in the cookie)."""
    if not replicas:
        raise ValueError("give at least one replica (host:port)")
    names = [f"r{i}" for i in range(len(replicas))]
    new_servers = "\n".join(f"        server {addr};" for addr in replicas)
    groups = []
    for name, addr in zip(names, replicas):
        backups = "".join(
            f"\n        server {other} backup;" for other in replicas if other != addr
        )
        groups.append(f"    upstream rnnviz_{name} {{\n        server {addr};{backups}\n    }}")
    cookie_to_upstream = "\n".join(f"        {name} rnnviz_{name};" for name in names)
    address_to_replica = "\n".join(
        f'        "~(^|, ){_regex(addr)}$" {name};' for name, addr in zip(names, replicas)
    )
    values = {
        "prefix": prefix,
        "listen": listen,
        "upload_mb": str(upload_mb + 1),
        "new_servers": new_servers,
        "replica_upstreams": "\n".join(groups),
        "cookie_to_upstream": cookie_to_upstream,
        "address_to_replica": address_to_replica,
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _regex(address: str) -> str:
    return "".join("\\" + ch if ch in ".[]()" else ch for ch in address)


@dataclass
class Class:
    """What `start_class` started: proxy URL, replicas, Ray head; `stop()` ends them all."""

    url: str  # the proxy: what students open
    replica_ports: list[int]  # replica i (cookie value r<i>) listens on 127.0.0.1:replica_ports[i]
    replica_pids: list[int]
    workdir: Path  # nginx's prefix (nginx.conf, access.log, error.log) and every process's log
    ray_address: str | None = None  # "127.0.0.1:<gcs port>", None without Ray
    ray_pgid: int | None = None  # the process group of the Ray head and every Ray worker it starts
    _procs: list[subprocess.Popen] = field(default_factory=list, repr=False)

    def stop(self) -> None:
        """Stop all it started, newest first (proxy, replicas, then Ray). Safe to call twice."""
        while self._procs:
            _stop_group(self._procs.pop())

    def __enter__(self) -> "Class":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def new_class(port: int | None = None, workdir: Path | None = None) -> Class:
    """An empty Class: its URL (port free now unless given) and work folder; stopped at exit."""
    # short: Ray's socket paths must fit 107 bytes
    workdir = Path(workdir or tempfile.mkdtemp(prefix="rv", dir="/tmp"))
    # nginx's workers (user nobody when started as root) write its temp files here
    workdir.chmod(0o755)
    (workdir / "tmp").mkdir(exist_ok=True)
    cls = Class(
        url=f"http://127.0.0.1:{port or free_port()}",
        replica_ports=[],
        replica_pids=[],
        workdir=workdir,
    )
    atexit.register(cls.stop)
    return cls


def start_class(
    replicas: int = 2,
    port: int | None = None,
    ray: bool = True,
    num_cpus: int | None = None,
    workdir: Path | None = None,
    env: dict | None = None,
    timeout: float = 120,
) -> Class:
    """Start a Ray head (unless `ray` is False), `replicas` Streamlit replicas and nginx, all on
    loopback.

    `env` adds environment variables for the replicas (RNNVIZ_* limits, for example). If any part
    fails to start, what was already started is stopped and the error names the log to read.
    """
    cls = new_class(port, workdir)
    try:
        replica_env = dict(os.environ, **(env or {}))
        # one secret, every replica
        replica_env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
        replica_env["PYTHONPATH"] = _pythonpath()
        if ray:
            # 1. the Ray head: the replicas send their jobs here, with the cluster's token
            token = os.environ.get("RAY_AUTH_TOKEN") or secrets.token_hex(32)
            ray_env = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token}
            cls.ray_address = _start_ray_head(cls, num_cpus, ray_env, timeout)
            cls.ray_pgid = cls._procs[-1].pid
            replica_env.update(ray_env, RAY_ADDRESS=cls.ray_address, RNNVIZ_EXECUTOR="ray")
        # 2. the replicas, each on its own port
        for i in range(replicas):
            replica_port = free_port()
            proc = _spawn(
                cls,
                f"replica-{i}",
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    str(ROOT / "app.py"),
                    "--server.port",
                    str(replica_port),
                    "--server.address",
                    "127.0.0.1",
                    "--server.headless",
                    "true",
                    "--browser.gatherUsageStats",
                    "false",
                ],
                replica_env,
            )
            cls.replica_ports.append(replica_port)
            cls.replica_pids.append(proc.pid)
        for i, replica_port in enumerate(cls.replica_ports):
            _wait_http(
                f"http://127.0.0.1:{replica_port}/_stcore/health", cls, f"replica-{i}", timeout
            )
        # 3. nginx in front
        start_proxy(cls, [f"127.0.0.1:{p}" for p in cls.replica_ports], timeout)
    except BaseException:
        cls.stop()
        raise
    return cls


def start_proxy(cls: Class, replicas: list[str], timeout: float = 60) -> None:
    """nginx on `cls.url` in front of `replicas` ("host:port"), its prefix `cls.workdir`; returns
    once a replica answers /_stcore/health through it."""
    conf = cls.workdir / "nginx.conf"
    conf.write_text(
        render_nginx_conf(replicas, cls.url.split("//")[1], str(cls.workdir), _upload_mb())
    )
    _spawn(
        cls,
        "nginx",
        [NGINX, "-p", str(cls.workdir), "-c", str(conf), "-e", str(cls.workdir / "error.log")],
        dict(os.environ),
    )
    _wait_http(cls.url + "/_stcore/health", cls, "nginx", timeout, expect=None)


def _pythonpath() -> str:
    """This checkout first, so the replicas and Ray's workers import the same rnnviz."""
    return os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p)


def _start_ray_head(cls: Class, num_cpus: int | None, ray_env: dict, timeout: float) -> str:
    """`ray start --head --block` with ports free now; the GCS address once Ray says it started.
    Every client must show `ray_env`'s token (Ray's token authentication). Ray's dashboard needs
    `ray[default]`; the pinned minimal Ray runs without it (the minimal one still takes a port)."""
    gcs_port = free_port()
    ports = {
        "--port": gcs_port,
        "--dashboard-port": free_port(),
        "--node-manager-port": free_port(),
        "--object-manager-port": free_port(),
        "--runtime-env-agent-port": free_port(),
        "--metrics-export-port": free_port(),
        "--dashboard-agent-listen-port": free_port(),
        "--dashboard-agent-grpc-port": free_port(),
    }
    args = [
        str(Path(sys.executable).with_name("ray")),
        "start",
        "--head",
        "--block",
        "--node-ip-address",
        "127.0.0.1",
        "--include-dashboard",
        "false",
        "--disable-usage-stats",
        "--temp-dir",
        str(cls.workdir / "ray"),
        "--object-store-memory",
        str(200 * 1024 * 1024),
    ]
    args += [str(a) for pair in ports.items() for a in pair]
    if num_cpus:
        args += ["--num-cpus", str(num_cpus)]
    proc = _spawn(
        cls,
        "ray-head",
        args,
        dict(os.environ, **ray_env, PYTHONPATH=_pythonpath(), RAY_USAGE_STATS_ENABLED="0"),
    )
    log = cls.workdir / "ray-head.log"
    deadline = time.monotonic() + timeout
    while "Ray runtime started" not in log.read_text(errors="replace"):
        if proc.poll() is not None:
            raise RuntimeError(
                f"ray-head exited with status {proc.returncode} while starting; see {log}"
            )
        if time.monotonic() > deadline:
            raise RuntimeError(f"ray-head did not start within {timeout:.0f} s; see {log}")
        time.sleep(0.3)
    return f"127.0.0.1:{gcs_port}"


def _upload_mb() -> int:
    sys.path.insert(0, str(ROOT))
    from rnnviz.limits import Limits  # noqa: PLC0415  (this checkout's limits, RNNVIZ_UPLOAD_MB included)

    return Limits.from_env().upload_mb


def _spawn(cls: Class, name: str, args: list[str], env: dict) -> subprocess.Popen:
    """Start `args` in its own process group (stopped as one), its output in workdir/<name>.log."""
    with open(cls.workdir / f"{name}.log", "wb") as log:
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    proc.rnnviz_name = name  # type: ignore[attr-defined]  (for error messages)
    cls._procs.append(proc)
    return proc


def _wait_http(
    url: str, cls: Class, name: str, timeout: float, expect: bytes | None = b"ok"
) -> None:
    proc = next(p for p in cls._procs if p.rnnviz_name == name)  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{name} exited with status {proc.returncode} while starting; see "
                f"{cls.workdir / name}.log"
            )
        try:
            body = urllib.request.urlopen(url, timeout=2).read()
            if expect is None or body.strip() == expect:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(
        f"{name} did not answer {url} within {timeout:.0f} s; see {cls.workdir / name}.log"
    )


def _stop_group(proc: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM to `proc` (it ends what it started: `ray start --block` its Ray processes, nginx its
    workers), then SIGKILL to whatever of its process group is left after `grace` seconds.
    (SIGTERM to the whole group at once made Ray's processes take 34 s to end instead of 3.)"""
    if proc.poll() is None:
        proc.terminate()
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _group_alive(proc.pid):
        time.sleep(0.1)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _group_alive(pgid: int) -> bool:
    """Whether a process of group `pgid` still runs (a zombie waiting for init does not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # fields: state, ppid, pgrp, ...
            return True
    return False


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    conf = sub.add_parser(
        "nginx-conf", help="print the nginx config for replicas on other machines"
    )
    conf.add_argument(
        "--replica", action="append", required=True, help="host:port of a replica (repeat)"
    )
    conf.add_argument("--listen", default="80", help="nginx's listen directive (default 80)")
    conf.add_argument(
        "--prefix",
        default="/var/lib/rnnviz-nginx",
        help="where nginx writes its pid, logs and temp files",
    )
    conf.add_argument(
        "--upload-mb", type=int, default=10, help="the app's upload cap (RNNVIZ_UPLOAD_MB)"
    )
    parser.add_argument("--replicas", type=int, default=2, help="app replicas to start (default 2)")
    parser.add_argument(
        "--port", type=int, default=8080, help="the proxy's port on 127.0.0.1 (default 8080)"
    )
    parser.add_argument(
        "--no-ray", action="store_true", help="no Ray head: each replica trains in its own workers"
    )
    parser.add_argument(
        "--num-cpus", type=int, help="CPUs the Ray head offers (default: Ray counts them)"
    )
    args = parser.parse_args(argv)
    if args.command == "nginx-conf":
        sys.stdout.write(render_nginx_conf(args.replica, args.listen, args.prefix, args.upload_mb))
        return 0
    with start_class(args.replicas, args.port, not args.no_ray, args.num_cpus) as cls:
        sys.stdout.write(
            f"rnnviz for a class: {cls.url}  (replicas on {cls.replica_ports}, Ray "
            f"{cls.ray_address}, logs in {cls.workdir}); Ctrl-C stops everything\n"
        )
        sys.stdout.flush()
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while all(p.poll() is None for p in cls._procs):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        dead = [p.rnnviz_name for p in cls._procs if p.poll() is not None]  # type: ignore[attr-defined]
        if dead:
            sys.stderr.write(
                f"{', '.join(dead)} exited; stopping the rest (logs in {cls.workdir})\n"
            )
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main())
