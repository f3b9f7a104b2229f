from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from agreements.filters import DocumentFilter, PackageFilter, ProjectFilter
from agreements.models import Document, Package, Project
from records.filters import SourceFilter
from records.models import Source

pytestmark = pytest.mark.usefixtures("seeded")


def slugs(filterset_class, queryset, **params) -> set[str]:
    filterset = filterset_class(QueryDict(urlencode(params)), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return {record.slug for record in filterset.qs}


def documents(**params) -> set[str]:
    return slugs(DocumentFilter, Document.objects.published(), **params)


def projects(**params) -> set[str]:
    return slugs(ProjectFilter, Project.objects.published(), **params)


def test_documents_of_a_pair_and_by_status():
    assert "az-kz-treaty-strategic-partnership-allied-relations" in documents(countries="AZ,KZ")
    assert "armenia-azerbaijan-peace-agreement" in documents(status="initialed")
    assert "armenia-azerbaijan-peace-agreement" not in documents(status="in_force")
    assert documents(kind="joint_statement", year="2018") == {"by-az-joint-statement-2018"}


def test_documents_by_signatory_body_and_package():
    assert "az-kg-declaration-strategic-partnership-2022" in documents(
        package="az-kg-package-2022-04-20"
    )
    assert "az-kg-declaration-strategic-partnership-2022" in documents(
        body="az-kg-interstate-council"
    )


def test_projects_by_pair_kind_milestone_and_organization():
    assert "kurmangazy-childrens-creativity-center-fuzuli" in projects(countries="AZ,KZ")
    assert projects(kind="gift") == {"kurmangazy-childrens-creativity-center-fuzuli"}
    assert "by-az-harvester-joint-venture" in projects(milestone="proposed", country="BY")
    assert "ganja-tractor-and-vehicle-assembly" in projects(organization="ganja-auto-plant")


def test_packages_and_sources():
    assert slugs(PackageFilter, Package.objects.all(), country="KG") == {
        "az-kg-package-2022-04-20"
    }
    found = slugs(SourceFilter, Source.objects.all(), year="2024")
    assert found == {
        "astana-2024-03-11-supreme-interstate-council-baku",
        "anadolu-2024-04-15-tokayev-yerevan-peace-treaty",
    }


@pytest.mark.parametrize(
    ("param", "value"),
    [("status", "ratified"), ("country", "ZZ"), ("date_from", "2021-13-01"), ("q", "\x00")],
)
def test_bad_document_filters_are_refused(param, value):
    filterset = DocumentFilter(
        QueryDict(urlencode({param: value})), queryset=Document.objects.all()
    )
    assert not filterset.is_valid()
    assert param in filterset.errors


@pytest.mark.parametrize(
    ("countries", "dates"),
    [
        ({"country": "KZ"}, {"year": "2024"}),
        ({"countries": "AZ,KZ"}, {"date_from": "2024-01-01", "date_to": "2024-12-31"}),
        ({"country": "AZ,KZ"}, {"date_from": "2000-01-01", "date_to": "2030-12-31"}),
    ],
)
def test_documents_of_a_country_within_dates_are_what_each_filter_finds_alone(countries, dates):
    # On SQLite a narrow range leads the query (summits.filters.CountryCodesFilter).
    found = documents(**countries, **dates)
    assert found
    assert found == documents(**countries) & documents(**dates)
