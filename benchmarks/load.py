"""Sustained load against a real server, with wrk: requests/s and p99 latency for a read mix
(list, one article, search, dyad profile) and a write mix (new articles).

    apt-get install wrk
    python benchmarks/load.py --db .bench/search-100k.db [--seconds 30] [--connections 16]

Runs `defcoop serve` (uvicorn, one worker) on a copy of the database so the writes do not
change the original, with rate limits lifted for the measurement.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from serving import defcoop, serving

HERE = Path(__file__).resolve().parent


def _wrk(script: str, base: str, seconds: int, connections: int, env: dict[str, str]) -> str:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(HERE / "wrk" / script),
        base,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    if done.stderr.strip():
        print(done.stderr.strip()[:2000], file=sys.stderr)
    return done.stdout


def _summary(output: str) -> str:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"50%\s+([\d.]+\w+)", output)
    p99 = re.search(r"99%\s+([\d.]+\w+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return (
        f"{float(rps.group(1)) if rps else 0:.1f} requests/s, p50 {p50.group(1) if p50 else '?'}, "
        f"p99 {p99.group(1) if p99 else '?'}, non-2xx {errors.group(1) if errors else 0}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    command = defcoop()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.db"
        shutil.copy(args.db, db)
        env = {
            **os.environ,
            "DEFCOOP_DATABASE_URL": f"sqlite:///{db}",
            "DEFCOOP_LOG_LEVEL": "warning",
            "DEFCOOP_RATE_LIMIT_READS": "100000000/minute",
            "DEFCOOP_RATE_LIMIT_WRITES": "100000000/minute",
        }
        subprocess.run([command, "db", "upgrade"], env=env, check=True, capture_output=True)
        made = subprocess.run(
            [command, "keys", "create", "--name", "load"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        env["DEFCOOP_KEY"] = made.stdout.strip().splitlines()[-1]
        with serving(env) as (base, _pid):
            print(
                f"server: uvicorn, one worker; {args.connections} connections, {args.seconds} s each"
            )
            print(
                "read mix  (list, get, search, dyad):",
                _summary(_wrk("reads.lua", base, args.seconds, args.connections, env)),
            )
            print(
                "write mix (new JSON articles):      ",
                _summary(_wrk("writes.lua", base, args.seconds, args.connections, env)),
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
