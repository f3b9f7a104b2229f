import pytest

from seeds.importer.gazetteer import Gazetteer


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """A small database of our own: two presidents of Central Asian neighbours, a council
    with two sessions held, and a known border agreement."""
    return Gazetteer.from_dict(
        {
            "countries": [
                {"code": "KZ", "adjective": "Kazakh", "aliases": ["Kazakhstan"]},
                {"code": "UZ", "adjective": "Uzbek"},
            ],
            "persons": [
                {
                    "slug": "kassym-jomart-tokayev",
                    "name": "Kassym-Jomart Tokayev",
                    "aliases": ["Tokayev", "Kassym-Jomart Kemelevich"],
                    "country": "KZ",
                    "offices": [
                        {"title": "President of the Republic of Kazakhstan", "country": "KZ"}
                    ],
                },
                {
                    "slug": "shavkat-mirziyoyev",
                    "name": "Shavkat Mirziyoyev",
                    "aliases": ["Mirziyoyev"],
                    "country": "UZ",
                    "offices": [{"title": "President of Uzbekistan", "country": "UZ"}],
                },
            ],
            "bodies": [
                {
                    "slug": "kz-uz-supreme-interstate-council",
                    "name": "Kazakhstan–Uzbekistan Supreme Interstate Council",
                    "members": ["KZ", "UZ"],
                    "sessions": [1, 2],
                }
            ],
            "meetings": [
                {
                    "slug": "kz-uz-supreme-interstate-council-2",
                    "title": "Second meeting of the Supreme Interstate Council",
                    "kind": "body_session",
                    "date": "2023-12-22",
                    "city": "Astana",
                    "countries": ["KZ", "UZ"],
                    "body": "kz-uz-supreme-interstate-council",
                    "session_number": 2,
                }
            ],
            "documents": [
                {
                    "slug": "kz-uz-border-demarcation-agreement",
                    "title": "Agreement on the Demarcation of the Kazakh-Uzbek State Border",
                    "kind": "agreement",
                    "countries": ["KZ", "UZ"],
                    "statuses": ["signed"],
                },
                {
                    "slug": "kz-uz-treaty-on-strategic-partnership",
                    "title": "Treaty on Strategic Partnership",
                    "kind": "treaty",
                    "date": "2013-06-14",
                    "precision": "day",
                    "countries": ["KZ", "UZ"],
                    "statuses": ["signed"],
                },
            ],
        }
    )
