"""Locust's --csv stats as a short Markdown table: requests, failures, rps, p50/p95/p99."""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def main(prefix: str, settings: str) -> None:
    with Path(f"{prefix}_stats.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    print(f"# Load test {Path(prefix).name}\n")
    print(f"`{settings}`\n")
    print("| Request | Requests | Failures | req/s | p50 ms | p95 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "**All**" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} "
            f"| {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} "
            f"| {float(row['Max Response Time']):.0f} |"
        )
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="") as file:
            listed = list(csv.DictReader(file))
        if listed:
            print("\n## Failures\n")
            for row in listed:
                print(f"- {row['Occurrences']} × {row['Method']} {row['Name']}: {row['Error']}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
