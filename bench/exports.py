"""How fast cases export to CSV and XLSX, and how much memory it takes, on PostgreSQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iso_province .venv/bin/python bench/exports.py [--cases 1000000]
                                                                  [--kinds baseline,csv,copy,xlsx]

The first ``--cases`` cases of the database are exported (a database with fewer gets the demo
organisation and the generated cases of bench/cases_indicators.py first). Each export runs in a child process of its own so that its peak
resident memory (ru_maxrss) is its own: the streamed exports (records.resources.export_csv and
export_xlsx, which the export command and pages use, and export_csv_copy, PostgreSQL's COPY that
the case export job uses for CSV) at a tenth of the cases and at all of them,
where flat memory means the same peak for both; and, as the baseline, django-import-export's plain
``resource.export()`` (a tablib Dataset built in memory) at the tenth. The disk's own write speed,
measured in the same run, is the yardstick for CSV.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iso.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from cases.models import Case  # noqa: E402
from records.resources import CaseResource, export_csv, export_csv_copy, export_xlsx  # noqa: E402


def _cases(limit: int):
    return Case.objects.order_by("pk")[:limit] if limit else Case.objects.order_by("pk")


def child(kind: str, limit: int, path: str) -> None:
    """Run one export into ``path`` and print its figures as JSON."""
    started = time.perf_counter()
    resource_ = CaseResource()
    if kind == "csv":
        with open(path, "w", encoding="utf-8", newline="") as out:
            rows = export_csv(resource_, out, _cases(limit))
    elif kind == "copy":
        with open(path, "wb") as out:
            rows = export_csv_copy(resource_, out, _cases(limit))
    elif kind == "xlsx":
        with open(path, "wb") as out:
            rows = export_xlsx(resource_, out, _cases(limit))
    else:  # baseline: django-import-export builds the whole Dataset, then serialises it
        dataset = resource_.export(queryset=_cases(limit))
        Path(path).write_text(dataset.csv, encoding="utf-8")
        rows = len(dataset)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "rows": rows, "seconds": seconds, "bytes": os.path.getsize(path),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run(kind: str, limit: int, folder: Path) -> dict:
    suffix = "xlsx" if kind == "xlsx" else "csv"
    path = folder / f"{kind}-{limit}.{suffix}"
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--limit", str(limit), "--path", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    path.unlink()
    return figures


def disk_speed(folder: Path, size: int) -> float:
    """MB/s of writing ``size`` bytes to ``folder`` and syncing, as the CSV's yardstick."""
    block = os.urandom(1 << 20)
    path = folder / "disk-speed.bin"
    started = time.perf_counter()
    with open(path, "wb") as out:
        for _ in range(max(size >> 20, 1)):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    seconds = time.perf_counter() - started
    path.unlink()
    return max(size >> 20, 1) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["csv", "copy", "xlsx", "baseline"])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--path")
    parser.add_argument("--kinds", default="baseline,csv,copy,xlsx",
                        help="which exports to run: baseline, csv, copy (PostgreSQL COPY), xlsx")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.limit, args.path)
        return
    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL.")
    from cases_indicators import generate

    call_command("migrate", verbosity=0)
    if Case.objects.count() < args.cases:  # an empty database: the demo and generated cases
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))
        generate(args.cases)
    total = min(Case.objects.count(), args.cases)
    tenth = total // 10
    kinds = args.kinds.split(",")
    print(f"PostgreSQL {connection.pg_version}; exporting the first {total:,} cases; load average {os.getloadavg()[0]:.2f}")
    print(f"{'export':<44} {'rows':>10} {'seconds':>8} {'rows/s':>9} {'MB':>7} {'peak MiB':>9}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="iso-bench-export-") as folder:
        for kind, limit, label in (
            ("baseline", tenth, "import-export resource.export() to CSV"),
            ("csv", tenth, "streamed CSV"),
            ("copy", tenth, "CSV by PostgreSQL COPY"),
            ("csv", total, "streamed CSV"),
            ("copy", total, "CSV by PostgreSQL COPY"),
            ("xlsx", tenth, "streamed XLSX (openpyxl write-only)"),
            ("xlsx", total, "streamed XLSX (openpyxl write-only)"),
        ):
            if kind not in kinds:
                continue
            figures = results[kind, limit] = run(kind, limit, Path(folder))
            print(f"{label:<44} {figures['rows']:>10,} {figures['seconds']:>8.1f} "
                  f"{figures['rows'] / figures['seconds']:>9,.0f} {figures['bytes'] / 1e6:>7.1f} {figures['peak_mib']:>9.0f}",
                  flush=True)
        largest = max((f["bytes"] for f in results.values()), default=1 << 20)
        disk = disk_speed(Path(folder), largest)

    def ratio(a, b, what):
        if a in results and b in results:
            print(f"{what}: {results[b]['seconds'] / results[a]['seconds']:.1f}x the speed, "
                  f"{results[b]['peak_mib'] / results[a]['peak_mib']:.2f}x the peak memory of the other")

    ratio(("csv", tenth), ("baseline", tenth), f"streamed CSV vs import-export baseline at {tenth:,} rows")
    ratio(("copy", total), ("csv", total), f"COPY CSV vs streamed CSV at {total:,} rows")
    ratio(("copy", tenth), ("csv", tenth), f"COPY CSV vs streamed CSV at {tenth:,} rows")
    for kind in ("csv", "copy", "xlsx"):
        if (kind, total) in results and (kind, tenth) in results:
            print(f"peak memory of {kind}, all rows vs a tenth: "
                  f"{results[kind, total]['peak_mib'] / results[kind, tenth]['peak_mib']:.2f}x (1.00x is flat)")
    for kind in ("csv", "copy"):
        if (kind, total) in results:
            speed = results[kind, total]["bytes"] / 1e6 / results[kind, total]["seconds"]
            print(f"{kind} written at {speed:.1f} MB/s; the disk writes {disk:.0f} MB/s (ratio {speed / disk:.3f})")


if __name__ == "__main__":
    main()
