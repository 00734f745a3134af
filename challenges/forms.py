import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.domain.guides import COMMENT_MAX as GUIDE_COMMENT_MAX
from challenges.languages import country_name, language_name, named_choices
from challenges.models import ContributionStatus
from teams.models import Team

DECISIONS = [
    (ContributionStatus.VALIDATED, _("Accept")),
    (ContributionStatus.REJECTED, _("Reject")),
    (ContributionStatus.INVALIDATED, _("Invalidate")),
    (ContributionStatus.PENDING, _("Back to pending")),
]


class CodeChoiceField(forms.ChoiceField):
    """A choice among codes, taken whatever their case ("br" is Brazil's "BR")."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        for code, _label in self.choices:
            if str(code).lower() == value.lower():
                return str(code)
        return value


class ReviewFilterForm(forms.Form):
    """The review queue's filters: countries and languages by name, among those of the
    challenge's items; the kind's own group (INCLUDE: the exam) when it has one."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any"))] + list(ContributionStatus.choices),
    )
    country = CodeChoiceField(label=_("Country"), required=False)
    language = CodeChoiceField(label=_("Language"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.none(), empty_label=_("Any")
    )
    person = forms.CharField(label=_("Person"), required=False, max_length=100)
    author = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    item = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, challenge, intake, **kwargs):
        super().__init__(*args, **kwargs)
        self.intake = intake
        self.fields["team"].queryset = (
            Team.objects.filter(edition=challenge.edition_id).only("pk", "name").order_by("name")
        )
        any_choice = [("", _("Any"))]
        items = intake.model.objects.filter(challenge=challenge).order_by()
        if intake.country_lookup:
            codes = items.values_list(intake.country_lookup, flat=True).distinct()
            self.fields["country"].choices = any_choice + named_choices(codes, country_name)
        else:
            del self.fields["country"]
        if intake.language_lookup:
            codes = items.values_list(intake.language_lookup, flat=True).distinct()
            self.fields["language"].choices = any_choice + named_choices(codes, language_name)
        else:
            del self.fields["language"]
        group = intake.group_filter
        if group is not None:
            self.fields[group.name] = forms.TypedChoiceField(
                label=group.label,
                required=False,
                coerce=int,
                empty_value=None,
                choices=any_choice + [(pk, name) for pk, name in group.choices(challenge)],
            )
            # Shown beside the status, where an organizer looks for it first.
            self.order_fields(["status", group.name])

    def filters(self) -> dict:
        """The valid filters as plain values (the team by its id), for the domain."""
        data = self.cleaned_data
        group = self.intake.group_filter
        return {
            "status": data.get("status") or "",
            "country": data.get("country") or "",
            "language": data.get("language") or "",
            "group": data.get(group.name) if group is not None else None,
            "team": data["team"].pk if data.get("team") else None,
            "person": data.get("person") or "",
            "author": data.get("author"),
            "item": data.get("item"),
        }


class DecisionForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Items"))
    status = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id: the domain function only touches items of this challenge.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()


class MatchingDecisionForm(forms.Form):
    """One decision for every item the queue's filters match (confirmed on the next page)."""

    status = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class HeldDecisionForm(forms.Form):
    """The confirmation of a decision on every item matching the filters."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)


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
