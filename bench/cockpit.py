#!/usr/bin/env python3
"""Benchmark: the cockpit dashboard and /api/v1/metrics on a generated community.

    bench/cockpit.py [--members 100000] [--posts 1000000] [--events 5000000] [--binary .build/release/kring]

Generates the community once into bench/results/<size>/ (kept for the next run), starts Kring on
it, signs in as the generated community manager and times each page: the first (cold) request,
then repeated ones, printed as median / p90 / max in milliseconds, with the server's peak memory.
A benchmark, not a test: it prints figures and never fails on them. Record them in bench/README.md.
"""
import argparse
import http.cookiejar
import json
import os
import re
import urllib.parse
import pathlib
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
PASSWORD = "kring-bench-2026"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--binary", default=str(ROOT / ".build/release/kring"))
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    data = ROOT / "bench/results" / f"community-{args.members}-{args.posts}-{args.events}"
    env = dict(os.environ, KRING_DATA_DIR=str(data), KRING_PORT=str(args.port), KRING_MAIL_INTERVAL="0",
               KRING_LOG_LEVEL="warning", KRING_BCRYPT_COST="12")
    if not (data / "kring.sqlite").exists():
        data.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        subprocess.run([args.binary, "generate", "--members", str(args.members), "--posts", str(args.posts),
                        "--events", str(args.events)], env=env, check=True)
        print(f"generated in {time.monotonic() - started:.0f} s")
    size = sum(f.stat().st_size for f in data.glob("kring.sqlite*"))
    print(f"database: {size / 2**20:.0f} MiB")

    server = subprocess.Popen([args.binary, "serve"], env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        request = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                         data=json.dumps({"login": "gen-manager", "password": PASSWORD, "name": "bench"}).encode(),
                                         headers={"Content-Type": "application/json"})
        token = json.load(urllib.request.urlopen(request))["token"]
        # Pages use a browser session: sign in through the login form, as a person would.
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = browser.open(base + "/login").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
        browser.open(base + "/login", data=urllib.parse.urlencode({"_csrf": csrf, "login": "gen-manager", "password": PASSWORD}).encode())
        pages = [
            ("cockpit, this month", "/cockpit"),
            ("cockpit, last quarter", "/cockpit?period=quarter&date=" + time.strftime("%Y-%m-01", time.gmtime(time.time() - 100 * 86400))),
            ("cockpit, a week, one group", "/cockpit?period=week&group=zonnepanelen"),
            ("/api/v1/metrics, this month", "/api/v1/metrics"),
            ("/api/v1/metrics, a year (custom)", "/api/v1/metrics?period=custom&from=" + time.strftime("%Y-%m-%d", time.gmtime(time.time() - 364 * 86400))
             + "&to=" + time.strftime("%Y-%m-%d", time.gmtime())),
        ]
        print(f"\n{'page':38} {'cold ms':>8} {'median':>8} {'p90':>8} {'max':>8} {'bytes':>9}")
        for name, path in pages:
            times = []
            length = 0
            for _ in range(args.repeat + 1):
                started = time.perf_counter()
                if path.startswith("/api/"):
                    response = urllib.request.urlopen(urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token}))
                else:
                    response = browser.open(base + path)
                with response:
                    body = response.read()
                    length = len(body)
                    if response.status != 200 or (not path.startswith("/api/") and b'id="cockpit-period"' not in body):
                        raise SystemExit(f"{path}: not the cockpit (status {response.status})")
                times.append((time.perf_counter() - started) * 1000)
            cold, warm = times[0], sorted(times[1:])
            p90 = warm[min(len(warm) - 1, int(len(warm) * 0.9))]
            print(f"{name:38} {cold:8.0f} {statistics.median(warm):8.0f} {p90:8.0f} {warm[-1]:8.0f} {length:9}")
        status = pathlib.Path(f"/proc/{server.pid}/status").read_text()
        peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
        print(f"\nserver peak memory (VmHWM): {int(peak) / 1024:.0f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
