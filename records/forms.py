from __future__ import annotations

from django import forms
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from records import registry
from records.input_checks import text_problem
from records.models import Citation, Source, citable_fields, text_sha256
from records.quotes import QuoteCheck, Verdict, check_quote, occurrence_number

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def normalized_text(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; the stored texts use LF. Without this,
    the same article pasted and uploaded would have two hashes and quotes spanning lines
    would not match."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def cited_kinds() -> list[type]:
    """Every registered model that carries citations (has a `citations` generic relation):
    the record kinds and the parts cited on their own (status events, milestones)."""
    models = [kind.model for kind in registry.kinds()]
    models += [part.model for part in registry.registry.parts_by_model.values()]
    return [
        model
        for model in models
        if any(
            isinstance(f, GenericRelation) and f.name == "citations"
            for f in model._meta.get_fields()
        )
    ]


def cited_parts(model) -> list[registry.Part]:
    """The parts of `model` that are cited on their own (a document's status events, a
    project's milestones): quotes for them can be added on the record's page."""
    carriers = set(cited_kinds())
    return [
        part
        for part in registry.registry.parts_by_model.values()
        if part.model in carriers
        and getattr(part.model._meta.get_field(part.owner), "related_model", None) is model
    ]


def target_value(model, pk) -> str:
    return f"{model._meta.label_lower}:{pk}"


def field_choices(model) -> list[tuple[str, str]]:
    """A citation's field as a choice of the cited record's facts, "whole record" first."""
    return [("", "whole record"), *citable_fields(model).items()]


class CitationForm(forms.ModelForm):
    """A quote checked against its source before the model's own check, to say what is wrong
    and, when only typography differs, to offer the source's exact text (records/quotes.py).

    `record_model` (the record the quotes belong to, in an inline) makes the field a choice of
    that record's facts; on the stand-alone page the kind chosen in the form decides.
    """

    FIX = "use_source_text"

    # On a record's page with parts cited on their own: the record or one of its parts.
    target = forms.ChoiceField(label="quote for", required=False, choices=())

    class Meta:
        model = Citation
        fields = ("source", "field", "quote", "occurrence")
        widgets = {"quote": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def __init__(self, *args, record_model=None, targets=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # value → (model, pk) for the parts this quote may be for instead of the record.
        self.targets = {value: (model, pk) for value, _, model, pk in targets}
        if targets:
            self.fields["target"].choices = [
                ("", f"this {record_model._meta.verbose_name}"),
                *((value, label) for value, label, _, _ in targets),
            ]
            if self.instance.pk is not None and record_model is not None:
                cited = ContentType.objects.get_for_id(self.instance.content_type_id).model_class()
                if cited is not record_model:
                    self.fields["target"].initial = target_value(cited, self.instance.object_id)
        elif record_model is not None and cited_parts(record_model):
            # A record whose kind has parts but which has none yet (a document with no status
            # step): the column is there (the admin's fields say so), with one choice.
            self.fields["target"].choices = [("", f"this {record_model._meta.verbose_name}")]
        else:
            del self.fields["target"]
        fix = self.data.get(self.add_prefix(self.FIX)) if self.is_bound else None
        if fix:
            # The no-script path of "use the source's exact text": the button submits it.
            self.data = self.data.copy()
            occurrence, _, quote = fix.partition(":")
            self.data[self.add_prefix("quote")] = quote
            self.data[self.add_prefix("occurrence")] = occurrence
        self.record_model = record_model or self.chosen_model()
        if "field" in self.fields:
            self.fields["field"] = forms.ChoiceField(
                label="field",
                required=False,
                choices=self.field_choices(),
                help_text="The fact the quote supports; “whole record” when it supports all.",
            )
        if "occurrence" in self.fields:
            occurrence = self.fields["occurrence"]
            occurrence.required = False
            occurrence.help_text = (
                "Leave empty when the quote appears once; when it appears more often, the "
                "form lists each place to choose from."
            )
            if self.instance.pk is None:
                occurrence.initial = None

    def chosen_model(self):
        """The kind of record chosen on the stand-alone page (submitted, or the row's)."""
        content_type = self.instance.content_type if self.instance.content_type_id else None
        if self.is_bound and "content_type" in self.fields:
            value = str(self.data.get(self.add_prefix("content_type")) or "")
            # A malformed id is the field's error to report; here it chooses no kind.
            content_type = (
                ContentType.objects.filter(pk=int(value)).first() if value.isdigit() else None
            )
        return content_type.model_class() if content_type is not None else None

    def target_model(self):
        """The model the quote is for: the chosen part's, else the record's."""
        chosen = self.targets.get(self.cleaned_data.get("target") or "")
        return chosen[0] if chosen else self.record_model

    def field_choices(self) -> list:
        stored = self.instance.field if self.instance.pk is not None else ""
        if self.targets:
            # The record's facts and each kind of part's, grouped; the target chosen decides.
            models = dict.fromkeys([self.record_model, *(m for m, _ in self.targets.values())])
            choices = [("", "whole record")] + [
                (str(model._meta.verbose_name).capitalize(), field_choices(model)[1:])
                for model in models
            ]
            names = {name for model in models for name in citable_fields(model)}
            if stored and stored not in names:
                choices.append((stored, f"{stored} (not a field of the record: choose one)"))
            return choices
        if self.record_model is not None:
            choices = field_choices(self.record_model)
        else:
            # No kind chosen yet: every kind's facts, grouped; the kind chosen then decides.
            choices = [("", "whole record")] + [
                (str(model._meta.verbose_name).capitalize(), field_choices(model)[1:])
                for model in cited_kinds()
            ]
            return choices
        if stored and stored not in dict(choices):
            name = self.record_model._meta.verbose_name
            choices.append((stored, f"{stored} (not a field of a {name}: choose one)"))
        return choices

    def quote_changed(self) -> bool:
        return self.instance.pk is None or bool(
            {"source", "quote", "occurrence"} & set(self.changed_data)
        )

    def clean(self):
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if content_type is not None and object_id is not None:
            model = content_type.model_class()
            if model is None or not model._default_manager.filter(pk=object_id).exists():
                self.add_error(
                    "object_id", f"There is no {content_type.name} with id {object_id}."
                )
        self.clean_fact(cleaned)
        source, quote = cleaned.get("source"), cleaned.get("quote")
        if source is not None and quote and self.quote_changed():
            self.check_against(source, quote, cleaned)
        if "occurrence" in cleaned and cleaned["occurrence"] is None:
            # Left empty: the quote appears once (checked above), or the row is unchanged.
            cleaned["occurrence"] = self.instance.occurrence or 1
        return cleaned

    def _update_errors(self, errors):
        # The model's own check (Citation.locate) repeats in fewer words what clean() said.
        if hasattr(errors, "error_dict"):
            fresh = {f: m for f, m in errors.error_dict.items() if f not in self._errors}
            if not fresh:
                return
            errors = ValidationError(fresh)
        super()._update_errors(errors)

    def clean_fact(self, cleaned) -> None:
        """The field must be one of the cited record's facts when an analyst sets or changes
        it: the server-side check behind the choice (a value stored before it, kept for
        review, is left alone until changed)."""
        chosen = self.targets.get(cleaned.get("target") or "")
        if chosen is not None:
            # Saved on the part, not on the record whose page this is (CitationFormSet).
            self.instance.content_type = ContentType.objects.get_for_model(chosen[0])
            self.instance.object_id = chosen[1]
        field = cleaned.get("field") or ""
        model = self.target_model()
        changed = {"field", "target"} & set(self.changed_data)
        if not field or model is None or not changed:
            return
        if field not in citable_fields(model):
            self.add_error(
                "field",
                f"“{field}” is not a field of a {model._meta.verbose_name}: choose one of its "
                "fields, or “whole record”.",
            )

    def check_against(self, source: Source, quote: str, cleaned) -> None:
        check = check_quote(source.text, quote)
        occurrence = cleaned.get("occurrence")
        where = f"in source “{source.slug}”"
        if check.verdict is Verdict.EXACT:
            if occurrence not in (None, 1):
                self.add_error(
                    "occurrence",
                    f"The quote appears once {where}, so occurrence {occurrence} does not "
                    "exist. Leave it empty or use 1.",
                )
            cleaned["occurrence"] = 1
            return
        if check.verdict is Verdict.AMBIGUOUS:
            count = len(check.occurrences)
            chosen_again = self.instance.pk is None or "occurrence" in self.changed_data
            if occurrence is not None and 1 <= occurrence <= count and chosen_again:
                return
            if occurrence is not None and occurrence > count:
                lead = (
                    f"The quote appears {count} time(s) {where}, so occurrence {occurrence} "
                    f"does not exist. Use a number from 1 to {count}:"
                )
            else:
                lead = f"The quote appears {count} times {where}. Which one do you cite?"
            self.add_error("occurrence", occurrence_choices(lead, check, self))
            return
        if check.verdict in (Verdict.TOO_SHORT, Verdict.EMPTY):
            self.add_error("quote", check.summary())
            return
        self.add_error("quote", quote_problem(source, check, self))


def occurrence_choices(lead: str, check: QuoteCheck, form: CitationForm):
    items = format_html_join(
        "",
        '<li><button type="button" class="quote-occurrence" data-target="{}" data-value="{}">'
        "{}</button> …{}<mark>{}</mark>{}…</li>",
        (
            (form.add_prefix("occurrence"), number, number, o.before, o.text, o.after)
            for number, o in enumerate(check.occurrences, start=1)
        ),
    )
    return ValidationError(
        format_html('{} <ol class="quote-occurrences">{}</ol>', lead, items),
        code="ambiguous",
    )


def quote_problem(source: Source, check: QuoteCheck, form: CitationForm) -> ValidationError:
    """The refusal of a quote the source lacks verbatim: why, and the fix when there is one."""
    message = format_html(
        "The quote is not found verbatim in source “{}”. {}", source.slug, check.summary()
    )
    if check.fixable:
        closest = check.closest
        number = occurrence_number(source.text, closest.start, closest.end)
        message = format_html(
            '{} <button type="submit" class="quote-fix" name="{}" value="{}" '
            'data-target="{}" data-occurrence-target="{}" data-quote="{}" '
            'data-occurrence="{}">Use the source\'s exact text: “{}”</button>',
            message,
            form.add_prefix(form.FIX),
            f"{number}:{closest.text}",
            form.add_prefix("quote"),
            form.add_prefix("occurrence"),
            closest.text,
            number,
            closest.text,
        )
    return ValidationError(message, code=check.verdict.value)


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
