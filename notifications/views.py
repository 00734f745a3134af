"""Notifications pages: a person's list and email preferences, the one-click unsubscribe
link, and the organizers' outbox (held emails, policies per kind, messages to segments)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.shortcuts import announce_form_errors
from notifications.domain import (
    OutboxRefused,
    edit_email,
    read_all,
    read_notification,
    read_unsubscribe_token,
    save_preferences,
    send_emails,
    set_policy,
    unsubscribe,
)
from notifications.domain.preferences import PreferencesRefused
from notifications.domain.segments import (
    CampaignRefused,
    Draft,
    check_draft,
    hold_campaign,
    segment_recipients,
)
from notifications.forms import CampaignForm, EmailEditForm, PolicyForm, PreferencesForm
from notifications.models import ESSENTIAL_KINDS, Email, EmailSettings, Kind, KindPolicy
from notifications.tasks import send_email_task
from notifications.texts import describe

PAGE_SIZE = 30
OUTBOX_PAGE_SIZE = 50


def posted(request):
    """The form's data on a POST, even an empty one (``request.POST or None`` would not bind)."""
    return request.POST if request.method == "POST" else None


@login_required
def notification_list(request):
    """A person's notifications, newest first, unread ones marked."""
    page = Paginator(request.user.notifications.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (notification, describe(kind=notification.kind, params=notification.params))
        for notification in page.object_list
    ]
    return render(request, "notifications/list.html", {"page": page, "rows": rows})


@login_required
@require_POST
def mark_read(request, pk: int):
    read_notification(user=request.user, notification_id=pk)
    target = request.POST.get("next", "")
    return redirect(
        target if target.startswith("/") and not target.startswith("//") else "notifications:list"
    )


@login_required
@require_POST
def mark_all_read(request):
    count = read_all(user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s notification marked as read.",
            "%(count)s notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("notifications:list")


@login_required
def preferences(request):
    """Which non-essential notifications reach the person by email, and in which language."""
    row = EmailSettings.objects.filter(user=request.user).first()
    initial = {
        "language": row.language if row else "",
        "emailed": [
            k for k in Kind.values if k not in ESSENTIAL_KINDS and not (row and k in row.muted)
        ],
    }
    form = PreferencesForm(posted(request), initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                save_preferences(
                    user=request.user,
                    language=form.cleaned_data["language"],
                    emailed_kinds=form.cleaned_data["emailed"],
                )
            except PreferencesRefused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, _("Your email preferences are saved."))
                return redirect("notifications:preferences")
    essential = [label for kind, label in Kind.choices if kind in ESSENTIAL_KINDS]
    return render(request, "notifications/preferences.html", {"form": form, "essential": essential})


@csrf_exempt  # The link's signature is the proof; mail clients POST it without a form (RFC 8058).
def unsubscribe_view(request, token: str):
    """GET shows what the link does (scanners follow links: they must not unsubscribe);
    POST, from the page's button or a mail client's one click, unsubscribes."""
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    user_id, kind = found
    done = False
    if request.method == "POST":
        unsubscribe(user_id=user_id, kind=kind)
        done = True
    elif request.method != "GET":
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=405)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"kind": Kind(kind).label, "done": done, "essential": kind in ESSENTIAL_KINDS},
    )


# --- organizers ---------------------------------------------------------------------------


@organizer_required
def outbox(request):
    """Every email, held ones first by default; select and send in bulk; hold kinds."""
    state = request.GET.get("state", Email.State.DRAFT)
    if state not in Email.State.values and state != "all":
        state = Email.State.DRAFT
    emails = Email.objects.select_related("campaign").order_by("-created_at", "-id")
    if state != "all":
        emails = emails.filter(state=state)
    page = Paginator(emails, OUTBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    held = list(KindPolicy.objects.filter(hold=True).values_list("kind", flat=True))
    return render(
        request,
        "notifications/outbox.html",
        {
            "page": page,
            "state": state,
            "states": Email.State.choices,
            "policy_form": PolicyForm(initial={"held": held}),
            "filters": f"state={state}",
        },
    )


@organizer_required
@require_POST
def outbox_send(request):
    try:
        if request.POST.get("all_held"):
            ids = Email.objects.filter(state=Email.State.DRAFT).values_list("pk", flat=True)
        else:
            ids = [int(pk) for pk in request.POST.getlist("email") if pk.isdigit()]
        count = send_emails(email_ids=ids, enqueue=send_email_task.delay)
    except OutboxRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s email queued for sending.", "%(count)s emails queued for sending.", count
            )
            % {"count": count},
        )
    return redirect("notifications:outbox")


@organizer_required
@require_POST
def outbox_policy(request):
    form = PolicyForm(request.POST)
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect("notifications:outbox")
    for kind in form.fields["held"].choices:
        set_policy(kind=kind[0], hold=kind[0] in form.cleaned_data["held"])
    messages.success(request, _("The outbox policy is saved."))
    return redirect("notifications:outbox")


@organizer_required
def outbox_email(request, pk: int):
    """One email; a held one can be rewritten before it goes."""
    email = get_object_or_404(Email.objects.select_related("user"), pk=pk)
    form = EmailEditForm(posted(request), instance=email)
    if request.method == "POST":
        if form.is_valid():
            try:
                edit_email(
                    email_id=email.pk,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except OutboxRefused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, _("The email is saved; it is still held."))
                return redirect("notifications:outbox_email", pk=email.pk)
    return render(request, "notifications/outbox_email.html", {"email": email, "form": form})


def _draft(form: CampaignForm) -> Draft:
    data = form.cleaned_data
    return Draft(
        segment=data["segment"],
        country=data.get("country") or "",
        challenge=data.get("challenge"),
        subjects={code: data[f"subject_{code}"] for code in ("es", "pt", "en")},
        bodies={code: data[f"body_{code}"] for code in ("es", "pt", "en")},
    )


@organizer_required
def compose(request):
    """Write to a segment: "Preview" counts the recipients and shows the texts; "Hold in the
    outbox" prepares one email per person, held until sent from the outbox."""
    edition = request.edition
    if edition is None:
        raise Http404
    form = CampaignForm(posted(request), edition=edition)
    preview = None
    if request.method == "POST":
        if form.is_valid():
            draft = _draft(form)
            try:
                check_draft(draft)
                if request.POST.get("action") == "hold":
                    campaign = hold_campaign(edition=edition, draft=draft, by=request.user)
                    count = campaign.emails.count()
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s email held in the outbox.",
                            "%(count)s emails held in the outbox.",
                            count,
                        )
                        % {"count": count},
                    )
                    return redirect("notifications:outbox")
                preview = {
                    "count": segment_recipients(
                        edition=edition,
                        segment=draft.segment,
                        country=draft.country,
                        challenge=draft.challenge,
                    ).count(),
                    "draft": draft,
                }
            except CampaignRefused as refusal:
                messages.error(request, refusal.message)
    return render(request, "notifications/compose.html", {"form": form, "preview": preview})
