"""Date-times with offsets ISO 8601 allows and PostgreSQL does not (past ±15:59) reach the
database in UTC: found by schemathesis as a 500 on PostgreSQL."""

import base64

import pytest

from tests.api.conftest import get_json


@pytest.mark.parametrize("offset", ["-16:53", "%2B23:59", "Z"])
def test_updated_since_with_any_iso_offset_is_answered(seeded, client, offset):
    found = get_json(client, f"/api/v1/bodies/?updated_since=0598-11-04T20:28:24{offset}")
    assert found["count"] >= 1


def test_a_cursor_with_a_far_offset_or_a_huge_id_is_read_or_refused_never_a_500(seeded, client):
    far = base64.urlsafe_b64encode(b"2020-01-01T00:00:00-16:53|1").decode().rstrip("=")
    response = client.get(f"/api/v1/meetings/?ordering=updated&cursor={far}")
    assert response.status_code == 200
    huge = base64.urlsafe_b64encode(f"2020-01-01T00:00:00+00:00|{2**70}".encode()).decode()
    response = client.get(f"/api/v1/meetings/?ordering=updated&cursor={huge.rstrip('=')}")
    assert response.status_code == 400
