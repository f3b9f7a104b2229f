"""What `make mutate` mutates, and the tests that must kill each module's mutants.

One row per module: its path and the test files that own it (never the whole suite: a mutant
a far-away test happens to kill says nothing about the module's own tests). When a module
moves (the records/ layer), change its path here; nothing else refers to it.

`postgresql` marks the modules whose tests include races that only PostgreSQL runs
(tests/admin/test_concurrency.py); `make mutate` runs those a second time on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    module: str
    tests: tuple[str, ...]
    postgresql: bool = False


TARGETS: dict[str, Target] = {
    # The visibility rule: sees_drafts(), shows(), published_lookup(). Its own tests are the
    # database-free rule tests plus the regressions the rule closed; the full visibility matrix
    # (tests/test_visibility_matrix.py, minutes per run) checks the surfaces, not this module,
    # and kills nothing these do not.
    "visibility": Target(
        "records/visibility.py",
        ("tests/records/test_visibility_rule.py", "tests/records/test_visibility.py"),
    ),
    # The QuerySet methods every surface calls: visible_to() of records, parts, citations.
    "visibility-querysets": Target(
        "records/models.py",
        ("tests/records/test_visibility.py", "tests/test_visibility_matrix.py"),
    ),
    # Edit locking, publishing and the analyst-edit marks the admin writes. The services'
    # own tests come first: called directly on an unseeded database, they kill a mutant in
    # seconds; the admin's tests (seeded) only run for what they let through.
    "locking": Target(
        "records/services.py",
        (
            "tests/admin/test_locking_services.py",
            "tests/admin/test_locking.py",
            "tests/admin/test_publish.py",
            "tests/admin/test_history.py",
            "tests/admin/test_concurrency.py",
        ),
        postgresql=True,
    ),
    # Publishing what belongs together: the drafts a record shows (_links, shown_drafts), an
    # article's records, and publishing them in one go. The unseeded tests come first; the
    # seeded ones (the draft world, the admin's action) only run for what they let through.
    "publishing": Target(
        "records/publishing.py",
        (
            "tests/records/test_publishing_links.py",
            "tests/records/test_publishing.py",
            "tests/admin/test_publish_together.py",
        ),
    ),
    "admin-locking": Target(
        "records/admin_base.py",
        (
            "tests/admin/test_locking.py",
            "tests/admin/test_publish.py",
            "tests/admin/test_history.py",
            "tests/admin/test_seed_marks.py",
            "tests/admin/test_concurrency.py",
        ),
        postgresql=True,
    ),
    # The seed's respect for analysts' marks: the sync engine that keeps, updates or skips
    # each field and list (seeds/load.py only maps records.yaml onto the models).
    # Its own tests come first: the engine called directly on an unseeded database.
    "seed-marks": Target(
        "seeds/sync.py",
        (
            "tests/seeds/test_sync_engine.py",
            "tests/seeds/test_load.py",
            "tests/admin/test_seed_marks.py",
            "tests/seeds/test_citations.py",
            "tests/seeds/test_former_slugs.py",
        ),
    ),
    # The export cells: the sanitizer (safe_cell) and the flattening of lists, objects, quotes
    # and dates into a cell. The database-free cell tests come first and kill a mutant in a
    # second; the export tests (seeded) only run for what they let through.
    "exports": Target(
        "records/api/downloads.py",
        (
            "tests/records/test_downloads_cells.py",
            "tests/config/test_readme_numbers.py",
            "tests/api/test_exports.py",
            "tests/config/test_exports.py",
        ),
    ),
    # The anonymous throttle (the API's, which the public pages' extends), in its own module.
    "throttle": Target(
        "records/api/throttling.py",
        (
            "tests/config/test_throttle_workers.py",
            "tests/config/test_readme_numbers.py",
            "tests/config/test_page_cache_bounds.py",
            "tests/config/test_cache.py",
        ),
    ),
    # Settings are module-level assignments, which mutmut does not mutate (it mutates inside
    # functions only): this covers env_bool and friends; the switches themselves are pinned
    # by tests/config/test_readme_numbers.py and tests/config/test_settings.py.
    "settings": Target(
        "config/settings.py",
        (
            "tests/config/test_settings_helpers.py",
            "tests/config/test_settings.py",
            "tests/config/test_readme_numbers.py",
        ),
    ),
}
