"""A load-and-fault run: three `defcoop serve` processes behind HAProxy, on a PostgreSQL primary
and a streaming replica, under a read and write mix from wrk, while one API process is killed
(kill -9) and the replica is stopped and started again (issue 16, "Proof").

    apt-get install haproxy wrk
    python -m benchmarks.fault_run [--seconds 60] [--articles 2000] [--connections 16]

Run from the project root as root or as a user who may run the PostgreSQL 15 binaries; the
primary and the replica are tests/pgcluster.py's (initdb and pg_basebackup -R in a temporary
directory, on free ports; the machine's own cluster is never touched). Timeline, from the start
of the load: at 1/4 of --seconds one API process is killed with SIGKILL; at 1/2 the replica is
stopped (`pg_ctl stop -m fast`) and started again; at 3/4 the killed API process is started
again on its port, and HAProxy's health check (/readyz) takes it back.

HAProxy balances round-robin and retries a request whose connection failed or was closed with
no answer (`retry-on conn-failure empty-response`) on another node (`option redispatch 1`).
Writes may be retried because they are idempotent by url (`on_duplicate=skip`: the second
attempt answers 200 with the stored article). A 503 from the API itself is passed on, not
retried, so the figures show what the API answers.

Prints requests/s, p50/p99, answers by status (a 503 with Retry-After is acceptable only
while the replica restarts, anything else not 2xx is not), and checks that every acknowledged
write (201, or 200 after a retry) is on the primary and, once the replica has replayed it,
in each node's search. Exits 1 if a check fails. Everything (HAProxy, the API processes, both
PostgreSQL servers, the temporary directories) is torn down on exit, Ctrl-C included.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from app import migrate
from benchmarks.serving import defcoop, free_port
from tests.pgcluster import BIN, Cluster, cluster, missing

HERE = Path(__file__).resolve().parent
NODES = 3
HAPROXY_CONFIG = """\
global
    maxconn 2000
    stats socket {root}/haproxy.sock level user
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response

frontend api
    bind 127.0.0.1:{port}
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server check inter 1s fall 2 rise 2
{servers}
"""


@dataclass
class Timeline:
    """Wall-clock seconds (time.time(), which wrk's os.time() can be compared with)."""

    load_started: float = 0.0
    killed: float | None = None
    replica_stopping: float | None = None
    replica_started: float | None = None
    replica_back: float | None = None  # in rotation again on every live node
    node_back: float | None = None
    load_ended: float | None = None

    def at(self, moment: float | None) -> str:
        return "-" if moment is None else f"{moment - self.load_started:5.1f} s"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start(
    stack: ExitStack, command: list[str], *, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """A process in its own session (so Ctrl-C reaches only this script, which stops it in
    order), stopped when `stack` closes."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    stack.callback(_stop, process)
    return process


def _until(check: Any, what: str, within_s: float = 60) -> None:
    deadline = time.monotonic() + within_s
    while True:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {within_s:g} s")
        time.sleep(0.1)


def _replica_in_rotation(port: int) -> bool:
    body = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).json()
    return all(replica["in_rotation"] for replica in body["replicas"])


def _load_corpus(made: Cluster, env: dict[str, str], tmp: Path, articles: int) -> int:
    """Migrate, and ingest `articles` synthetic articles (benchmarks/corpus.py); how many the
    primary holds."""
    migrate.upgrade(made.primary_url)
    corpus = tmp / "corpus.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "corpus.py"),
            "--articles",
            str(articles),
            "--out",
            str(corpus),
        ],
        check=True,
        capture_output=True,
    )
    started = time.monotonic()
    subprocess.run([defcoop(), "ingest", str(corpus)], env=env, check=True, capture_output=True)
    took = time.monotonic() - started
    stored = _primary_scalar(made, "SELECT count(*) FROM article")
    print(f"corpus: {stored} synthetic articles ingested on the primary in {took:.1f} s")
    return int(stored)


def _primary_scalar(made: Cluster, statement: str, **params: Any) -> Any:
    engine = create_engine(made.primary_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(statement), params).scalar()
    finally:
        engine.dispose()


def _make_key(env: dict[str, str]) -> str:
    made = subprocess.run(
        [defcoop(), "keys", "create", "--name", "fault-run"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return made.stdout.strip().splitlines()[-1]


def _haproxy_stats(root: Path) -> dict[str, dict[str, str]]:
    """`show stat` through the stats socket: one row per proxy/server, by `pxname/svname`."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(str(root / "haproxy.sock"))
        sock.sendall(b"show stat\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    lines = b"".join(chunks).decode().strip().splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    return {f"{row['pxname']}/{row['svname']}": row for row in rows}


def _wrk_figures(output: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, pattern in (
        ("requests", r"(\d+) requests in"),
        ("rps", r"Requests/sec:\s+([\d.]+)"),
        ("p50", r"50%\s+([\d.]+\w+)"),
        ("p90", r"90%\s+([\d.]+\w+)"),
        ("p99", r"99%\s+([\d.]+\w+)"),
        ("non2xx", r"Non-2xx or 3xx responses: (\d+)"),
        ("socket_errors", r"Socket errors: ([^\n]+)"),
    ):
        match = re.search(pattern, output)
        found[name] = match.group(1) if match else "0" if name == "non2xx" else "-"
    return found


@dataclass
class Answers:
    acked: dict[int, int] = field(default_factory=dict)  # article id -> 201 or 200
    untokened: int = 0
    failures: list[tuple[int, int, str]] = field(default_factory=list)  # (epoch, status, retry)


def _read_logs(out: Path) -> Answers:
    answers = Answers()
    for log in sorted(out.glob("thread-*.log")):
        for line in log.read_text().splitlines():
            kind, *rest = line.split()
            if kind == "ack":
                status, article_id, token = rest
                answers.acked[int(article_id)] = int(status)
                answers.untokened += token == "-"
            elif kind == "answer":
                epoch, status, retry_after, _token = rest
                answers.failures.append((int(epoch), int(status), retry_after))
    return answers


def _search_ids(port: int, tag: str) -> set[int]:
    """Every article id a node's search finds for the run's tag, page by page."""
    found: set[int] = set()
    params: dict[str, Any] = {"q": tag, "limit": 100}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        while True:
            page = client.get("/v1/search", params=params)
            page.raise_for_status()
            body = page.json()
            found.update(hit["id"] for hit in body["items"])
            if not body["next_cursor"]:
                return found
            params = {"cursor": body["next_cursor"]}


def _faults(
    stack: ExitStack,
    made: Cluster,
    nodes: list[subprocess.Popen[bytes]],
    ports: list[int],
    node_command: Any,
    seconds: int,
    line: Timeline,
) -> None:
    """Kill node 1 at 1/4, restart the replica at 1/2, start node 1 again at 3/4."""

    def wait_until(fraction: float) -> None:
        time.sleep(max(0.0, line.load_started + seconds * fraction - time.time()))

    wait_until(0.25)
    os.kill(nodes[0].pid, signal.SIGKILL)
    line.killed = time.time()
    nodes[0].wait()
    wait_until(0.5)
    line.replica_stopping = time.time()
    made.run(str(BIN / "pg_ctl"), "-D", str(made.replica_dir), "-m", "fast", "-w", "stop")
    made.start(made.replica_dir)
    line.replica_started = time.time()
    live = ports[1:]  # node1 is still down
    _until(lambda: all(_replica_in_rotation(p) for p in live), "the replica back in rotation")
    line.replica_back = time.time()
    wait_until(0.75)
    nodes[0] = node_command(stack, 0)
    _until(lambda: _ready(ports[0]), "the killed node serving again")
    line.node_back = time.time()


def _ready(port: int) -> bool:
    return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # the same orderly teardown as Ctrl-C


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60, help="Length of the load")
    parser.add_argument("--articles", type=int, default=2000, help="Synthetic articles loaded")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument(
        "--logs", type=Path, help="Keep the logs here (HAProxy's, each node's, wrk's)"
    )
    args = parser.parse_args()
    for tool in ("haproxy", "wrk"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (apt-get install {tool})")
    reason = missing()
    if reason:
        sys.exit(reason)
    signal.signal(signal.SIGTERM, _on_sigterm)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="defcoop-fault-")))
        made = stack.enter_context(cluster())
        code = _run(stack, made, tmp, args)
    return code


def _run(stack: ExitStack, made: Cluster, tmp: Path, args: argparse.Namespace) -> int:
    env = {
        **os.environ,
        "DEFCOOP_DATABASE_URL": made.primary_url,
        "DEFCOOP_LOG_LEVEL": "warning",
        "DEFCOOP_RATE_LIMIT_READS": "100000000/minute",
        "DEFCOOP_RATE_LIMIT_WRITES": "100000000/minute",
    }
    articles = _load_corpus(made, env, tmp, args.articles)
    key = _make_key(env)
    made.wait_replayed()
    node_env = {**env, "DEFCOOP_DATABASE_REPLICA_URLS": made.replica_url}
    ports = [free_port() for _ in range(NODES)]

    def node(stack: ExitStack, index: int) -> subprocess.Popen[bytes]:
        command = [defcoop(), "serve", "--port", str(ports[index])]
        return _start(stack, command, env=node_env, log=tmp / f"node{index + 1}.log")

    nodes = [node(stack, index) for index in range(NODES)]
    for port in ports:
        _until(lambda port=port: _ready(port), f"the node on port {port} serving")
    front = free_port()
    servers = "\n".join(f"    server node{i + 1} 127.0.0.1:{port}" for i, port in enumerate(ports))
    config = tmp / "haproxy.cfg"
    config.write_text(HAPROXY_CONFIG.format(root=tmp, port=front, servers=servers))
    haproxy = _start(stack, ["haproxy", "-db", "-f", str(config)], env=env, log=tmp / "haproxy.log")
    base = f"http://127.0.0.1:{front}"
    _until(lambda: httpx.get(f"{base}/readyz", timeout=2).status_code == 200, "HAProxy serving")

    out = tmp / "wrk"
    out.mkdir()
    tag = "faultrun" + uuid.uuid4().hex[:10].translate(str.maketrans("0123456789", "ghijklmnop"))
    wrk_env = {
        **env,
        "DEFCOOP_KEY": key,
        "DEFCOOP_FAULT_OUT": str(out),
        "DEFCOOP_FAULT_TAG": tag,
        "DEFCOOP_FAULT_ARTICLES": str(articles),
    }
    print(
        f"topology: HAProxy (round-robin, /readyz checked every 1 s) in front of {NODES} "
        f"`defcoop serve` (uvicorn, one worker each), a PostgreSQL 15 primary and one streaming "
        f"replica; wrk {args.connections} connections for {args.seconds} s, 1 request in 10 a "
        "new article (read back with its commit token), the rest list/get/search/dyad"
    )
    line = Timeline(load_started=time.time())
    wrk_log = tmp / "wrk.out"
    wrk = _start(
        stack,
        [
            "wrk",
            "-t2",
            f"-c{args.connections}",
            f"-d{args.seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(HERE / "wrk" / "fault_mix.lua"),
            base,
        ],
        env=wrk_env,
        log=wrk_log,
    )
    _faults(stack, made, nodes, ports, node, args.seconds, line)
    wrk.wait(timeout=args.seconds + 60)
    line.load_ended = time.time()
    output = wrk_log.read_text()
    stats = _haproxy_stats(tmp)
    _stop(haproxy)  # its log is complete once it has stopped
    code = _report(made, ports, tag, output, _read_logs(out), stats, line)
    _phases(_haproxy_log(tmp / "haproxy.log"), line)
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
        for log in [*tmp.glob("*.log"), *tmp.glob("*.cfg"), wrk_log, *out.glob("*.log")]:
            shutil.copy(log, args.logs / log.name)
        print(f"logs: {args.logs}")
    return code


_LOG_LINE = re.compile(
    r"\[(?P<at>\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3})\] \S+ (?P<server>\S+) "
    r"-?\d+/-?\d+/-?\d+/-?\d+/\+?(?P<total>-?\d+) (?P<status>\d{3}) .*? "
    r"\d+/\d+/\d+/\d+/(?P<retries>\+?\d+) "
)


@dataclass(frozen=True)
class Logged:
    at: float  # when HAProxy accepted the request (wall clock)
    total_ms: int  # until the last byte of the answer
    status: int
    retries: int
    redispatched: bool


def _haproxy_log(path: Path) -> list[Logged]:
    """HAProxy's own log of each request (option httplog), in local time as it writes it."""
    found = []
    for text_line in path.read_text(errors="replace").splitlines():
        match = _LOG_LINE.search(text_line)
        if match is None or "<BADREQ>" in text_line:  # a connection closed before a request
            continue
        at = datetime.strptime(match["at"], "%d/%b/%Y:%H:%M:%S.%f").timestamp()
        retries = match["retries"]
        found.append(
            Logged(
                at=at,
                total_ms=int(match["total"]),
                status=int(match["status"]),
                retries=int(retries.lstrip("+")),
                redispatched=retries.startswith("+"),
            )
        )
    return found


def _phases(logged: list[Logged], line: Timeline) -> None:
    """Throughput and latency in each stretch of the timeline, from HAProxy's log."""
    bounds = [
        ("all up", line.load_started, line.killed),
        ("node1 killed", line.killed, line.replica_stopping),
        ("replica restart", line.replica_stopping, line.replica_back),
        ("node1 still down", line.replica_back, line.node_back),
        ("all up again", line.node_back, line.load_ended),
    ]
    print("phases (HAProxy's log: Ta, accept to last byte):")
    for name, start, end in bounds:
        if start is None or end is None or end <= start:
            continue
        inside = [entry for entry in logged if start <= entry.at < end]
        times = sorted(entry.total_ms for entry in inside if entry.total_ms >= 0)
        statuses = Counter(entry.status for entry in inside if not 200 <= entry.status < 300)
        print(
            f"  {name:17} {line.at(start)}-{line.at(end)}: {len(inside) / (end - start):6.1f} "
            f"requests/s, p50 {_rank(times, 0.5)} ms, p99 {_rank(times, 0.99)} ms, "
            f"retried {sum(1 for e in inside if e.retries)}, not 2xx: "
            + (", ".join(f"{s} {n}" for s, n in sorted(statuses.items())) or "none")
        )


def _rank(values: list[int], fraction: float) -> str:
    if not values:
        return "-"
    return str(values[min(len(values) - 1, int(fraction * len(values)))])


def _report(
    made: Cluster,
    ports: list[int],
    tag: str,
    output: str,
    answers: Answers,
    stats: dict[str, dict[str, str]],
    line: Timeline,
) -> int:
    figures = _wrk_figures(output)
    print(
        f"timeline: node1 killed at {line.at(line.killed)}; replica stopping at "
        f"{line.at(line.replica_stopping)}, started at {line.at(line.replica_started)}, in "
        f"rotation on every live node at {line.at(line.replica_back)}; node1 serving again at "
        f"{line.at(line.node_back)}"
    )
    print(
        f"load: {figures['requests']} requests, {figures['rps']} requests/s, p50 "
        f"{figures['p50']}, p90 {figures['p90']}, p99 {figures['p99']}; socket errors: "
        f"{figures['socket_errors']}"
    )
    backend = stats.get("nodes/BACKEND", {})
    print(
        f"haproxy: {backend.get('wretr', '?')} retries, {backend.get('wredis', '?')} "
        f"redispatches, node answers by class: "
        + ", ".join(f"{c} {backend.get(f'hrsp_{c}', '?')}" for c in ("2xx", "4xx", "5xx"))
        + f"; proxy errors (no answer from any node): {backend.get('eresp', '?')}"
    )
    by_status = Counter(status for _, status, _ in answers.failures)
    total = int(figures["requests"]) if figures["requests"].isdigit() else 0
    print(
        f"answers: {total - len(answers.failures)} 2xx; not 2xx: "
        + (", ".join(f"{s} {n}" for s, n in sorted(by_status.items())) or "none")
    )
    # the window: from the stop until every node has the replica back, one second's grace
    # either side for wrk's whole-second clock
    low = int(line.replica_stopping or 0) - 1
    high = int(line.replica_back or 0) + 1
    bad = [
        (epoch, status, retry)
        for epoch, status, retry in answers.failures
        if not (status == 503 and retry != "-" and low <= epoch <= high)
    ]
    ok = True
    if bad or figures["socket_errors"] != "-":
        ok = False
        shown = ", ".join(
            f"{status} at {epoch - line.load_started:.0f} s (Retry-After {retry})"
            for epoch, status, retry in bad[:10]
        )
        print(
            f"FAIL: unacceptable answers: {len(bad)} ({shown}); socket errors: "
            f"{figures['socket_errors']}"
        )
    else:
        print("ok: the only answers not 2xx are 503 with Retry-After during the replica restart")
    ok &= _check_writes(made, ports, tag, answers)
    return 0 if ok else 1


def _check_writes(made: Cluster, ports: list[int], tag: str, answers: Answers) -> bool:
    acked = set(answers.acked)
    retried = sum(1 for status in answers.acked.values() if status == 200)
    ids = ",".join(str(i) for i in sorted(acked)) or "0"
    on_primary = _primary_scalar(made, f"SELECT count(*) FROM article WHERE id IN ({ids})")
    print(
        f"writes: {len(acked)} acknowledged ({retried} of them 200 after a retry, "
        f"{answers.untokened} without a commit token); {on_primary} of them on the primary"
    )
    ok = int(on_primary) == len(acked)
    started = time.monotonic()
    made.wait_replayed()
    _until(lambda: all(_replica_in_rotation(p) for p in ports), "the replica in rotation")
    caught_up = time.monotonic() - started
    for index, port in enumerate(ports):
        found = _search_ids(port, tag)
        missing_ids = acked - found
        print(
            f"node{index + 1} search ({tag}): {len(found)} found, "
            f"{len(missing_ids)} acknowledged writes missing"
        )
        ok &= not missing_ids
    print(f"catch-up: replica replayed and in rotation {caught_up:.1f} s after the load")
    # counted last: a write wrk gave up on (its --timeout) may still commit after the load
    stored = _primary_scalar(
        made, "SELECT count(*) FROM article WHERE url LIKE 'https://fault.example/%'"
    )
    print(
        f"  the primary holds {stored} articles written in the run; those not acknowledged "
        "were still in flight when wrk stopped or gave up"
    )
    print(
        "ok: every acknowledged write is on the primary and in every node's search"
        if ok
        else "FAIL: an acknowledged write is missing"
    )
    return ok


if __name__ == "__main__":
    sys.exit(main())
