"""An edition of the hackathon and its challenges, kept as data that organizers edit."""

from __future__ import annotations

import secrets
import uuid
import zoneinfo
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from challenges.licences import validate_contribution_license
from challenges.models.translated import CONTENT_LANGUAGES, pick_translation  # noqa: F401 -- also read from here
from challenges.rules import find_scoring_problems

QUORUM_MESSAGE = _("At least one peer decision is needed: write a whole number of 1 or more.")


def new_dataset_salt() -> str:
    """A fresh secret for an edition's contributor keys (``challenges.provenance``)."""
    return secrets.token_hex(32)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def validate_scoring(value) -> None:
    """Scoring parameters the rules can read (``challenges.rules.find_scoring_problems``)."""
    problems = find_scoring_problems(scoring=value)
    if problems:
        raise ValidationError(problems)


class EditionQuerySet(models.QuerySet):
    def current(self) -> Edition | None:
        """The edition the site shows: the one marked current, else the newest."""
        return self.order_by("-is_current", "-created_at").first()


class Edition(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    tagline_es = models.CharField(_("tagline (Spanish)"), max_length=300, blank=True)
    tagline_pt = models.CharField(_("tagline (Portuguese)"), max_length=300, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=300, blank=True)
    hub_organization = models.CharField(_("Hugging Face organization"), max_length=96)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Etc/GMT+12",
        validators=[validate_time_zone],
        help_text=_("Deadlines are end of day in this zone. Anywhere on Earth is Etc/GMT+12."),
    )
    time_zone_label = models.CharField(_("time zone label"), max_length=40, default="AoE")
    team_min_size = models.PositiveSmallIntegerField(
        _("minimum team size"), default=1, validators=[MinValueValidator(1)]
    )
    team_max_size = models.PositiveSmallIntegerField(
        _("maximum team size"), default=5, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    team_deadline = models.DateTimeField(
        _("team deadline"),
        help_text=_("After it no team is created and no member joins or leaves."),
    )
    max_total_points = models.DecimalField(
        _("maximum total points"), max_digits=6, decimal_places=2, default=Decimal("10")
    )
    judged_points_published = models.BooleanField(
        _("judged points published"),
        default=False,
        help_text=_("Until then the public leaderboard shows only the automatic points."),
    )
    gates = models.JSONField(
        _("gates"),
        default=dict,
        blank=True,
        help_text=_("What unlocks credits and prizes; read by the scoring rules."),
    )
    awards = models.JSONField(
        _("awards"),
        default=list,
        blank=True,
        help_text=_(
            "Prizes that are not points (GPU time, credits...), each with the challenge it "
            "rewards, how many teams win it and what a team needs to receive it."
        ),
    )
    discord_url = models.URLField(_("Discord invitation"), blank=True)
    hub_join_url = models.URLField(_("Hub organization invitation"), blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=40)
    consent_text_es = models.TextField(_("consent text (Spanish)"))
    consent_text_pt = models.TextField(_("consent text (Portuguese)"), blank=True)
    consent_text_en = models.TextField(_("consent text (English)"), blank=True)
    contribution_license = models.CharField(
        _("licence of the contributions"),
        max_length=40,
        default="apache-2.0",
        validators=[validate_contribution_license],
        help_text=_(
            "The Hub licence id the contributions are published under (INCLUDE questions keep "
            "their exam's); name it in the consent text."
        ),
    )
    citation = models.TextField(
        _("citation"), blank=True, help_text=_("BibTeX for the published datasets' cards.")
    )
    contact = models.CharField(
        _("contact"),
        max_length=200,
        blank=True,
        help_text=_("An email or a page for questions about the published datasets."),
    )
    is_current = models.BooleanField(_("current edition"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The secret behind the published datasets' contributor keys: generated once, never shown
    # (not editable, not in the edition file), so keys cannot be recomputed from author ids.
    dataset_salt = models.CharField(max_length=64, default=new_dataset_salt, editable=False)

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_edition"
            ),
            models.CheckConstraint(
                condition=Q(team_min_size__lte=models.F("team_max_size")),
                name="team_min_size_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tagline(self) -> str:
        return pick_translation(self, "tagline")

    @property
    def consent_text(self) -> str:
        return pick_translation(self, "consent_text")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ChallengeQuerySet(models.QuerySet):
    def judged(self) -> ChallengeQuerySet:
        """Challenges judged with a rubric: those with criteria (``scoring.Criterion``)."""
        return self.filter(criteria__isnull=False).distinct()


class Challenge(models.Model):
    class Kind(models.TextChoices):
        INCLUDE = "include", _("INCLUDE exams")
        STEREOTYPES = "stereotypes", _("Stereotypes")
        BLEND = "blend", _("BLEND cultural questions")
        PREFERENCES = "preferences", _("Preference dataset (LLM arena)")
        ALIGNMENT = "alignment", _("Alignment")
        DEMO = "demo", _("Demo Space")
        VIDEO = "video", _("Video")
        PAPER = "paper", _("Paper")

    class Category(models.TextChoices):
        MINI = "mini", _("Mini challenge")
        MAIN = "main", _("Main challenge")
        DELIVERABLE = "deliverable", _("Project deliverable")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="challenges", verbose_name=_("edition")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_pt = models.CharField(_("title (Portuguese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_pt = models.TextField(_("description (Portuguese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(
        _("closes"), null=True, blank=True, help_text=_("Empty when the window has no end.")
    )
    announced_closes_at = models.DateTimeField(
        _("first announced close"),
        null=True,
        blank=True,
        help_text=_("The close first announced; a later close shows the window as extended."),
    )
    max_points = models.DecimalField(
        _("maximum points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    scoring = models.JSONField(
        _("scoring parameters"),
        default=dict,
        blank=True,
        help_text=_("How points are earned; read by the scoring rules."),
        validators=[validate_scoring],
    )
    required_for_prizes = models.BooleanField(_("required for prizes"), default=False)
    # The peer-validation quorum, as two typed fields rather than keys of ``scoring``: they say
    # how contributions are decided, not how points are earned, so the database and the admin's
    # number inputs keep them whole numbers of 1 or more, and the validation code reads them
    # without parsing. Read only by challenges whose kind peers validate
    # (``challenges.domain.peer_validation``); a change re-decides the pending contributions.
    approvals_to_validate = models.PositiveSmallIntegerField(
        _("approvals to validate"),
        default=1,
        validators=[MinValueValidator(1, message=QUORUM_MESSAGE)],
        help_text=_("Peer approvals after which a contribution of this challenge is validated."),
    )
    rejections_to_reject = models.PositiveSmallIntegerField(
        _("rejections to reject"),
        default=1,
        validators=[MinValueValidator(1, message=QUORUM_MESSAGE)],
        help_text=_("Peer rejections after which a contribution of this challenge is rejected."),
    )

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["edition", "position", "opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="unique_challenge_slug"),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="challenge_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(max_points__gte=0), name="challenge_points_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(approvals_to_validate__gte=1) & Q(rejections_to_reject__gte=1),
                name="challenge_quorum_at_least_one",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick_translation(self, "title")

    @property
    def record_label(self) -> str:
        # Change records name the challenge the same way whatever the reader's language.
        return self.title_es or self.slug

    @property
    def description(self) -> str:
        return pick_translation(self, "description")


class ChangeRecord(models.Model):
    """One field of an edition or challenge changed: what, old and new value, when, by whom."""

    class Source(models.TextChoices):
        EDITION_FILE = "edition_file", _("Edition file")
        ADMIN = "admin", _("Admin")
        ORGANIZER = "organizer", _("Organizer action")
        PARTICIPANT = "participant", _("Author of a contribution")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="changes", verbose_name=_("edition")
    )
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("object id"))
    object_label = models.CharField(_("object"), max_length=200)
    field = models.CharField(_("field"), max_length=60)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="change_object_idx")]

    def __str__(self) -> str:
        return f"{self.object_label}.{self.field}: {self.old_value} → {self.new_value}"

    # Fields of the edition file that are no model field, in words.
    FILE_FIELD_LABELS = {
        "data_files": _("data files"),
        "questions_as_written": _("questions"),
    }

    @property
    def field_label(self) -> str:
        """The changed field as the admin names it ("closes" rather than ``closes_at``)."""
        if self.field in self.FILE_FIELD_LABELS:
            return str(self.FILE_FIELD_LABELS[self.field])
        try:
            model = apps.get_model(self.object_type)
            return str(model._meta.get_field(self.field).verbose_name)
        except (LookupError, ValueError, FieldDoesNotExist):
            return self.field


class WindowExtension(models.Model):
    """An organizer moved a challenge's close, for everyone or for one team, with a reason."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("challenge")
    )
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="window_extensions",
        verbose_name=_("team"),
        help_text=_("Empty: the extension is for everyone."),
    )
    closes_at = models.DateTimeField(_("closes"))
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("extended by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("window extension")
        verbose_name_plural = _("window extensions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.challenge.record_label} → {self.closes_at:%Y-%m-%d %H:%M}"


class ContributionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    VALIDATED = "validated", _("Validated")
    REJECTED = "rejected", _("Rejected")
    INVALIDATED = "invalidated", _("Invalidated")


# Only these count for points; drafts, pending, rejected and invalidated never do.
COUNTED_STATUSES = (ContributionStatus.VALIDATED,)


class Contribution(models.Model):
    """What a person contributed to a challenge. It belongs to its author, so a team's count is
    the sum of its current members' counts, whenever they made them."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("author"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ContributionStatus.choices,
        default=ContributionStatus.PENDING,
    )
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ReviewDecision(models.Model):
    """One decision on one contribution: the history organizers and authors read."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("challenge")
    )
    item_type = models.CharField(_("item type"), max_length=60)
    item_id = models.PositiveBigIntegerField(_("item id"))
    status = models.CharField(_("decision"), max_length=12, choices=ContributionStatus.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["item_type", "item_id"], name="decision_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_type}#{self.item_id}: {self.status}"


def upload_path(upload: Upload, filename: str) -> str:
    # Under MEDIA_ROOT/uploads/, which no URL serves: the file is read by the check only.
    return f"uploads/{upload.challenge_id}/{uuid.uuid4().hex}.data"


class Upload(models.Model):
    """A file uploaded to a challenge (in 2025: INCLUDE questions into an exam, prompts; by
    organizers: the arena's vote log, BLEND questions, the stereotype pool), or a dataset of the
    Hub organization to import, kept until a Celery task has checked and stored it
    (``challenges.domain.uploads``); its page follows the check and then says what it stored or
    why nothing was stored."""

    class Channel(models.TextChoices):
        """How it came, which says which of the kind's uploaders stores it
        (``challenges.intake.UPLOAD_CHANNELS``)."""

        PARTICIPANTS = "participants", _("a participant's file")
        # Only organizers send these and see their pages; no per-person limit.
        ORGANIZERS = "organizers", _("an organizers' file")
        # The file kept is the repository's id: the task fetches the dataset it names.
        HUB = "hub", _("a dataset of the Hub")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        CHECKING = "checking", _("checking")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    ACTIVE = (Status.QUEUED, Status.CHECKING)

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="uploads", verbose_name=_("challenge")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="uploads",
        verbose_name=_("uploaded by"),
    )
    # Where the rows go when the kind has such a thing (an INCLUDE exam): its id, which the
    # kind's Intake resolves (``Uploader.find_target``).
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    channel = models.CharField(
        _("sent as"), max_length=20, choices=Channel.choices, default=Channel.PARTICIPANTS
    )
    file = models.FileField(_("file"), upload_to=upload_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # When done: the UploadReport as data; when refused: the errors shown (row, field,
    # message) and their total, or the one refusal of the rules (``refusal``).
    report = models.JSONField(null=True, blank=True)
    errors = models.JSONField(null=True, blank=True)
    refusal = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        indexes = [models.Index(fields=["uploaded_by", "created_at"], name="upload_by_person")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class HashIndexOnPostgreSQL(models.Index):
    """An index of one column that is a hash index on PostgreSQL (a B-tree elsewhere): for
    lookups by equality only, of values that spread over the whole index, where each insert
    costs a B-tree a descent through pages in random order and a hash index one bucket."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            using = " USING hash"
        return super().create_sql(model, schema_editor, using=using, **kwargs)


class NearDuplicateBand(models.Model):
    """One band of one item's MinHash signature (``challenges.near_duplicates``): items of a
    challenge sharing a band hash are candidate near-duplicates. Kept here, not in memory, so
    that every process reads and adds to the same index, one upload at a time.

    An upload adds a row per band of each new item (280,000 for 20,000 questions), so each
    row costs as little to write as the lookups allow: no surrogate key (the item and band
    are the key, which finds an item's entries too) and one index besides, a hash index of
    the band hashes (``HashIndexOnPostgreSQL``); the challenge and the item type are checked
    on the few rows found. The upload's rows cost PostgreSQL a third of what they did with an
    ``id`` and B-tree indexes of (challenge, item type, band hash) and (item type, item id).
    """

    # The item's id first: its entries are found (to index it again) by (item id, type), and
    # an upload's items come in the order of their ids, so its keys are appended.
    pk = models.CompositePrimaryKey("item_id", "band", "item_type")
    # No foreign key constraint in the database: each of an upload's 280,000 rows was checked
    # against its challenge at the commit (a fifth of the database's share of the upload).
    # The index is derived data, written only by ``index_items`` for an existing challenge,
    # and a challenge deleted takes its rows along (Django's cascade).
    challenge = models.ForeignKey(
        Challenge,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("challenge"),
        db_index=False,
        db_constraint=False,
    )
    item_type = models.CharField(_("item type"), max_length=60)
    item_id = models.PositiveBigIntegerField(_("item id"))
    band = models.PositiveSmallIntegerField(_("band"))
    # The band's values (and the item's scope, e.g. a BLEND question's country), digested.
    band_hash = models.BigIntegerField(_("band hash"))

    class Meta:
        verbose_name = _("near-duplicate index entry")
        verbose_name_plural = _("near-duplicate index entries")
        indexes = [
            # The lookup of an upload's band hashes (``near_duplicates.candidate_ids``).
            HashIndexOnPostgreSQL(fields=["band_hash"], name="near_duplicate_hash_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_type}#{self.item_id} band {self.band}"


# Each challenge's guides and their anonymous feedback (a module of their own).
from challenges.models.guides import Guide, GuideFeedback  # noqa: E402, F401 -- the app's models, defined after Challenge
