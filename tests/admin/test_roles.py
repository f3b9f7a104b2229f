"""Two roles: an Analyst edits and publishes but never deletes a record; an Editor may."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from agreements.models import Document, Project
from records.roles import ANALYST, EDITOR
from summits.models import Meeting, MeetingCountry
from tests.admin.conftest import PASSWORD, change_url, changelist_url

User = get_user_model()


def test_ensure_roles_twice_changes_nothing(db):
    call_command("ensure_roles", stdout=StringIO())
    first = {
        g.name: sorted(g.permissions.values_list("codename", flat=True))
        for g in Group.objects.all()
    }
    out = StringIO()
    call_command("ensure_roles", stdout=out)
    second = {
        g.name: sorted(g.permissions.values_list("codename", flat=True))
        for g in Group.objects.all()
    }
    assert first == second
    assert set(second) >= {ANALYST, EDITOR}
    assert "Analyst  checked" in out.getvalue()
    analyst = set(second[ANALYST])
    assert {"add_meeting", "change_meeting", "view_meeting", "view_historicalmeeting"} <= analyst
    assert not {"delete_meeting", "delete_document", "delete_source", "add_country"} & analyst
    assert "delete_meetingcountry" in analyst  # removing a row inside a meeting is editing it
    editor = set(second[EDITOR])
    assert analyst < editor
    assert {"delete_meeting", "delete_source", "add_user", "change_user"} <= editor


def test_an_analyst_cannot_delete_a_record(seeded, analyst_client):
    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    delete_url = change_url(meeting).replace("/change/", "/delete/")
    assert analyst_client.get(delete_url).status_code == 403
    assert analyst_client.post(delete_url, {"post": "yes"}).status_code == 403
    response = analyst_client.post(
        changelist_url(Meeting), {"action": "delete_selected", "_selected_action": [meeting.pk]}
    )
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert response.status_code in (200, 302)
    assert analyst_client.get(change_url(meeting)).context["has_delete_permission"] is False


def test_an_analyst_removes_a_participating_country_inside_a_meeting(seeded, analyst_client):
    from tests.admin.conftest import form_data

    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    count = meeting.participations.count()
    data = form_data(analyst_client.get(change_url(meeting)))
    data["participations-0-DELETE"] = "on"
    assert analyst_client.post(change_url(meeting), data).status_code == 302
    assert MeetingCountry.objects.filter(meeting=meeting).count() == count - 1


def test_an_editor_deletes_a_record(seeded, editor_client):
    project = Project.objects.order_by("pk").first()
    delete_url = change_url(project).replace("/change/", "/delete/")
    assert editor_client.get(delete_url).status_code == 200
    response = editor_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()


def test_an_editor_manages_accounts_but_cannot_make_a_superuser(seeded, editor, editor_client):
    response = editor_client.get(f"/admin/auth/user/{editor.pk}/change/")
    assert response.status_code == 200
    assert "is_superuser" not in response.context["adminform"].form.fields
    root = User.objects.create_superuser("root", password=PASSWORD)
    assert (
        editor_client.get(f"/admin/auth/user/{root.pk}/change/").context["has_change_permission"]
        is False
    )


def test_an_analyst_cannot_manage_accounts(seeded, analyst_client):
    assert analyst_client.get("/admin/auth/user/").status_code == 403


@pytest.fixture
def typed(monkeypatch):
    def answer(*passwords):
        replies = iter(passwords)
        monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))

    return answer


def test_create_analyst_asks_for_the_password_twice(db, typed):
    typed(PASSWORD, PASSWORD)
    out = StringIO()
    call_command("create_analyst", "dana", stdout=out)
    user = User.objects.get(username="dana")
    assert user.is_staff and not user.is_superuser
    assert user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [ANALYST]
    assert "Analyst account 'dana' created" in out.getvalue()


def test_create_analyst_makes_an_editor_on_request(db, typed):
    typed(PASSWORD, PASSWORD)
    call_command("create_analyst", "eve", "--editor", stdout=StringIO())
    assert list(User.objects.get(username="eve").groups.values_list("name", flat=True)) == [EDITOR]


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (PASSWORD, PASSWORD + "x", "The two passwords differ"),
        ("short", "short", "too short"),
        ("password1234", "password1234", "too common"),
        ("dana-the-analyst", "dana-the-analyst", "too similar to the username"),
    ],
)
def test_create_analyst_refuses_a_weak_or_mistyped_password(db, typed, first, second, message):
    typed(first, second)
    with pytest.raises(CommandError, match=message):
        call_command("create_analyst", "dana-the-analyst", stdout=StringIO())
    assert not User.objects.filter(username="dana-the-analyst").exists()


def test_create_analyst_refuses_a_taken_username(db, typed):
    User.objects.create_user("dana", password=PASSWORD)
    typed(PASSWORD, PASSWORD)
    with pytest.raises(CommandError, match="taken"):
        call_command("create_analyst", "Dana", stdout=StringIO())


def test_a_logged_in_analyst_can_work_with_documents(seeded, analyst_client):
    assert analyst_client.get(changelist_url(Document)).status_code == 200
