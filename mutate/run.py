"""`make mutate`: mutmut over the modules in mutate/targets.py, each against its own tests.

    .venv/bin/python mutate/run.py                 # every target, on SQLite
    .venv/bin/python mutate/run.py locking         # one target
    PACTA_MUTATE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacta_mutate \\
        .venv/bin/python mutate/run.py locking     # and again on PostgreSQL (targets marked so)
    PACTA_MUTATE_DATABASE_URL=... .venv/bin/python mutate/run.py --on-postgresql seed-marks
                                                   # on PostgreSQL only, marked or not

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


def prepare(name: str, target: Target, *, template: str = "") -> Path:
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
            'pytest_add_cli_args = ["-p", "no:cacheprovider"]',
            # mutmut's wall bound is 15 × (the tests' own time + this): with the default 1 s, a
            # test session's start-up (Django, collection, the test database) on a busy machine
            # outlasts it and a mutant the first test kills is reported as a timeout.
            f"timeout_constant = {os.environ.get('PACTA_MUTATE_TIMEOUT_CONSTANT', '10')}",
            "",
        ]
    )
    with (work / "pyproject.toml").open("a") as pyproject:
        pyproject.write(settings)
    if template:
        # Each mutant's test session makes its test database by copying a migrated one, not
        # by migrating an empty one (most of a mutant's time on PostgreSQL). Reusing one test
        # database instead would not do: the transactional tests flush it, migrations' rows
        # (the countries) included. Only the copy's settings say so.
        with (work / "config" / "settings.py").open("a") as copied:
            copied.write(f'\nDATABASES["default"]["TEST"] = {{"TEMPLATE": "{template}"}}\n')
    return work


def migrated_template(work: Path, env: dict, database_url: str, template: str) -> None:
    """A PostgreSQL database with every migration applied, to copy each test database from."""
    server = database_url.rsplit("/", 1)[0]
    maintenance = {**env, "DATABASE_URL": f"{server}/postgres"}
    subprocess.run(
        [sys.executable, "-c", TEMPLATE_SQL, template],
        cwd=work,
        env=maintenance,
        check=True,
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=work,
        env={**env, "DATABASE_URL": f"{server}/{template}", "DJANGO_DEBUG": "true"},
        check=True,
    )


# Drops and makes the template database, through Django's own connection settings.
TEMPLATE_SQL = """
import sys, django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
django.setup()
from django.db import connection
name = connection.ops.quote_name(sys.argv[1])
with connection.cursor() as cursor:
    cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    cursor.execute(f"CREATE DATABASE {name}")
"""


def run(name: str, target: Target, database_url: str | None) -> dict[str, list[str]]:
    label = f"{name} on {'PostgreSQL' if database_url else 'SQLite'}"
    print(f"== mutmut: {label}: {target.module} against {' '.join(target.tests)}", flush=True)
    template = f"{database_url.rsplit('/', 1)[1]}_template" if database_url else ""
    work = prepare(name + ("-postgresql" if database_url else ""), target, template=template)
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if template:
        migrated_template(work, env, database_url, template)
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
    parser.add_argument(
        "--on-postgresql",
        action="store_true",
        help="run the targets named on PostgreSQL only, marked or not: the SQLite pass migrates "
        "a test database for every mutant, most of a database test's mutant's time",
    )
    arguments = parser.parse_args()
    names = arguments.targets or list(TARGETS)
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        parser.error(f"no such target: {', '.join(unknown)}")
    database_url = os.environ.get("PACTA_MUTATE_DATABASE_URL")
    for flag in ("postgresql_only", "on_postgresql"):
        if getattr(arguments, flag) and not database_url:
            parser.error(f"--{flag.replace('_', '-')} needs PACTA_MUTATE_DATABASE_URL")
    survived = 0
    for name in names:
        target = TARGETS[name]
        if not (arguments.postgresql_only or arguments.on_postgresql):
            survived += len(run(name, target, None).get("survived", []))
        if (target.postgresql or arguments.on_postgresql) and database_url:
            survived += len(run(name, target, database_url).get("survived", []))
    print(f"== {survived} surviving mutants in all (details in {WORK.relative_to(ROOT)}/)")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
