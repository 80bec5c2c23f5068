"""`make load`: the reference solution under waitress, many visitors at once, then a crash mid-write.

    python -m tools.load                              # 50 clients × 40 requests, then the crash
    python -m tools.load --clients 8 --requests 10    # a quick run

Load: a copy of solution/ runs `serve.py` on a free loopback port. Each client
thread, over its own keep-alive connection, joins under new usernames,
updates its own profiles and reads them back, a fixed number of requests in
all. No answer may be a 5xx, and afterwards every profile created must show
its last written values. Prints the throughput and the p50/p99 latency.

Crash: writer threads keep joining and updating; once enough POSTs have been
answered the server is killed with SIGKILL while writes are still on the
wire, then started again on the same folder. Every POST that was answered
303 must still be there (a write still unanswered at the kill may or may not
have landed), and the profiles file must still read as JSON ("ok").

Exit status 0 when every check held, 1 when one did not. Nothing but
127.0.0.1 is ever contacted, and every loop is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from bs4 import BeautifulSoup

from tools.server import Server, copy_solution

PASSWORD = "load-test-password"
FIELDS = ("username", "food", "message")

Profile = dict[str, str]


class Visitor:
    """One client of the club over one keep-alive HTTP connection: join and look."""

    def __init__(self, url: str, password: str, timeout: float = 10) -> None:
        address = urlsplit(url)
        assert address.hostname == "127.0.0.1", "only loopback servers are load-tested"
        self.connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
        self.password = password

    def join(self, profile: Profile) -> int:
        """POST /user/ as the join form does; the status."""
        body = urlencode({**profile, "password": self.password})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", "/user/", body, headers)[0]

    def profile(self, username: str) -> tuple[int, str]:
        """GET /user/<username>; the status and the page."""
        return self.request("GET", f"/user/{quote(username, safe='')}")

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> tuple[int, str]:
        """Send a request (the body in UTF-8); the status and the page."""
        self.connection.request(method, path, body.encode() if body is not None else None, headers or {})
        response = self.connection.getresponse()
        return response.status, response.read().decode()

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Visitor:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()


def shown(page: str) -> Profile:
    """What a profile page shows in #username, #food and #message."""
    soup = BeautifulSoup(page, "html.parser")
    return {name: element.get_text() for name in FIELDS if (element := soup.find(id=name)) is not None}


def percentile(values: list[float], share: int) -> float:
    """The `share`th percentile of `values` (share from 1 to 99)."""
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1] if len(values) > 1 else values[0]


# Part 1: load


@dataclass
class LoadReport:
    clients: int
    requests_each: int
    seconds: float = 0
    latencies: list[float] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)  # the 5xx answers
    failures: list[str] = field(default_factory=list)  # other wrong statuses, and lost connections
    profiles: dict[str, Profile] = field(default_factory=dict)  # each username's last written values
    misread: list[str] = field(default_factory=list)  # profiles that did not read back so

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.failures or self.misread) and bool(self.profiles)

    def summary(self) -> str:
        p50, p99 = percentile(self.latencies, 50) * 1000, percentile(self.latencies, 99) * 1000
        read_back = len(self.profiles) - len(self.misread)
        return (
            f"load: {self.clients} clients × {self.requests_each} requests = {self.requests} requests"
            f" in {self.seconds:.2f} s, {self.requests / self.seconds:.0f} requests/s\n"
            f"      latency p50 {p50:.1f} ms, p99 {p99:.1f} ms;"
            f" {len(self.server_errors)} answers 5xx, {len(self.failures)} other failures\n"
            f"      {len(self.profiles)} profiles created, {read_back} read back with their last written values"
        )


def run_load(url: str, password: str, clients: int = 50, requests: int = 40, seed: int = 0) -> LoadReport:
    """`clients` threads send `requests` requests each: joins, updates and reads, in a mix of their own."""
    report = LoadReport(clients, requests)
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(f"{seed}:{number}")
        mine: dict[str, Profile] = {}
        visitor = Visitor(url, password)
        try:
            for turn in range(requests):
                roll = rng.random()
                if not mine or roll < 0.3:  # join under a new name
                    username = f"Zoë {number}-{len(mine)}"
                    action = "join"
                elif roll < 0.6:  # update one of mine
                    username = rng.choice(sorted(mine))
                    action = "update"
                else:  # read one of mine
                    username = rng.choice(sorted(mine))
                    action = "read"
                profile = {
                    "username": username,
                    "food": f"crème brûlée no. {turn}",
                    "message": f"<b>{action}</b> {turn} from client {number} & friends",
                }
                started = time.perf_counter()
                try:
                    if action == "read":
                        status, expected = visitor.profile(username)[0], 200
                    else:
                        status, expected = visitor.join(profile), 303
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        report.failures.append(f"{action} {username!r}: {error!r}")
                    return
                elapsed = time.perf_counter() - started
                if action != "read" and status == 303:
                    mine[username] = profile
                with lock:
                    report.latencies.append(elapsed)
                    if status >= 500:
                        report.server_errors.append(f"{action} {username!r} → {status}")
                    elif status != expected:
                        report.failures.append(f"{action} {username!r} → {status}, expected {expected}")
        finally:
            visitor.close()
            with lock:
                report.profiles.update(mine)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.seconds = time.perf_counter() - started

    with Visitor(url, password) as visitor:
        for username, profile in sorted(report.profiles.items()):
            status, page = visitor.profile(username)
            if status != 200 or shown(page) != profile:
                report.misread.append(f"{username!r} → {status}, shows {shown(page)}, expected {profile}")
    return report


# Part 2: a crash in the middle of writes


@dataclass
class CrashReport:
    answered: int = 0  # POSTs answered 303 before the kill
    in_flight: int = 0  # POSTs sent but not answered when the kill came
    profiles: int = 0  # distinct usernames with an answered POST
    missing: list[str] = field(default_factory=list)  # answered profiles not there after the restart
    failures: list[str] = field(default_factory=list)  # wrong answers before the kill
    integrity: str = ""  # "ok" when the profiles file reads as JSON after the restart

    @property
    def ok(self) -> bool:
        return not (self.missing or self.failures) and self.integrity == "ok" and self.answered > 0

    def summary(self) -> str:
        return (
            f"crash: SIGKILL after {self.answered} answered POSTs, with {self.in_flight} more in flight\n"
            f"       restarted: {self.profiles - len(self.missing)} of {self.profiles} profiles there"
            f" with their last answered values; profiles file: {self.integrity}"
        )


def run_crash(folder: Path, password: str, writers: int = 8, kill_after: int = 200, seed: int = 0) -> CrashReport:
    """Kill the server (SIGKILL) once `kill_after` POSTs were answered, restart it, and look for each one."""
    report = CrashReport()
    answered: dict[str, Profile] = {}
    in_flight: dict[int, Profile] = {}  # writer → the POST it is waiting on
    lock = threading.Lock()
    enough = threading.Event()
    server = Server(folder, password).start()

    def writer(number: int) -> None:
        rng = random.Random(f"{seed}:crash:{number}")
        visitor = Visitor(server.url, password, timeout=5)
        try:
            for turn in range(kill_after):  # bounded: the kill comes long before
                profile = {
                    "username": f"crash {number}-{rng.randrange(5)}",  # few names, so many updates
                    "food": f"food {turn}",
                    "message": f"written by {number} at turn {turn}",
                }
                with lock:
                    in_flight[number] = profile
                try:
                    status = visitor.join(profile)
                except (OSError, http.client.HTTPException):
                    return  # the server is gone
                with lock:
                    del in_flight[number]
                    if status != 303:
                        report.failures.append(f"join {profile['username']!r} → {status}, expected 303")
                        continue
                    answered[profile["username"]] = profile
                    report.answered += 1
                    if report.answered >= kill_after:
                        enough.set()
        finally:
            visitor.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(writers)]
    try:
        for thread in threads:
            thread.start()
        enough.wait(timeout=60)
        server.kill()  # the writers are still writing
        with lock:
            unanswered = {profile["username"]: profile for profile in in_flight.values()}
            report.in_flight = len(unanswered)
        for thread in threads:
            thread.join()
    finally:
        server.kill()

    report.profiles = len(answered)
    with Server(folder, password) as restarted:
        with Visitor(restarted.url, password) as visitor:
            for username, profile in sorted(answered.items()):
                status, page = visitor.profile(username)
                # A POST still unanswered at the kill may have been stored, or not: either is right.
                if status != 200 or shown(page) not in (profile, unanswered.get(username)):
                    report.missing.append(f"{username!r} → {status}, shows {shown(page)}, expected {profile}")
        try:
            with open(restarted.profiles, encoding="utf-8") as file:
                json.load(file)
            report.integrity = "ok"
        except (OSError, ValueError) as error:
            report.integrity = f"unreadable ({error})"
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="client threads in the load part (50)")
    parser.add_argument("--requests", type=int, default=40, help="requests each client sends (40)")
    parser.add_argument("--writers", type=int, default=8, help="writer threads in the crash part (8)")
    parser.add_argument("--kill-after", type=int, default=200, help="answered POSTs before the SIGKILL (200)")
    parser.add_argument("--seed", type=int, default=0, help="the seed of the clients' choices (0)")
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="flask-club-load-") as scratch:
        with Server(copy_solution(Path(scratch) / "load"), PASSWORD) as server:
            print(f"Flask Club under waitress at {server.url}", flush=True)
            load = run_load(server.url, PASSWORD, options.clients, options.requests, options.seed)
        print(load.summary(), flush=True)
        crash = run_crash(
            copy_solution(Path(scratch) / "crash"), PASSWORD, options.writers, options.kill_after, options.seed
        )
        print(crash.summary())

    problems = [*load.server_errors, *load.failures, *load.misread, *crash.failures, *crash.missing]
    for problem in problems[:20]:
        print(f"  ✗ {problem}")
    if load.ok and crash.ok:
        print("Every check held.")
        return 0
    print(f"FAILED: {len(problems)} problems" + ("" if crash.integrity == "ok" else ", and profiles.json is damaged"))
    return 1


if __name__ == "__main__":
    sys.exit(main())
