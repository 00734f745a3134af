"""Participants' import of a team's dataset from the Hub organization: a thin view over
hub.importing, answering like the upload it stands beside."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from challenges.domain import ContributionRefused
from challenges.include.views import get_own_exam
from challenges.models import Challenge
from challenges.shortcuts import get_challenge
from challenges.uploads import UploadRejected
from challenges.views.uploads import (
    announce_prompts_stored,
    announce_upload,
    announce_upload_errors,
)
from hub.forms import HubImportForm
from hub.importing import IMPORTABLE_KINDS, HubImport, import_from_hub


@login_required
@require_POST
def import_dataset(request, slug: str):
    """Import a dataset of the organization into the challenge, with the permissions of its
    upload: INCLUDE into one of the person's own exams (others: 404), prompts after the quiz
    (the domain refuses otherwise). Back to the page of the upload, with what happened."""
    challenge = get_challenge(request, slug, IMPORTABLE_KINDS)
    exam = None
    if challenge.kind == Challenge.Kind.INCLUDE:
        pk = request.POST.get("exam", "")
        if not pk.isdigit():
            raise Http404
        exam = get_own_exam(request, challenge, int(pk))
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
        announce_upload_errors(request, rejected.errors)
        return form_page
    except ContributionRefused as error:
        messages.error(request, error.message)
        return form_page
    _announce(request, result)
    return done_page


def _announce(request, result: HubImport) -> None:
    if isinstance(result.report, int):
        announce_prompts_stored(request, result.report)
    else:
        announce_upload(request, result.report)
    # The items have no field for where they came from: the message says it.
    messages.info(
        request,
        _("Read from %(repo)s at commit %(sha)s (%(files)s).")
        % {"repo": result.repo_id, "sha": result.sha[:12], "files": ", ".join(result.files)},
    )
