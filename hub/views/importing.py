"""Participants' import of a team's dataset from the Hub organization: a thin view over
hub.importing, answering like the upload it stands beside (checked in the background; without a
broker, at once)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from challenges.domain import ContributionRefused
from challenges.domain.uploads import upload_errors, upload_report
from challenges.intake import Importer, importable_kinds
from challenges.models import Upload
from challenges.shortcuts import get_challenge
from challenges.tasks import check_without_broker, send_upload_check
from challenges.uploads import UploadRejected
from challenges.views.uploads import announce_upload_errors
from hub.forms import HubImportForm
from hub.importing import HubImport, get_importer, start_hub_import


def announce_hub_import(request, result: HubImport, *, importer: Importer) -> None:
    """The messages after an accepted import: the kind's, as after an upload, and where the
    records were read."""
    importer.announce(request, result.report)
    # The items have no field for where they came from: the message says it.
    messages.info(
        request,
        _("Read from %(repo)s at commit %(sha)s (%(files)s).")
        % {"repo": result.repo_id, "sha": result.sha[:12], "files": ", ".join(result.files)},
    )


@login_required
@require_POST
def import_dataset(request, slug: str):
    """Import a dataset of the organization into the challenge, with the permissions of its
    upload: the kind's importer finds the target (INCLUDE: one of the person's own exams,
    others' 404) and the domain refuses the rest (prompts before the quiz...). The import is
    checked in the background: its page follows it; without a broker, back to the page of the
    upload with what happened."""
    challenge = get_challenge(request, slug, importable_kinds())
    importer = get_importer(challenge)
    target = importer.find_target(request, challenge)
    name, kwargs = importer.form_page(challenge, target)
    form_page = redirect(name, **kwargs)
    form = HubImportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the id of a dataset of the organization."))
        return form_page
    try:
        sent = start_hub_import(
            challenge=challenge,
            user=request.user,
            repo_id=form.cleaned_data["repo_id"],
            target=target,
            enqueue=send_upload_check,
        )
    except UploadRejected as rejected:
        announce_upload_errors(request, rejected.errors)
        return form_page
    except ContributionRefused as error:
        messages.error(request, error.message)
        return form_page
    sent = check_without_broker(sent)
    if sent.is_active:  # a worker fetches and checks it: its page follows the import
        return redirect("challenges:upload", pk=sent.pk)
    if sent.status == Upload.Status.FAILED:
        errors = upload_errors(sent)
        if errors:
            announce_upload_errors(request, errors)
        else:
            messages.error(request, sent.refusal)
        return form_page
    announce_hub_import(request, upload_report(sent), importer=importer)
    name, kwargs = importer.done_page(challenge, target)
    return redirect(name, **kwargs)
