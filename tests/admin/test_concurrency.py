"""Lost updates under real concurrency: two threads, each with its own connection, and no
test transaction around them (the other locking tests save one after the other, inside one
transaction, so a missing row lock or a missing transaction goes unnoticed there).

Each race is forced, not hoped for: a barrier holds the first writer between its version check
and its save until the second writer has made its own attempt. With the row lock in place the
second writer cannot get past its check while the first holds the lock, so the barrier times
out, the first saves, and the second is refused; without the lock both pass the check and both
saves succeed, one silently undoing the other. SQLite serialises writers with one database
lock and has no row locks (its threads fail with "database table is locked" instead of
waiting), so the races run on PostgreSQL only; the revert outside a transaction runs on both.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections

from records import admin_base
from records.models import EditorialStatus
from records.roles import account_create, roles_ensure
from records.services import records_publish
from summits.models import Meeting
from tests.admin.conftest import PASSWORD, change_url, client_for, form_data

# How long the first writer waits for the second before going on alone: long enough for the
# second to reach the database on a loaded machine, short enough to keep the suite quick.
WAIT = 3.0

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks and serialises writers; the race is PostgreSQL's",
)


@pytest.fixture
def committed(transactional_db):
    """Two analysts and a published meeting, committed so other connections see them."""
    ContentType.objects.clear_cache()
    roles_ensure()
    alice = account_create(username="alice", password=PASSWORD)
    bob = account_create(username="bob", password=PASSWORD)
    meeting = Meeting.objects.create(
        slug="race-meeting",
        title="Talks as first recorded",
        kind=Meeting.Kind.TALKS,
        city="Baku",
        status=EditorialStatus.PUBLISHED,
        # No source backs it: the editorial policy wants the city marked as inferred, or the
        # admin refuses every save of the page (records/basis.py).
        basis={"city": {"basis": "inferred", "reasoning": "A test meeting without a source."}},
    )
    return alice, bob, meeting


def run_together(*jobs: Callable[[], object]) -> list[object]:
    """Run each job in its own thread (its own connection) and return what each returned or
    raised."""
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            results[index] = job()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, job), name=f"writer-{index}")
        for index, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a writer never finished: a lock was never released"
    return results


@pytest.fixture
def checks_meet(monkeypatch):
    """Every writer that has passed the version check waits there for the other (up to
    WAIT): without the row lock both pass it before either saves."""
    barrier = threading.Barrier(2, timeout=WAIT)
    original = admin_base.edit_conflict

    def edit_conflict_then_wait(**kwargs):
        conflict = original(**kwargs)
        # A broken barrier: the other writer is held by the lock, so go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return conflict

    monkeypatch.setattr(admin_base, "edit_conflict", edit_conflict_then_wait)
    return barrier


def saved(response) -> bool:
    if isinstance(response, Exception):
        raise response
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 302


@postgresql_only
@transactional
def test_two_interleaved_admin_saves_do_not_both_succeed(committed, checks_meet):
    alice, bob, meeting = committed
    url = change_url(meeting)
    alice_client, bob_client = client_for(alice), client_for(bob)
    alice_form, bob_form = form_data(alice_client.get(url)), form_data(bob_client.get(url))
    alice_form["title"] = "Talks as Alice retitled them"
    bob_form["city"] = "Astana"

    results = run_together(
        lambda: alice_client.post(url, alice_form), lambda: bob_client.post(url, bob_form)
    )

    outcomes = [saved(response) for response in results]
    assert sorted(outcomes) == [False, True], outcomes
    meeting.refresh_from_db()
    if outcomes[0]:
        assert (meeting.title, meeting.city) == ("Talks as Alice retitled them", "Baku")
    else:
        assert (meeting.title, meeting.city) == ("Talks as first recorded", "Astana")
    assert meeting.version == 2
    assert meeting.history.count() == 2


@postgresql_only
@transactional
def test_an_interleaved_revert_and_save_do_not_both_succeed(committed, checks_meet):
    alice, bob, meeting = committed
    first = meeting.history.latest()
    meeting.city = "Ganja"
    meeting.save()
    revert_url = change_url(meeting).replace("/change/", f"/history/{first.history_id}/")
    url = change_url(meeting)
    alice_client, bob_client = client_for(alice), client_for(bob)
    revert_form, bob_form = (
        form_data(alice_client.get(revert_url)),
        form_data(bob_client.get(url)),
    )
    assert revert_form["city"] == "Baku"
    bob_form["summary"] = "Bob's summary."

    results = run_together(
        lambda: alice_client.post(revert_url, revert_form),
        lambda: bob_client.post(url, bob_form),
    )

    outcomes = [saved(response) for response in results]
    assert sorted(outcomes) == [False, True], outcomes
    meeting.refresh_from_db()
    if outcomes[0]:
        assert (meeting.city, meeting.summary) == ("Baku", "")
    else:
        assert (meeting.city, meeting.summary) == ("Ganja", "Bob's summary.")


@postgresql_only
@transactional
def test_a_publish_interleaved_with_a_save_loses_neither(committed, monkeypatch):
    """The publish action reads the row, then saves it with the new status. A save that slips
    in between would be undone by that stale row unless the publish holds the row lock: then
    the save waits for the publish and is refused as stale."""
    alice, bob, meeting = committed
    Meeting.objects.filter(pk=meeting.pk).update(status=EditorialStatus.DRAFT)
    url = change_url(meeting)
    bob_client = client_for(bob)
    bob_form = form_data(bob_client.get(url))
    bob_form["title"] = "Talks as Bob retitled them"
    bob_tried = threading.Event()
    original_save = Meeting.save

    def save_after_bob(self, *args, **kwargs):
        # The publisher has read (and, with the lock, locked) the row: let Bob try his save.
        if threading.current_thread().name == "writer-0":
            bob_tried.wait(WAIT)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Meeting, "save", save_after_bob)

    def publish():
        return records_publish(queryset=Meeting.objects.filter(pk=meeting.pk), user=alice)

    def bob_saves():
        try:
            return bob_client.post(url, bob_form)
        finally:
            bob_tried.set()

    published, bob_response = run_together(publish, bob_saves)

    if isinstance(published, Exception):
        raise published
    meeting.refresh_from_db()
    # Whatever reported success is in the row: nothing was silently undone.
    assert published.changed == 1
    assert meeting.status == EditorialStatus.PUBLISHED
    if saved(bob_response):
        assert meeting.title == "Talks as Bob retitled them"
    else:
        assert meeting.title == "Talks as first recorded"
        assert "changed this record" in bob_response.content.decode()


@transactional
def test_a_revert_outside_any_test_transaction_is_saved(committed):
    """Production runs each request in autocommit; the revert's row lock needs the
    transaction the history view opens itself (a 500 on PostgreSQL without it)."""
    alice, _, meeting = committed
    first = meeting.history.latest()
    meeting.city = "Ganja"
    meeting.save()
    client = client_for(alice)
    revert_url = change_url(meeting).replace("/change/", f"/history/{first.history_id}/")
    data = form_data(client.get(revert_url))
    response = client.post(revert_url, data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.city, meeting.version) == ("Baku", 3)
    assert meeting.history.latest().history_user == alice
