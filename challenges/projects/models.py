"""What a team declares as its final project: repos in the Hub organization, demo, video, paper."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

VIDEO_MAX_SECONDS = 5 * 60
PAPER_MAX_BYTES = 20 * 1024 * 1024


class ProjectSubmission(models.Model):
    team = models.OneToOneField(
        "teams.Team", on_delete=models.CASCADE, related_name="project", verbose_name=_("team")
    )
    model_repos = models.JSONField(_("model repositories"), default=list, blank=True)
    dataset_repos = models.JSONField(_("dataset repositories"), default=list, blank=True)
    demo_space = models.CharField(_("demo Space"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    video_seconds = models.PositiveIntegerField(_("video length (seconds)"), null=True, blank=True)
    paper_url = models.URLField(_("paper link"), blank=True)
    paper_file = models.FileField(_("paper (PDF)"), upload_to="papers/%Y/", blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("updated by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("project submission")
        verbose_name_plural = _("project submissions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(video_seconds__isnull=True)
                | models.Q(video_seconds__lte=VIDEO_MAX_SECONDS),
                name="project_video_at_most_five_minutes",
            ),
        ]

    def __str__(self) -> str:
        return str(self.team)
