"""What the Hub sync knows about the organization's repositories, and each sync run."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from challenges.intake import get_intake
from hub.checks import describe_link


class RepoType(models.TextChoices):
    MODEL = "model", _("model")
    DATASET = "dataset", _("dataset")
    SPACE = "space", _("Space")


class LinkStatus(models.TextChoices):
    NONE = "none", _("not linked")
    DECLARED = "declared", _("declared by the team")
    PROPOSED = "proposed", _("proposed from the commit authors")
    CONFIRMED = "confirmed", _("confirmed by an organizer")
    CONFLICT = "conflict", _("conflict: organizers decide")


class HubRepoQuerySet(models.QuerySet):
    def needing_details(self):
        return (
            self.exclude(sha="")
            .exclude(details_sha=models.F("sha"))
            .filter(missing_since__isnull=True)
        )

    def for_team(self, team):
        """A team's repositories for its pages, without the heavy detail fields."""
        return (
            self.filter(team=team)
            .defer("readme", "files", "commits", "card")
            .order_by("repo_type", "repo_id")
        )


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
    # Details, fetched only when the commit changed: details_sha is the commit they describe, so
    # a repository whose details_sha differs from sha still needs them (a sync killed halfway
    # leaves exactly those, and the next run completes them).
    details_sha = models.CharField(_("details of commit"), max_length=64, blank=True)
    files = models.JSONField(_("files"), default=list, blank=True)
    readme = models.TextField(_("card (README.md)"), blank=True)
    # Newest first: {"id", "title", "authors", "date"} (ISO 8601, UTC).
    commits = models.JSONField(_("commits"), default=list, blank=True)
    details_error = models.TextField(_("error while reading the details"), blank=True)
    # Set when a full listing no longer shows the repository (deleted, renamed or hidden).
    missing_since = models.DateTimeField(_("missing from the Hub since"), null=True, blank=True)
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hub_repos",
        verbose_name=_("team"),
    )
    link_status = models.CharField(
        _("link to a team"), max_length=10, choices=LinkStatus.choices, default=LinkStatus.NONE
    )
    # Why the link is what it is, for organizers: an organizer's reason for their decision
    # (their words), or the sync's reason in no language (hub.checks.describe_link), turned
    # into a sentence in the reader's language when shown.
    link_note = models.CharField(_("link note"), max_length=300, blank=True)
    link_reason = models.JSONField(_("link reason"), default=dict, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = HubRepoQuerySet.as_manager()

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

    @property
    def link_explanation(self) -> str:
        """Why the link is what it is, in the active language."""
        return self.link_note or describe_link(self.link_reason)

    @property
    def name(self) -> str:
        return self.repo_id.partition("/")[2]

    @property
    def hub_url(self) -> str:
        prefix = {RepoType.MODEL: "", RepoType.DATASET: "datasets/", RepoType.SPACE: "spaces/"}
        return f"https://huggingface.co/{prefix[self.repo_type]}{self.repo_id}"


class SyncRun(models.Model):
    """One run of the Hub sync, with what it counted and the errors it met."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
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
    # The run's lease: renewed at every progress save. A run whose lease is older than
    # HUB_SYNC_LEASE_SECONDS was cut off (a worker killed), and the next run takes over.
    heartbeat_at = models.DateTimeField(_("last active"), null=True, blank=True)
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
    # The Hub limits its API (/api/...) and its file resolver (/resolve/) apart: counted apart.
    api_requests = models.PositiveIntegerField(_("API requests"), default=0)
    resolver_requests = models.PositiveIntegerField(_("file downloads"), default=0)
    members_verified = models.PositiveIntegerField(_("members verified"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # Progress of the details phase: repositories done of those whose commit changed.
    details_total = models.PositiveIntegerField(_("details to fetch"), default=0)
    details_done = models.PositiveIntegerField(_("details fetched"), default=0)
    missing = models.PositiveIntegerField(_("missing from the Hub"), default=0)
    # A full listing reads every page (and so notices deleted repositories); an incremental
    # one stops at the first repository the previous run already saw.
    full_listing = models.BooleanField(_("full listing"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )

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
            "api_requests": self.api_requests,
            "resolver_requests": self.resolver_requests,
            "members_verified": self.members_verified,
            "details_fetched": self.details_done,
            "missing": self.missing,
        }

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class PublishedDataset(models.Model):
    """One publication of a collected dataset: to a dataset repo of the organization, or to a
    local folder when no Hub token is configured. Organizers queue it from their page and a
    Celery task publishes it (``status``); the command publishes at once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("publishing")
        DONE = "done", _("published")
        FAILED = "failed", _("failed")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        PRIVATE = "private", _("private (members of the organization)")
        GATED = "gated", _("gated (public, access on request)")

    edition = models.ForeignKey(
        "challenges.Edition",
        on_delete=models.CASCADE,
        related_name="published_datasets",
        verbose_name=_("edition"),
    )
    # The challenge kind whose contributions were published (its Intake's publication).
    kind = models.CharField(_("dataset"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DONE
    )
    # "org/name" on the Hub, or the folder written to.
    target = models.CharField(_("published to"), max_length=500, blank=True)
    on_hub = models.BooleanField(_("on the Hub"), default=False)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # The language of the dataset card's text (the data keeps its own languages).
    language = models.CharField(
        _("card language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    commit = models.CharField(_("commit"), max_length=64, blank=True)
    # Why a queued publication failed, said without the token.
    error = models.TextField(_("error"), blank=True)
    # A digest of the files written: a republish whose files are the same uploads nothing.
    content_hash = models.CharField(_("content digest"), max_length=64, blank=True)
    unchanged = models.BooleanField(_("nothing changed since the last publication"), default=False)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("published dataset")
        verbose_name_plural = _("published datasets")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.target}"

    @property
    def label(self):
        """The dataset in words, as its challenge kind names it."""
        intake = get_intake(self.kind)
        publication = intake.publication if intake else None
        return publication.label if publication else self.kind

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class PersonalDataHit(models.Model):
    """Something in a row about to be published that looks like personal data (an email, a
    phone number, a participant's name or username), found by ``hub.personal_data``. Organizers
    decide: redact it in the published copy, exclude the row, or keep it (a false positive).
    A dataset is not published while one of its hits is pending. ``matched`` is the text as
    written, kept to redact it; pages show it masked."""

    class MatchKind(models.TextChoices):
        EMAIL = "email", _("email address")
        PHONE = "phone", _("phone number")
        NAME = "name", _("participant's name")
        USERNAME = "username", _("participant's username")

    class Decision(models.TextChoices):
        PENDING = "pending", _("pending")
        REDACT = "redact", _("redact it")
        EXCLUDE = "exclude", _("exclude the row")
        KEEP = "keep", _("keep it (not personal data)")

    edition = models.ForeignKey(
        "challenges.Edition",
        on_delete=models.CASCADE,
        related_name="personal_data_hits",
        verbose_name=_("edition"),
    )
    kind = models.CharField(_("dataset"), max_length=20)
    # The contribution's pk (its row's id is challenges.provenance.row_id of it).
    item_id = models.PositiveBigIntegerField(_("item"))
    field = models.CharField(_("field"), max_length=60)
    matched = models.CharField(_("matched"), max_length=300)
    match_kind = models.CharField(_("kind of match"), max_length=10, choices=MatchKind.choices)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    found_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal data found")
        verbose_name_plural = _("personal data found")
        ordering = ["kind", "item_id", "field", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "kind", "item_id", "field", "matched"],
                name="one_hit_per_match",
            )
        ]
        indexes = [models.Index(fields=["edition", "kind", "decision"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id} {self.field}"


class PersonalDataScan(models.Model):
    """One scan of every dataset of an edition for personal data (``hub.personal_data``),
    queued by organizers and run by a Celery task, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    edition = models.ForeignKey(
        "challenges.Edition",
        on_delete=models.CASCADE,
        related_name="personal_data_scans",
        verbose_name=_("edition"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    datasets_total = models.PositiveIntegerField(_("datasets to scan"), default=0)
    datasets_done = models.PositiveIntegerField(_("datasets scanned"), default=0)
    rows_scanned = models.PositiveIntegerField(_("rows scanned"), default=0)
    found = models.PositiveIntegerField(_("matches found"), default=0)
    pending = models.PositiveIntegerField(_("matches waiting for a decision"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # Renewed at every progress save: a scan silent for too long was cut off (its worker died).
    heartbeat_at = models.DateTimeField(_("last active"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal-data scan")
        verbose_name_plural = _("personal-data scans")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["edition", "status"], name="hub_scan_status_idx")]

    def __str__(self) -> str:
        return f"{self.edition_id} · {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
