"""The state of the edition's last whole-edition recompute, polled by the organize page."""

from django.shortcuts import render

from accounts.decorators import organizer_required
from challenges.shortcuts import require_edition
from scoring.domain import latest_recompute


@organizer_required
def recompute_progress(request):
    edition = require_edition(request)
    return render(
        request,
        "challenges/organize.html#recompute_progress",
        {"recompute": latest_recompute(edition=edition)},
    )
