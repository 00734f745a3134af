"""Participants' import of a team's dataset from the Hub organization: a thin view over
hub.importing, answering like the upload it stands beside."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from challenges.domain import ContributionRefused
from challenges.include.views import _own_exam, announce_upload
from challenges.models import Challenge
from challenges.uploads import UploadErrors, UploadRejected, describe_errors
from challenges.views.public import get_current_edition
from hub.forms import HubImportForm
from hub.importing import IMPORTABLE_KINDS, HubImport, import_from_hub

ERRORS_IN_MESSAGE = 20


@login_required
@require_POST
def import_dataset(request, slug: str):
    """Import a dataset of the organization into the challenge, with the permissions of its
    upload: INCLUDE into one of the person's own exams (others: 404), prompts after the quiz
    (the domain refuses otherwise). Back to the page of the upload, with what happened."""
    challenge = get_object_or_404(
        Challenge.objects.select_related("edition"),
        edition=get_current_edition(request),
        slug=slug,
        kind__in=IMPORTABLE_KINDS,
    )
    exam = None
    if challenge.kind == Challenge.Kind.INCLUDE:
        pk = request.POST.get("exam", "")
        if not pk.isdigit():
            raise Http404
        exam = _own_exam(request, challenge, int(pk))
        form_page = done_page = redirect("include:exam", slug=slug, pk=exam.pk)
    else:
        form_page = redirect("preferences:upload", slug=slug)
        done_page = redirect("preferences:home", slug=slug)
    form = HubImportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the id of a dataset of the organization."))
        return form_page
    try:
        result = import_from_hub(
            challenge=challenge, user=request.user, repo_id=form.cleaned_data["repo_id"], exam=exam
        )
    except UploadRejected as rejected:
        messages.error(request, _describe_rejection(rejected.errors))
        return form_page
    except ContributionRefused as error:
        messages.error(request, error.message)
        return form_page
    _announce(request, result, challenge)
    return done_page


def _describe_rejection(errors: UploadErrors) -> str:
    details = "; ".join(
        (
            _("row %(row)s, %(field)s: %(message)s")
            % {"row": error.row, "field": error.field or "—", "message": error.message}
        )
        if error.row
        else error.message
        for error in errors.shown[:ERRORS_IN_MESSAGE]
    )
    more = errors.total - min(errors.total, ERRORS_IN_MESSAGE)
    if more:
        details += " " + _("…and %(more)s more.") % {"more": more}
    return f"{describe_errors(errors)} {details}"


def _announce(request, result: HubImport, challenge: Challenge) -> None:
    if challenge.kind == Challenge.Kind.PREFERENCES:
        stored = result.report.stored
        messages.success(
            request,
            ngettext("%(count)s prompt was stored.", "%(count)s prompts were stored.", stored)
            % {"count": stored},
        )
    else:
        announce_upload(request, result.report)
    # The items have no field for where they came from: the message says it.
    messages.info(
        request,
        _("Read from %(repo)s at commit %(sha)s (%(files)s).")
        % {"repo": result.repo_id, "sha": result.sha[:12], "files": ", ".join(result.files)},
    )
