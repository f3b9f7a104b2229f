import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from seeds.article import ArticleError, read_article
from seeds.importer.extract import extract
from seeds.importer.gazetteer import from_database
from seeds.review import review_create


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--published: “{value}” is not a date as YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = (
        "Import a press article (.txt, or a saved web page .html): store it as a draft source "
        "with the records proposed from it, for an analyst to review in the admin. With "
        "--dry-run, print the proposals as JSON and store nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The article: a .txt or a saved .html page.")
        parser.add_argument(
            "--publisher", default="", help="Who published it (default: the page's site name)."
        )
        parser.add_argument(
            "--published",
            default="",
            help="Publication date, YYYY-MM-DD (default: the page's date, if it has one).",
        )
        parser.add_argument("--url", default="", help="Where it was published.")
        parser.add_argument("--title", default="", help="Default: the page title or first line.")
        parser.add_argument("--dateline", default="", help='"Astana, October 21", if any.')
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the proposals as JSON; store nothing."
        )

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            article = read_article(data, file.name)
        except ArticleError as error:
            raise CommandError(f"{file}: {error}") from error
        published = iso_date(options["published"]) if options["published"] else None
        published = published or article.published_on
        if published is None:
            raise CommandError("Give the publication date: --published YYYY-MM-DD.")
        publisher = options["publisher"] or article.publisher
        if not publisher and not dry_run:
            raise CommandError("Give the publisher: --publisher NAME.")
        progress = self.stderr if dry_run else self.stdout
        progress.write(f"Read {file.name}: {len(article.text):,} characters.")
        progress.write("Reading the database's countries, persons, bodies and records…")
        gazetteer = from_database()
        if dry_run:
            progress.write("Extracting proposals…")
            proposals = extract(
                article.text,
                published=published,
                dateline=options["dateline"] or None,
                gazetteer=gazetteer,
            )
            self.stdout.write(proposals.to_json())
            progress.write(
                f"Dry run: {len(proposals.meetings)} meetings, {len(proposals.documents)} "
                f"documents, {len(proposals.packages)} packages, {len(proposals.projects)} "
                f"projects, {len(proposals.status_events)} status events proposed; nothing stored."
            )
            return
        progress.write("Storing the source and extracting proposals…")
        try:
            review = review_create(
                text=article.text,
                title=options["title"] or article.title,
                publisher=publisher,
                published_on=published,
                url=options["url"] or article.url,
                dateline=options["dateline"],
                author=article.author,
                filename=file.name,
                gazetteer=gazetteer,
            )
        except ValidationError as error:
            messages = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in error.message_dict.items()
            )
            raise CommandError(f"Nothing was stored. {messages}") from error
        counts = {}
        for proposal in review.proposals.all():
            counts[proposal.get_kind_display().lower()] = (
                counts.get(proposal.get_kind_display().lower(), 0) + 1
            )
        summary = ", ".join(f"{n} × {kind}" for kind, n in counts.items()) or "no proposals"
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored draft source “{review.source.slug}” with {summary} to review at "
                f"{review.get_absolute_url()}"
            )
        )
