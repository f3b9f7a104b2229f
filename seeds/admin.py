"""The import assistant in the admin: Import article, then the review page.

Permissions are those of the records involved, checked on every POST: importing stores a
source (records.add_source); accepting makes a record (add_<kind>); merging changes one
(change_<kind>); rejecting and publishing change the article's source and records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from agreements.models import StatusEvent
from records.admin_base import CHECKED_JSON
from records.models import Source
from records.passages import marked
from seeds.forms import EDIT_FORMS, ImportForm
from seeds.models import ImportReview, Proposal
from seeds.review import (
    LISTS,
    MODELS,
    ROW_FACTS,
    DecisionRefused,
    Difference,
    accept_pending,
    differences,
    facts,
    proposal_accept,
    proposal_merge,
    proposal_reject,
    proposal_reopen,
    review_create,
    review_publish,
    review_records,
)


def _perm(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


FACT_LABELS = {
    "kind": "kind",
    "date": "date",
    "city": "city",
    "host_country": "host country",
    "countries": "countries",
    "persons": "persons",
    "body": "body and session",
    "body_name": "body (new)",
    "session_number": "session",
    "parent": "held during",
    "formats": "formats",
    "level": "level",
    "status": "status",
    "conclusion": "how concluded",
    "parties": "parties",
    "meeting": "meeting",
    "package": "package",
    "count": "documents announced",
    "announced_text": "as announced",
    "organizations": "organizations",
    "location_country": "country",
    "figures": "figures",
    "milestones": "milestones",
    "meetings": "meetings",
    "document": "document",
}
SHOWN = {
    Proposal.Kind.MEETING: (
        "kind",
        "date",
        "city",
        "host_country",
        "countries",
        "persons",
        "body",
        "body_name",
        "session_number",
        "parent",
        "formats",
    ),
    Proposal.Kind.DOCUMENT: ("kind", "level", "status", "date", "parties", "meeting", "package"),
    Proposal.Kind.PACKAGE: ("count", "announced_text", "meeting"),
    Proposal.Kind.PROJECT: (
        "kind",
        "city",
        "location_country",
        "countries",
        "organizations",
        "figures",
        "milestones",
        "meetings",
    ),
    Proposal.Kind.STATUS_EVENT: ("document", "document_key", "status", "date"),
}


def _display(name: str, value, titles: dict[str, str]) -> str:
    if value in (None, "", []):
        return ""
    if name == "date" and isinstance(value, dict):
        start, end = value.get("start"), value.get("end")
        span = f"{start} – {end}" if end and end != start else start
        return f"{span} ({value.get('precision')})"
    if name in ("countries", "parties"):
        return ", ".join(f"{row['code']} ({row['role']})" for row in value)
    if name == "persons":
        return ", ".join(f"{row['name']} ({row['role']})" for row in value)
    if name == "figures":
        return "; ".join(row["text"] for row in value)
    if name == "milestones":
        return "; ".join(f"{row['kind']} (“{row['cue']}”)" for row in value)
    if name in ("parent", "meeting", "package", "document_key"):
        return titles.get(value, value)
    if name == "meetings":
        return "; ".join(titles.get(key, key) for key in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass
class Fact:
    name: str
    label: str
    value: str
    basis: str = ""
    reasoning: str = ""
    evidence: str = ""


@dataclass
class Candidate:
    slug: str
    title: str
    score: float
    record: object = None
    differences: list[Difference] = field(default_factory=list)
    url: str = ""


@dataclass
class ProposalView:
    proposal: Proposal
    facts: list[Fact]
    quotes: list[dict]
    candidates: list[Candidate]
    mergeable: list[str]
    ticked: set[str]
    form: object = None
    record_url: str = ""


def proposal_view(proposal: Proposal, titles: dict[str, str], form=None) -> ProposalView:
    values = proposal.values
    basis = values.get("basis") or {}
    rows = []
    for name in SHOWN[proposal.kind]:
        shown = _display(name, values.get(name), titles)
        if not shown:
            continue
        why = basis.get(name) or basis.get("date" if name == "date" else name) or {}
        if name == "date" and not why:
            why = values.get("date") or {}
        rows.append(
            Fact(
                name,
                FACT_LABELS.get(name, name.replace("_", " ")),
                shown,
                why.get("basis", ""),
                why.get("reasoning", ""),
                why.get("evidence", ""),
            )
        )
    quotes = list({(q["start"], q["end"]): q for q in values.get("quotes") or []}.values())
    if values.get("quote"):
        quotes.append(values["quote"])
    candidates, ticked = [], set()
    model = MODELS[proposal.kind]
    for row in values.get("merge_candidates") or []:
        record = model._default_manager.filter(slug=row["slug"]).first()
        if record is None:
            continue
        diff = differences(proposal, record) if proposal.is_pending else []
        url = reverse(f"admin:{_admin_name(model)}_change", args=[record.pk])
        candidates.append(Candidate(row["slug"], row["title"], row["score"], record, diff, url))
    if candidates:
        # Facts the record lacks are ticked; a fact it holds otherwise waits for the analyst.
        ticked = {d.fact for d in candidates[0].differences if d.current in ("", "—")}
    scalar = facts(proposal.kind, values, resolve=lambda key: None)
    mergeable = [
        name
        for name, group in scalar.items()
        if any(value not in (None, "", []) for value in group.values())
    ] + [name for name in ROW_FACTS.get(proposal.kind, ()) if values.get(name)]
    record_url = ""
    if proposal.object_id is not None:
        record_url = reverse(
            f"admin:{proposal.content_type.app_label}_{proposal.content_type.model}_change",
            args=[proposal.object_id],
        )
    if form is None and proposal.is_pending:
        form = EDIT_FORMS[proposal.kind](proposal=proposal)
    return ProposalView(proposal, rows, quotes, candidates, mergeable, ticked, form, record_url)


def _admin_name(model) -> str:
    return f"{model._meta.app_label}_{model._meta.model_name}"


@admin.register(ImportReview)
class ImportReviewAdmin(admin.ModelAdmin):
    formfield_overrides = CHECKED_JSON
    list_display = ("source", "created_by", "created_at", "progress", "published_at")
    list_select_related = ("source", "created_by")
    search_fields = ("source__title", "source__publisher")
    date_hierarchy = "created_at"

    # The review belongs to its source: whoever may store and edit sources may review them.
    def has_module_permission(self, request) -> bool:
        return request.user.has_perm(_perm(Source, "view"))

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(_perm(Source, "view"))

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm(_perm(Source, "add"))

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(_perm(Source, "change"))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="decided")
    def progress(self, review: ImportReview) -> str:
        rows = list(review.proposals.all())
        decided = sum(1 for row in rows if not row.is_pending)
        return format_html(
            '<a href="{}">{} of {}</a>', review.get_absolute_url(), decided, len(rows)
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="seeds_importreview_import"),
            path("<int:pk>/review/", wrap(self.review_view), name="seeds_importreview_review"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return self.import_view(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A review is changed by deciding its proposals, on the review page.
        if not self.has_view_permission(request):
            raise PermissionDenied
        # A malformed id is a review that does not exist, never a server error.
        review = self.get_object(request, unquote(object_id))
        if review is None:
            raise Http404("No such import review.")
        return HttpResponseRedirect(review.get_absolute_url())

    def _context(self, request, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
        status = 200
        if request.method == "POST":
            if form.is_valid() and form.cleaned_data.get("upload") is not None:
                # What the page's metadata says is shown before it is stored: the date
                # decides how every date without a year in the text is read.
                data = form.cleaned_data
                fields = ("text", "title", "publisher", "published_on", "url", "dateline")
                form = ImportForm({name: data.get(name) or "" for name in fields})
                form.refill({name: data.get(name) for name in fields})
                name = data["upload"].name
                messages.info(
                    request,
                    f"Read {name}: check the title, publisher, date and URL taken from it, "
                    "then import.",
                )
                context = self._context(request, title="Import article", form=form)
                return TemplateResponse(request, "admin/seeds/import_article.html", context)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    review = review_create(
                        text=data["text"],
                        title=data["title"],
                        publisher=data["publisher"],
                        published_on=data["published_on"],
                        url=data["url"],
                        dateline=data["dateline"],
                        author=form.article.author if form.article else "",
                        filename=getattr(data.get("upload"), "name", "") or "",
                        user=request.user,
                    )
                except ValidationError as error:
                    for name, errors in error.message_dict.items():
                        target = name if name in form.fields else None
                        for message in errors:
                            form.add_error(target, message)
                else:
                    count = review.proposals.count()
                    messages.success(
                        request, f"Stored a draft source and {count} proposals to review."
                    )
                    return HttpResponseRedirect(review.get_absolute_url())
            status = 400
        context = self._context(request, title="Import article", form=form)
        return TemplateResponse(request, "admin/seeds/import_article.html", context, status=status)

    def review_view(self, request, pk: int):
        review = get_object_or_404(ImportReview.objects.select_related("source"), pk=pk)
        if not self.has_view_permission(request, review):
            raise PermissionDenied
        failed, status = None, 200
        if request.method == "POST":
            failed, status, done = self._decide(request, review)
            if done:
                return HttpResponseRedirect(request.path + (f"#{done}" if done else ""))
        return self._render_review(request, review, failed, status)

    def _decide(self, request, review: ImportReview):
        """Apply one decision; (the proposal whose edit form failed, HTTP status, anchor)."""
        action = request.POST.get("action", "")
        user = request.user
        if action == "publish":
            needed = {_perm(model, "change") for model in review_records(review)}
            if not user.has_perms(needed):
                raise PermissionDenied
            try:
                count = review_publish(review=review, user=user)
            except DecisionRefused as error:
                messages.error(request, str(error))
                return None, 409, ""
            messages.success(request, f"Published the article's records ({count} changed).")
            return None, 200, "decided"
        if action == "accept_all":
            needed = {_perm(MODELS[kind], "add") for _, kind in LISTS} | {"records.add_citation"}
            if not user.has_perms(needed):
                raise PermissionDenied
            count = accept_pending(review=review, user=user)
            messages.success(request, f"Accepted {count} proposals as drafts.")
            return None, 200, "decided"
        try:
            proposal = review.proposals.get(pk=int(request.POST.get("proposal", "")))
        except (ValueError, Proposal.DoesNotExist):
            messages.error(request, "No such proposal in this review.")
            return None, 400, ""
        model = MODELS[proposal.kind]
        try:
            if action in ("accept", "edit"):
                made = StatusEvent if proposal.kind == Proposal.Kind.STATUS_EVENT else model
                if not user.has_perms([_perm(made, "add"), "records.add_citation"]):
                    raise PermissionDenied
                edits = None
                if action == "edit":
                    form = EDIT_FORMS[proposal.kind](request.POST, proposal=proposal)
                    if not form.is_valid():
                        messages.error(request, "Correct the errors in the form below.")
                        return form, 400, ""
                    edits = form.edits()
                record = proposal_accept(proposal=proposal, user=user, edits=edits)
                messages.success(request, f"Created the draft “{record}”.")
            elif action == "merge":
                if not user.has_perms([_perm(model, "change"), "records.add_citation"]):
                    raise PermissionDenied
                slug = request.POST.get("other", "").strip() or request.POST.get("target", "")
                target = model._default_manager.filter(slug=slug).first() if slug else None
                if target is None:
                    name = model._meta.verbose_name
                    messages.error(request, f"No {name} “{slug}” to merge into.")
                    return None, 400, ""
                ticked = request.POST.getlist("fact")
                proposal_merge(proposal=proposal, target=target, ticked=ticked, user=user)
                messages.success(request, f"Merged into “{target}”: {len(ticked)} facts.")
            elif action == "reject":
                if not user.has_perm(_perm(Source, "change")):
                    raise PermissionDenied
                proposal_reject(proposal=proposal, user=user)
                messages.success(request, f"Rejected “{proposal.title}”.")
            elif action == "reopen":
                if not user.has_perm(_perm(Source, "change")):
                    raise PermissionDenied
                proposal_reopen(proposal=proposal, user=user)
            else:
                messages.error(request, f"Unknown action “{action}”.")
                return None, 400, ""
        except DecisionRefused as error:
            messages.error(request, str(error))
            return None, 409, ""
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return None, 400, ""
        return None, 200, f"proposal-{proposal.pk}"

    def _render_review(self, request, review: ImportReview, failed, status: int):
        proposals = list(review.proposals.select_related("content_type", "decided_by"))
        titles = {row.key: row.title for row in proposals}
        views = {
            row.pk: proposal_view(
                row, titles, failed if failed is not None and failed.proposal == row else None
            )
            for row in proposals
        }
        spans = [
            (quote["start"], quote["end"], views[row.pk])
            for row in proposals
            if row.decision != Proposal.Decision.REJECTED
            for quote in views[row.pk].quotes
        ]
        groups = [
            (label, [views[row.pk] for row in proposals if row.kind == kind])
            for label, kind in (
                ("Meetings", Proposal.Kind.MEETING),
                ("Documents", Proposal.Kind.DOCUMENT),
                ("Packages", Proposal.Kind.PACKAGE),
                ("Projects", Proposal.Kind.PROJECT),
                ("Status of known documents", Proposal.Kind.STATUS_EVENT),
            )
        ]
        pending = sum(1 for row in proposals if row.is_pending)
        context = self._context(
            request,
            title=f"Review: {review.source.title}",
            review=review,
            source=review.source,
            stretches=marked(review.source.text, spans),
            groups=[(label, items) for label, items in groups if items],
            decided=[views[row.pk] for row in proposals if not row.is_pending],
            pending=pending,
            total=len(proposals),
            can_publish=pending == 0 and review.published_at is None,
        )
        for stretch in context["stretches"]:
            # One reference per proposal, however many of its quotes cover the stretch.
            stretch.citations = list({id(view): view for view in stretch.citations}.values())
        return TemplateResponse(request, "admin/seeds/import_review.html", context, status=status)
