"""The import assistant's forms: the import itself, and the small in-place edit of a proposal."""

from __future__ import annotations

import datetime as dt

from django import forms

from agreements.models import Document, Project, StatusEvent
from seeds.article import Article, ArticleError, read_article
from seeds.models import Proposal
from summits.models import Meeting

MAX_UPLOAD = 5 * 1024 * 1024


class ImportForm(forms.Form):
    """Paste a text or upload a file; what the page's metadata says fills what is left empty.

    When an upload leaves the publisher or the date unknown, the form comes back with the
    text extracted and the metadata filled in, so the analyst types only what is missing.
    """

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90}),
        required=False,
        help_text="Paste the article's text, or leave empty and upload a file below.",
    )
    upload = forms.FileField(
        label="or upload",
        required=False,
        help_text="A saved web page (.html) or a .txt; the page's title, site, date and URL "
        "fill the fields left empty.",
    )
    title = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"size": 90}),
        help_text="Default: the page title or the first line.",
    )
    publisher = forms.CharField(max_length=200, required=False)
    published_on = forms.DateField(
        label="Publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="YYYY-MM-DD; dates without a year in the text are read against it.",
    )
    url = forms.URLField(
        label="URL",
        max_length=1000,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 90}),
    )
    dateline = forms.CharField(
        max_length=200, required=False, help_text='"Astana, October 21", if the text has one.'
    )

    article: Article | None = None

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError("The file is larger than 5 MB.")
            try:
                self.article = read_article(upload.read(), upload.name)
            except ArticleError as error:
                raise forms.ValidationError({"upload": str(error)}) from error
        elif data.get("text", "").strip():
            self.article = read_article(data["text"], "pasted.txt")
        else:
            raise forms.ValidationError("Paste the article's text or upload a file.")
        article = self.article
        filled = {
            "text": article.text,
            "title": data.get("title") or article.title,
            "publisher": data.get("publisher") or article.publisher,
            "published_on": data.get("published_on") or article.published_on,
            "url": data.get("url") or article.url,
        }
        data.update(filled)
        missing = {
            name: message
            for name, message in (
                ("publisher", "Give the publisher (the page does not name it)."),
                ("published_on", "Give the publication date (the page does not say it)."),
            )
            if not data.get(name)
        }
        if missing:
            self.refill(filled)
            raise forms.ValidationError(missing)
        return data

    def refill(self, values: dict) -> None:
        """Back to the analyst with what the page said, the text included, so that the
        upload is not needed again."""
        self.data = self.data.copy()
        for name, value in values.items():
            if value:
                self.data[name] = value.isoformat() if isinstance(value, dt.date) else value


def _date_input(**kwargs) -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class EditForm(forms.Form):
    """The facts of a proposal an analyst most often corrects, in the proposal's own shape."""

    def __init__(self, *args, proposal: Proposal, **kwargs):
        kwargs.setdefault("prefix", f"p{proposal.pk}")
        kwargs.setdefault("initial", self.initial_from(proposal.values))
        super().__init__(*args, **kwargs)
        self.proposal = proposal

    @staticmethod
    def initial_from(values: dict) -> dict:
        return {}

    def edits(self) -> dict:
        return dict(self.cleaned_data)


def _date_edit(start: dt.date | None, end: dt.date | None, was: dict | None) -> dict | None:
    if start is None:
        return None
    same = bool(was) and was.get("start") == start.isoformat()
    same = same and (was.get("end") or None) == (end.isoformat() if end else None)
    if same:
        return was
    return {
        "start": start.isoformat(),
        "end": end.isoformat() if end and end != start else None,
        "precision": "day",
        "basis": "stated",
        "reasoning": "",
        "text": (was or {}).get("text", ""),
        "offset": (was or {}).get("offset", 0),
    }


class MeetingEditForm(EditForm):
    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=Meeting.Kind.choices)
    start = _date_input(label="From")
    end = _date_input(label="To", required=False)
    city = forms.CharField(max_length=100, required=False)

    @staticmethod
    def initial_from(values: dict) -> dict:
        date = values.get("date") or {}
        return {
            "title": values.get("title"),
            "kind": values.get("kind"),
            "start": date.get("start"),
            "end": date.get("end"),
            "city": values.get("city"),
        }

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError({"end": "A meeting cannot end before it starts."})
        return data

    def edits(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "city": data["city"],
            "date": _date_edit(data["start"], data.get("end"), self.proposal.values.get("date")),
        }


class DocumentEditForm(EditForm):
    title = forms.CharField(max_length=500)
    kind = forms.ChoiceField(choices=Document.Kind.choices)
    level = forms.ChoiceField(choices=Document.Level.choices)
    status = forms.ChoiceField(
        choices=[("", "Not said"), *StatusEvent.Status.choices], required=False
    )

    @staticmethod
    def initial_from(values: dict) -> dict:
        return {key: values.get(key) for key in ("title", "kind", "level", "status")}


class PackageEditForm(EditForm):
    title = forms.CharField(max_length=300)
    count = forms.IntegerField(
        label="Documents announced", min_value=1, max_value=999, required=False
    )

    @staticmethod
    def initial_from(values: dict) -> dict:
        return {"title": values.get("title"), "count": values.get("count")}


class ProjectEditForm(EditForm):
    name = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=Project.Kind.choices)
    city = forms.CharField(max_length=100, required=False)

    @staticmethod
    def initial_from(values: dict) -> dict:
        return {key: values.get(key) for key in ("name", "kind", "city")}


class StatusEventEditForm(EditForm):
    status = forms.ChoiceField(choices=StatusEvent.Status.choices)

    @staticmethod
    def initial_from(values: dict) -> dict:
        return {"status": values.get("status")}


EDIT_FORMS: dict[str, type[EditForm]] = {
    Proposal.Kind.MEETING: MeetingEditForm,
    Proposal.Kind.DOCUMENT: DocumentEditForm,
    Proposal.Kind.PACKAGE: PackageEditForm,
    Proposal.Kind.PROJECT: ProjectEditForm,
    Proposal.Kind.STATUS_EVENT: StatusEventEditForm,
}
