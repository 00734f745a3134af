from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.domain import build_checklist, has_consented, update_profile
from accounts.forms import ProfileForm
from accounts.models import Profile
from teams.domain import get_membership


@login_required
def profile(request):
    # The page works before any edition is loaded; `or None` because the lazy proxy never is.
    edition = request.edition or None
    instance = Profile.objects.filter(user=request.user).first()
    consented = edition is not None and has_consented(user=request.user, edition=edition)
    consent_needed = edition is not None and not consented
    form = ProfileForm(request.POST or None, instance=instance, consent_needed=consent_needed)
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in ProfileForm.Meta.fields}
        update_profile(
            user=request.user,
            edition=edition,
            values=values,
            accept_consent=bool(form.cleaned_data.get("accept_consent")),
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    checklist = None
    if edition is not None:
        checklist = build_checklist(
            user=request.user,
            edition=edition,
            membership=get_membership(user=request.user, edition=edition),
            consented=consented,
        )
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "checklist": checklist, "consented": consented},
        status=400 if form.errors else 200,
    )
