from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from records.input_checks import text_problem
from records.models import Citation, Source, find_quote, text_sha256
from records.passages import near_miss

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def normalized_text(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; the stored texts use LF. Without this,
    the same article pasted and uploaded would have two hashes and quotes spanning lines
    would not match."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


class CitationForm(forms.ModelForm):
    """A quote checked against its source before the model's own check, to say what is wrong."""

    class Meta:
        model = Citation
        fields = ("source", "field", "quote", "occurrence")
        widgets = {"quote": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def clean(self):
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if content_type is not None and object_id is not None:
            model = content_type.model_class()
            if model is None or not model._default_manager.filter(pk=object_id).exists():
                self.add_error(
                    "object_id", f"There is no {content_type.name} with id {object_id}."
                )
        source, quote = cleaned.get("source"), cleaned.get("quote")
        occurrence = cleaned.get("occurrence") or 1
        if source is None or not quote:
            return cleaned
        if find_quote(source.text, quote, occurrence) >= 0:
            return cleaned
        count = source.text.count(quote)
        if count:
            message = (
                f"The quote appears {count} time(s) in “{source.slug}”, so occurrence "
                f"{occurrence} does not exist. Use a number from 1 to {count}."
            )
            self.add_error("occurrence", message)
            return cleaned
        message = (
            f"The quote is not found verbatim in source “{source.slug}”. Copy it exactly "
            "from the text."
        )
        suggestion = near_miss(source.text, quote)
        if suggestion is not None:
            message += (
                f" The text has “{suggestion}”, which differs only in spacing, capitals, "
                "quotation marks or dashes."
            )
        self.add_error("quote", message)
        return cleaned


class SourceAddForm(forms.ModelForm):
    """A new source: the article's text pasted or uploaded as a UTF-8 .txt file."""

    upload = forms.FileField(
        label="or upload a .txt file",
        required=False,
        help_text="UTF-8 plain text; used instead of the box above when given.",
    )

    class Meta:
        model = Source
        fields = (
            "title",
            "slug",
            "publisher",
            "author",
            "dateline",
            "published_on",
            "published_precision",
            "date_text",
            "year_inferred",
            "inference",
            "language",
            "url",
            "status",
            "text",
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False
        self.fields["text"].strip = False
        self.fields["text"].help_text = (
            "Paste the article's full text exactly as published; it cannot be edited later, "
            "because every citation points into it by character offsets."
        )

    def clean_upload(self) -> str | None:
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,}."
            )
        raw = upload.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"The file is not UTF-8 text (byte {exc.start} cannot be read). Save it as "
                "UTF-8 plain text and upload it again, or paste the text instead."
            ) from exc
        problem = text_problem(text)
        if problem is not None:
            raise ValidationError(f"The file {problem}: it is not plain text.")
        return text

    def clean(self):
        cleaned = super().clean()
        pasted, uploaded = cleaned.get("text") or "", cleaned.get("upload")
        if "upload" in self.errors:
            return cleaned
        if pasted.strip() and uploaded is not None:
            self.add_error("upload", "Give the text once: paste it or upload a file, not both.")
            return cleaned
        field = "upload" if uploaded is not None else "text"
        text = normalized_text(uploaded if uploaded is not None else pasted)
        if not text.strip():
            self.add_error(field, "The article's text is required: paste it or upload a file.")
            return cleaned
        existing = Source.objects.filter(sha256=text_sha256(text)).first()
        if existing is not None:
            url = reverse("admin:records_source_change", args=[existing.pk])
            self.add_error(
                field,
                ValidationError(
                    format_html(
                        'This text is already stored as <a href="{}">{}</a> ({}). Cite that '
                        "source instead of adding it again.",
                        url,
                        str(existing),
                        existing.slug,
                    ),
                    code="duplicate",
                ),
            )
            return cleaned
        cleaned["text"] = text
        return cleaned
