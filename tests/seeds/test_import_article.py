"""manage.py import_article, and reading an article file (seeds/article.py)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from records.models import EditorialStatus, Source
from seeds.article import ArticleError, read_article
from seeds.models import ImportReview

ARTICLES = Path(__file__).resolve().parent / "articles"
TEXT = ARTICLES / "tashkent_2024.txt"
PAGE = ARTICLES / "tashkent_2024.html"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_article", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_saved_page_gives_its_main_text_and_metadata():
    article = read_article(PAGE.read_bytes(), PAGE.name)
    assert article.title == "Azerbaijani President Ilham Aliyev pays state visit to Uzbekistan"
    assert article.publisher == "Trend News Agency"
    assert str(article.published_on) == "2024-08-22"
    assert article.url.startswith("https://en.trend.az/")
    # The menu, the related links and the footer are not part of the article.
    assert "Treaty on Allied Relations" in article.text
    assert "Oil prices rise" not in article.text and "newsletter" not in article.text
    assert "Politics" not in article.text


def test_other_files_are_refused_clearly():
    with pytest.raises(ArticleError, match=r"\.txt or a saved web page"):
        read_article(b"%PDF-1.7", "article.pdf")
    with pytest.raises(ArticleError, match="UTF-8"):
        read_article("Ташкент".encode("cp1251"), "article.txt")


def test_the_dry_run_prints_the_proposals_as_json_and_stores_nothing(seeded):
    out, err = run(str(TEXT), "--publisher", "Trend", "--published", "2024-08-22", "--dry-run")
    proposals = json.loads(out)
    assert {"meetings", "documents", "packages", "projects", "status_events"} <= set(proposals)
    visit = proposals["meetings"][0]
    assert visit["kind"] == "state_visit" and visit["date"]["start"] == "2024-08-22"
    assert visit["date"]["basis"] == "inferred" and visit["date"]["reasoning"]
    for quote in visit["quotes"]:
        assert TEXT.read_text()[quote["start"] : quote["end"]] == quote["text"]
    treaty = proposals["documents"][0]
    assert treaty["title"].startswith("Treaty on Allied Relations")
    assert treaty["status"] == "signed"
    assert proposals["packages"][0]["count"] == 12
    assert "Dry run:" in err and "nothing stored" in err
    assert not Source.objects.filter(publisher="Trend").exists()
    assert not ImportReview.objects.exists()


def test_an_import_stores_the_source_and_its_proposals_once(seeded):
    out, _ = run(str(PAGE), "--published", "2024-08-22")
    review = ImportReview.objects.get()
    assert review.source.status == EditorialStatus.DRAFT
    assert review.source.publisher == "Trend News Agency"  # from the page
    assert review.source.url.startswith("https://en.trend.az/")
    assert review.proposals.filter(kind="meeting").count() >= 2
    assert f"Stored draft source “{review.source.slug}”" in out
    assert review.get_absolute_url() in out
    # The same text again is refused, and nothing more is stored.
    with pytest.raises(CommandError, match="already stored as source"):
        run(str(PAGE), "--published", "2024-08-22")
    assert ImportReview.objects.count() == 1


def test_bad_arguments_are_clear_errors(seeded, tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run(str(TEXT), "--publisher", "Trend", "--published", "22/08/2024")
    with pytest.raises(CommandError, match="--publisher"):
        run(str(TEXT), "--published", "2024-08-22")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.txt"), "--publisher", "T", "--published", "2024-08-22")
