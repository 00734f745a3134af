import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.domain.guides import COMMENT_MAX as GUIDE_COMMENT_MAX
from challenges.models import ContributionStatus
from teams.models import Team

DECISIONS = [
    (ContributionStatus.VALIDATED, _("Accept")),
    (ContributionStatus.REJECTED, _("Reject")),
    (ContributionStatus.INVALIDATED, _("Invalidate")),
    (ContributionStatus.PENDING, _("Back to pending")),
]


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any"))] + list(ContributionStatus.choices),
    )
    country = forms.CharField(label=_("Country code"), required=False, max_length=60)
    language = forms.CharField(label=_("Language code"), required=False, max_length=10)
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())
    person = forms.CharField(label=_("Person"), required=False, max_length=100)

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = (
            Team.objects.filter(edition=edition).only("pk", "name").order_by("name")
        )


class DecisionForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Items"))
    status = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id: the domain function only touches items of this challenge.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()


class RejectDuplicatesForm(forms.Form):
    """Every pending item marked as a possible duplicate, rejected with one reason."""

    reason = forms.CharField(label=_("Reason"), max_length=500)


class ExtendWindowForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("New close"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the edition's time zone."),
    )
    team = forms.ModelChoiceField(
        label=_("Only for this team"),
        required=False,
        queryset=Team.objects.none(),
        empty_label=_("Everyone"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, challenge, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge = challenge
        self.fields["team"].queryset = Team.objects.filter(edition=challenge.edition).order_by(
            "name"
        )

    def clean_closes_at(self) -> dt.datetime:
        value = self.cleaned_data["closes_at"]
        # The organizer types the moment in the edition's time zone.
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        typed = str(self.data.get(self.add_prefix("closes_at"), "")).strip()
        if typed and not re.search(r"[T ]\d", typed):
            # A day alone closes at its end, as every deadline does: 23:59:59.
            naive = naive.replace(hour=23, minute=59, second=59, microsecond=0)
        return naive.replace(tzinfo=self.challenge.edition.zone)


class ConfirmedActionForm(forms.Form):
    """An action that cannot be undone with one click (removing a member, handing captaincy
    over, granting credits or a GPU): a reason, kept with it, and an explicit confirmation."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        error_messages={"required": _("Say why: the reason is kept with the change.")},
    )
    confirm = forms.BooleanField(
        label=_("I confirm"),
        error_messages={"required": _("Tick “I confirm” to go ahead.")},
    )

    def refusal(self) -> str:
        """Every problem of the form in one sentence, for a message."""
        return " ".join(str(m) for messages in self.errors.values() for m in messages)


class VoidValidationsForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    confirm = forms.BooleanField(
        label=_("I understand that every vote of this person in this challenge stops counting."),
    )


class GuideFeedbackForm(forms.Form):
    """Anonymous feedback on a guide: how useful it was, and what to improve."""

    rating = forms.TypedChoiceField(
        label=_("How useful was it?"),
        coerce=int,
        choices=[
            (1, _("1 — not useful")),
            (2, "2"),
            (3, "3"),
            (4, "4"),
            (5, _("5 — very useful")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What would you improve? (optional)"),
        required=False,
        max_length=GUIDE_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Anonymous: your account is not stored with it. Leave out your name."),
    )
