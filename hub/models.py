"""What the Hub sync knows about the organization's repositories, and each sync run."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RepoType(models.TextChoices):
    MODEL = "model", _("model")
    DATASET = "dataset", _("dataset")
    SPACE = "space", _("Space")


class HubRepo(models.Model):
    """One repository of the edition's Hub organization, as last seen by the sync."""

    edition = models.ForeignKey(
        "challenges.Edition",
        on_delete=models.CASCADE,
        related_name="hub_repos",
        verbose_name=_("edition"),
    )
    repo_type = models.CharField(_("type"), max_length=10, choices=RepoType.choices)
    repo_id = models.CharField(_("repository"), max_length=200)
    private = models.BooleanField(_("private"), default=False)
    # The Hub answers False, "auto" or "manual".
    gated = models.CharField(_("gated"), max_length=10, blank=True)
    sha = models.CharField(_("commit"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created on the Hub"), null=True, blank=True)
    last_modified = models.DateTimeField(_("last modified on the Hub"), null=True, blank=True)
    likes = models.PositiveIntegerField(_("likes"), default=0)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    card = models.JSONField(_("card metadata"), default=dict, blank=True)
    sdk = models.CharField(_("SDK"), max_length=40, blank=True)
    runtime_stage = models.CharField(_("runtime stage"), max_length=40, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("Hub repository")
        verbose_name_plural = _("Hub repositories")
        ordering = ["-last_modified", "repo_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "repo_type", "repo_id"], name="unique_hub_repo_per_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.repo_type}:{self.repo_id}"


class SyncRun(models.Model):
    """One run of the Hub sync, with what it counted and the errors it met."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    edition = models.ForeignKey(
        "challenges.Edition",
        on_delete=models.CASCADE,
        related_name="hub_sync_runs",
        verbose_name=_("edition"),
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    seen = models.PositiveIntegerField(_("repositories seen"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    http_requests = models.PositiveIntegerField(_("HTTP requests"), default=0)
    members_verified = models.PositiveIntegerField(_("members verified"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("Hub sync run")
        verbose_name_plural = _("Hub sync runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.edition_id} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    def counts(self) -> dict:
        return {
            "seen": self.seen,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "http_requests": self.http_requests,
            "members_verified": self.members_verified,
        }
