"""Load test of the case list, the nonconformity list and the master list against gunicorn.

    .venv/bin/python bench/load_test.py [--database-url postgresql://postgres@127.0.0.1:5432/iso_province]
                                        [--clients 4] [--seconds 60] [--workers 4] [--port 8871]

Run it on the database of bench/generate_province.py. It collects the static files, starts
gunicorn (gunicorn.conf.py) on 127.0.0.1 with the production settings against that database, and
drives the pages from ``--clients`` client processes (a small HTTP load generator on
http.client: neither wrk nor locust is installed here), each signed in as the ISO secretary (who
sees all five million cases) or as a commune's clerk, going round the pages for ``--seconds``.
It prints, per page, the median and 95th percentile latency, the requests per second and the
number of SQL queries the page makes (counted in this process through Django's test client);
and, for the record, what the case list's former OFFSET pagination with its COUNT cost on the
same database.
"""

import argparse
import http.client
import multiprocessing
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "province-bench-2026"


class Browser:
    """One signed-in client: a connection to the server, its cookies, and its timings."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, str]:
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if response.will_close:
            self.connection.close()
        return response.status, response.getheader("Location") or "", text

    def sign_in(self, username: str) -> None:
        _status, _location, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, location, _text = self.request(
            "POST", "/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        )
        if status != 302:
            raise SystemExit(f"{username} could not sign in (HTTP {status})")


def client(port: int, username: str, pages: list[tuple[str, str]], seconds: float, results) -> None:
    browser = Browser(port)
    browser.sign_in(username)
    timings: list[tuple[str, float, int]] = []
    stop = time.perf_counter() + seconds
    index = 0
    while time.perf_counter() < stop:
        label, path = pages[index % len(pages)]
        index += 1
        began = time.perf_counter()
        status, _location, _text = browser.request("GET", path)
        timings.append((label, time.perf_counter() - began, status))
    results.put(timings)


def wait_for(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    stop = time.time() + seconds
    while time.time() < stop:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped: see its output above")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/accounts/login/", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/iso_province")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8871)
    args = parser.parse_args()

    server_env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "iso.settings.production", "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": args.database_url, "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false", "SECURE_HSTS_SECONDS": "0", "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}", "GUNICORN_LOG_LEVEL": "warning", "GUNICORN_TIMEOUT": "120",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=server_env, check=True)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iso.settings.base")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cases import selectors
    from cases.models import Case
    from iso.models import OrgUnit, User

    secretary, clerk = User.objects.get(username="thuky"), User.objects.get(username="canbo")
    test_client = Client(SERVER_NAME="127.0.0.1")

    def cursor_after(user, pages: int) -> str:
        cursor = None
        for _ in range(pages):
            cursor = selectors.case_page(user=user, after=cursor, size=50).next_cursor
        return cursor

    busiest = OrgUnit.objects.get(code="S05-P1")
    deep = cursor_after(secretary, 100)
    paths = {
        "case list, page 1": "/cases/",
        "case list, page 101 (keyset)": f"/cases/?after={deep}",
        "case list, unit + resolved filter": f"/cases/?unit={busiest.pk}&state=completed",
        "case list, late filter": "/cases/?late=on",
        "nonconformity list, page 1": "/audits/nonconformities/",
        "nonconformity list, page 500": "/audits/nonconformities/?page=500",
        "master list (2,000 procedures)": "/procedures/master-list/",
    }
    print(f"PostgreSQL {connection.pg_version}; {Case.objects.count():,} cases; load average {os.getloadavg()[0]:.2f}")
    print(f"\n{'page':<40} {'queries (secretary)':>20} {'queries (clerk)':>16}")
    for label, path in paths.items():
        counts = []
        for user in (secretary, clerk):
            test_client.force_login(user)
            with CaptureQueriesContext(connection) as captured:
                status = test_client.get(path).status_code
            counts.append(f"{len(captured)}" if status == 200 else f"HTTP {status}")
        print(f"{label:<40} {counts[0]:>20} {counts[1]:>16}")

    def timed(work, runs=3) -> float:
        result = []
        for _ in range(runs):
            began = time.perf_counter()
            work()
            result.append((time.perf_counter() - began) * 1000)
        return statistics.median(result)

    listing = selectors.case_list(user=secretary)
    offset_first = timed(lambda: list(Paginator(listing, 50).get_page(1)) and Paginator(listing, 50).count)
    offset_deep = timed(lambda: list(Paginator(listing, 50).get_page(2000)))
    keyset_first = timed(lambda: list(selectors.case_page(user=secretary)))
    keyset_deep = timed(lambda: list(selectors.case_page(user=secretary, after=deep)))
    print(f"\ncase list for the secretary, in this process: OFFSET + COUNT page 1 {offset_first:,.0f} ms, "
          f"page 2,000 {offset_deep:,.0f} ms; keyset page 1 {keyset_first:,.0f} ms, page 101 {keyset_deep:,.0f} ms")
    connection.close()

    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT,
                              env=server_env, start_new_session=True)
    try:
        wait_for(args.port, server)
        pages = list(paths.items())
        results = multiprocessing.Queue()
        clients = [
            multiprocessing.Process(target=client, args=(args.port, "thuky" if n % 2 == 0 else "canbo",
                                                         pages[n % len(pages):] + pages[: n % len(pages)], args.seconds, results))
            for n in range(args.clients)
        ]
        began = time.perf_counter()
        for process in clients:
            process.start()
        timings = [row for _ in clients for row in results.get()]
        elapsed = time.perf_counter() - began
        for process in clients:
            process.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    print(f"\n{args.clients} clients for {args.seconds:.0f} s against gunicorn with {args.workers} workers "
          f"(production settings); load average at the end {os.getloadavg()[0]:.2f}")
    print(f"{'page':<40} {'requests':>9} {'errors':>7} {'p50 ms':>9} {'p95 ms':>9} {'req/s':>7}")
    for label in paths:
        mine = [(seconds, status) for name, seconds, status in timings if name == label]
        latencies = sorted(seconds * 1000 for seconds, _status in mine)
        errors = sum(1 for _seconds, status in mine if status != 200)
        p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))] if latencies else 0
        print(f"{label:<40} {len(mine):>9} {errors:>7} {statistics.median(latencies) if latencies else 0:>9.0f} "
              f"{p95:>9.0f} {len(mine) / elapsed:>7.1f}")
    print(f"{'all pages':<40} {len(timings):>9} {'':>7} {'':>9} {'':>9} {len(timings) / elapsed:>7.1f}")


if __name__ == "__main__":
    main()
