"""`make mutate`: mutmut over the modules in mutate/targets.py, each against its own tests.

    .venv/bin/python mutate/run.py                 # every target, on SQLite
    .venv/bin/python mutate/run.py locking         # one target
    PACTA_MUTATE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacta_mutate \\
        .venv/bin/python mutate/run.py locking     # and again on PostgreSQL (targets marked so)

mutmut mutates a copy of the project (mutate/.work/<target>/), so the work tree is never
touched and each target has its own configuration: only its module is mutated and only its
tests run. Each target's survivors are printed and written to mutate/.work/<target>.txt. Not
part of CI: a run takes minutes per module.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mutate.targets import TARGETS, Target  # noqa: E402

WORK = ROOT / "mutate" / ".work"
MUTMUT = Path(sys.executable).with_name("mutmut")
# Importable packages mutmut copies into its mutants/ folder; everything else the tests read
# (templates, tests, seeds' texts…) is copied beside them.
PACKAGES = ("records", "summits", "agreements", "seeds", "pages", "datagen", "config")
OUTCOME = re.compile(r"^\s*(\S+__mutmut_\d+): (.+)$")


def project_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [name for name in listed if not name.startswith("mutate/") and (ROOT / name).exists()]


def toml_list(values) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def prepare(name: str, target: Target, *, reuse_db: bool = False) -> Path:
    """A fresh copy of the project whose pyproject.toml tells mutmut what to do."""
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    for relative in project_files():
        destination = work / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, destination)
    top_level = sorted({Path(relative).parts[0] for relative in project_files()})
    also_copy = [entry for entry in top_level if entry not in PACKAGES]
    settings = "\n".join(
        [
            "",
            "[tool.mutmut]",
            f"source_paths = {toml_list(PACKAGES)}",
            f"only_mutate = {toml_list([target.module])}",
            f"also_copy = {toml_list(also_copy)}",
            f"pytest_add_cli_args_test_selection = {toml_list(target.tests)}",
            # On PostgreSQL each mutant's test session would otherwise drop, create and migrate
            # the test database: kept between sessions, only the seed's no-op sync remains.
            "pytest_add_cli_args = "
            + toml_list(["-p", "no:cacheprovider", *(["--reuse-db"] if reuse_db else [])]),
            # mutmut's wall bound is 15 × (the tests' own time + this): with the default 1 s, a
            # test session's start-up (Django, collection, the test database) on a busy machine
            # outlasts it and a mutant the first test kills is reported as a timeout.
            f"timeout_constant = {os.environ.get('PACTA_MUTATE_TIMEOUT_CONSTANT', '10')}",
            "",
        ]
    )
    with (work / "pyproject.toml").open("a") as pyproject:
        pyproject.write(settings)
    return work


def run(name: str, target: Target, database_url: str | None) -> dict[str, list[str]]:
    label = f"{name} on {'PostgreSQL' if database_url else 'SQLite'}"
    print(f"== mutmut: {label}: {target.module} against {' '.join(target.tests)}", flush=True)
    work = prepare(
        name + ("-postgresql" if database_url else ""), target, reuse_db=bool(database_url)
    )
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    # Every mutant is a new test session: the seed waits for the first test that reads it.
    env["PACTA_TEST_SEED"] = "lazy"
    command = [str(MUTMUT), "run"]
    if database_url:
        env["DATABASE_URL"] = database_url
        # One test database on the server: children running at once would share it.
        command += ["--max-children", "1"]
    subprocess.run(command, cwd=work, env=env, check=False)
    listed = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    outcomes: dict[str, list[str]] = {}
    for line in listed.splitlines():
        match = OUTCOME.match(line)
        if match:
            outcomes.setdefault(match.group(2).strip(), []).append(match.group(1))
    total = sum(len(names) for names in outcomes.values())
    survivors = outcomes.get("survived", [])
    summary = [
        f"{label}: {total} mutants; "
        + ", ".join(f"{len(names)} {outcome}" for outcome, names in sorted(outcomes.items()))
    ]
    summary += [f"  survived: {mutant}" for mutant in survivors]
    report = "\n".join(summary) + "\n"
    print(report, flush=True)
    (WORK / f"{work.name}.txt").write_text(report)
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help=f"any of: {', '.join(TARGETS)} (default all)")
    parser.add_argument(
        "--postgresql-only",
        action="store_true",
        help="only the PostgreSQL pass of the targets marked so (to run beside a SQLite pass)",
    )
    arguments = parser.parse_args()
    names = arguments.targets or list(TARGETS)
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        parser.error(f"no such target: {', '.join(unknown)}")
    database_url = os.environ.get("PACTA_MUTATE_DATABASE_URL")
    if arguments.postgresql_only and not database_url:
        parser.error("--postgresql-only needs PACTA_MUTATE_DATABASE_URL")
    survived = 0
    for name in names:
        target = TARGETS[name]
        if not arguments.postgresql_only:
            survived += len(run(name, target, None).get("survived", []))
        if target.postgresql and database_url:
            survived += len(run(name, target, database_url).get("survived", []))
    print(f"== {survived} surviving mutants in all (details in {WORK.relative_to(ROOT)}/)")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
