from django import forms
from django.utils.translation import gettext_lazy as _

from hub.models import LinkStatus, RepoType
from teams.models import Team

# The longest Hub repository id ("organization/name") the Hub accepts.
REPO_ID_MAX_LENGTH = 200


class HubImportForm(forms.Form):
    repo_id = forms.CharField(
        label=_("Dataset in the Hugging Face organization"),
        max_length=REPO_ID_MAX_LENGTH,
        help_text=_("Its id, such as organization/my-dataset."),
    )


class StartSyncForm(forms.Form):
    full = forms.BooleanField(
        label=_("Read every listing page"),
        required=False,
        help_text=_("Slower; notices deleted repositories. One runs every day anyway."),
    )


class RepoFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=REPO_ID_MAX_LENGTH)
    repo_type = forms.ChoiceField(label=_("Type"), required=False)
    link_status = forms.ChoiceField(label=_("Link to a team"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repo_type"].choices = [("", _("All")), *RepoType.choices]
        self.fields["link_status"].choices = [("", _("All")), *LinkStatus.choices]


class RepoLinkForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=None,
        required=False,
        empty_label=_("No team (let the sync decide again)"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(edition=edition).order_by("name")


class LateCommitFilterForm(forms.Form):
    challenge = forms.ChoiceField(label=_("Challenge"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, empty_label=_("All")
    )
    repo_type = forms.ChoiceField(label=_("Type"), required=False)

    def __init__(self, *args, edition, challenges, **kwargs):
        """`challenges`: the edition's challenges repositories serve, by kind."""
        super().__init__(*args, **kwargs)
        self.fields["challenge"].choices = [
            ("", _("All")),
            *((kind, challenge.title) for kind, challenge in challenges.items()),
        ]
        self.fields["team"].queryset = Team.objects.filter(edition=edition).order_by("name")
        self.fields["repo_type"].choices = [("", _("All")), *RepoType.choices]
