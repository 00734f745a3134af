"""How preference prompts plug into the platform: review queue, progress, exports, the shared
preference dataset (its DPO, KTO and prompts forms beside it) as published, imports of
prompts from the Hub, and the credits gate (validated prompts; the quiz passed by every member who submitted prompts)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from challenges.domain import ensure_window_open
from challenges.intake import (
    Amendment,
    Column,
    CountGate,
    DatasetForm,
    Importer,
    Intake,
    MemberGate,
    Publication,
    Uploader,
    no_person_rules,
)
from challenges.models import Challenge, ContributionStatus
from challenges.uploads import read_text
from challenges.views.uploads import announce_prompts_stored, announce_upload_notes

from .domain.arena import ArenaImportReport, import_arena_votes
from .domain.batching import BATCH_SIZE
from .domain.dataset import (
    DPO_COLUMNS,
    KTO_COLUMNS,
    PROMPTS_FORM_COLUMNS,
    SHARED_COLUMNS,
    dpo_preference_rows,
    kto_preference_rows,
    prompt_rows,
    shared_preference_rows,
)
from .domain.prompts import (
    describe_prompt_refusal,
    edit_prompt,
    import_prompt_records,
    import_prompts,
)
from .domain.quiz import count_members_without_quiz, ensure_quiz_passed, load_quiz_table
from .domain.shared_import import import_shared_preferences, is_shared_shape
from .domain.validation import PEER_VALIDATION
from .forms import PromptForm
from .models import Prompt
from .views import announce_arena_votes

EXPORT_FIELDS = [
    "id", "country", "language", "system_prompt", "prompt", "topic", "source", "status",
    "approvals", "rejections", "author_id",
]  # fmt: skip


def export_prompt_rows(challenge: Challenge) -> Iterator[dict]:
    """Every prompt of the challenge for the organizers' exports: the author by id only."""
    rows = (
        Prompt.objects.filter(challenge=challenge)
        .order_by("pk")
        .values(
            "pk",
            "country",
            "language",
            "system_prompt",
            "text",
            "topic",
            "source",
            "status",
            "approvals",
            "rejections",
            "author_id",
        )  # fmt: skip
        .iterator(chunk_size=BATCH_SIZE)
    )
    for row in rows:
        row["id"] = row.pop("pk")
        row["prompt"] = row.pop("text")
        yield row


def _columns(names: list[str], **types: str) -> dict[str, str]:
    return {name: types.get(name, "string") for name in names}


PUBLICATION = Publication(
    label=_("validated preferences"),
    published=lambda prompts: prompts.filter(status=ContributionStatus.VALIDATED),
    forms=[
        DatasetForm(
            name="default",
            columns=_columns(SHARED_COLUMNS),
            rows=lambda challenge: shared_preference_rows(challenge=challenge),
        ),
        DatasetForm(
            name="dpo",
            columns=_columns(DPO_COLUMNS),
            rows=lambda challenge: dpo_preference_rows(challenge=challenge),
        ),
        DatasetForm(
            name="kto",
            columns=_columns(KTO_COLUMNS, label="bool"),
            rows=lambda challenge: kto_preference_rows(challenge=challenge),
        ),
        DatasetForm(
            name="prompts",
            columns=_columns(PROMPTS_FORM_COLUMNS),
            rows=lambda challenge: prompt_rows(challenge=challenge),
        ),
    ],
    summary=_(
        "Prompts that test whether a language model's answers are culturally adequate for a "
        "country, with the answers of two anonymous models in an arena and the vote of the "
        "person who asked: the answer preferred (chosen) and the other (rejected), both good, "
        "or both bad."
    ),
    validation_rule=_(
        "Only prompts validated by participants of other teams are included (well designed "
        "and culturally anchored). Each prompt is judged by its latest arena vote that chose "
        "an answer, else its latest vote. The default config (the 2025 shape: country, "
        "system_prompt, question, chosen, rejected) and the dpo config hold the prompts whose "
        "vote chose an answer; when most validators would not keep the chosen answer and one "
        "wrote a better one, that answer replaces chosen (validation: improved). The kto "
        "config gives a vote that chose one true and one false row, a vote for both answers "
        "two true rows, and a vote against both two false rows. The prompts config lists "
        "every validated prompt. No row has an empty answer."
    ),
    task_categories=["text-generation"],
    # People wrote the prompts and voted; models wrote the answers.
    language_creators=["crowdsourced", "machine-generated"],
    limitations=_(
        "The prompts reflect the participants' own countries and concerns; chosen and "
        "rejected are the preference of one vote between two models' answers, and the "
        "answers may hold errors of the models that wrote them."
    ),
    uses=_(
        "Evaluating whether models answer in a culturally adequate way, and aligning them "
        "with preference methods: DPO (the dpo config) or KTO (the kto config)."
    ),
    out_of_scope=_(
        "Treating a chosen answer as verified facts, or one vote as the preference of a whole "
        "country."
    ),
)


def check_import(*, challenge, user, target=None, now=None) -> None:
    """Prompts come from the Hub as from a file: while the challenge is open for the person,
    after the quiz."""
    ensure_window_open(challenge=challenge, user=user, now=now)
    ensure_quiz_passed(challenge=challenge, user=user)


def store_import(*, challenge, user, target=None, rows, now=None):
    return import_prompt_records(challenge=challenge, author=user, rows=rows, now=now)


def announce_prompts_import(request, report) -> None:
    announce_prompts_stored(request, report.stored)
    announce_upload_notes(request, report)


IMPORTER = Importer(
    check=check_import,
    store=store_import,
    announce=announce_prompts_import,
    form_page=lambda challenge, target: ("preferences:upload", {"slug": challenge.slug}),
    done_page=lambda challenge, target: ("preferences:home", {"slug": challenge.slug}),
)


def store_upload_file(*, challenge, user, target=None, upload, progress=None):
    return import_prompts(
        challenge=challenge,
        author=user,
        text=read_text(upload),
        filename=upload.name,
        progress=progress,
    )


UPLOADER = Uploader(
    check=check_import,
    store=store_upload_file,
    announce=IMPORTER.announce,
    form_page=IMPORTER.form_page,
)


def store_vote_log(*, challenge, user, target=None, upload, progress=None):
    """The organizers' file: the arena's vote log, or a dataset in the shared 2025 shape."""
    text = read_text(upload)
    if is_shared_shape(text, filename=upload.name):
        return import_shared_preferences(
            challenge=challenge, text=text, filename=upload.name, by=user, progress=progress
        )
    return import_arena_votes(
        challenge=challenge,
        text=text,
        filename=upload.name,
        by=user,
        progress=progress,
    )


# The organizers' upload: the arena's vote log (or a dataset in the shared shape).
ARENA_UPLOADER = Uploader(
    check=no_person_rules,
    store=store_vote_log,
    announce=announce_arena_votes,
    form_page=lambda challenge, target: ("preferences:arena_upload", {"slug": challenge.slug}),
    report_as_data=ArenaImportReport.as_dict,
    report_from_data=ArenaImportReport.from_dict,
)

GATES = [
    CountGate(
        key="prompts",
        label=_("Validated prompts"),
        setting="validated_prompts",
        default=100,
    ),
    MemberGate(
        key="quiz",
        label=_("Every member who submitted prompts passed the quiz"),
        shortfall=lambda challenge, team_ids: count_members_without_quiz(
            challenge=challenge, team_ids=team_ids
        ),
        describe=lambda count: (
            ngettext(
                "%(count)s member has not passed it", "%(count)s members have not passed it", count
            )
            % {"count": count}
        ),
    ),
]


def prompt_edit_form(data, prompt: Prompt) -> PromptForm:
    """The form of a new prompt, filled with the prompt's values."""
    return PromptForm(
        data,
        initial={
            "country": prompt.country.code if prompt.country else None,
            "language": prompt.language,
            "system_prompt": prompt.system_prompt,
            "text": prompt.text,
            "topic": prompt.topic,
        },
    )


AMENDMENT = Amendment(form=prompt_edit_form, edit=edit_prompt, refusal=describe_prompt_refusal)


def build_intake() -> Intake:
    return Intake(
        kind=Challenge.Kind.PREFERENCES,
        model=Prompt,
        counted_label=_("validated prompts"),
        organize_url="preferences:arena_upload",
        participate_url="preferences:home",
        review_columns=[
            Column(_("Country"), lambda prompt: prompt.country.name if prompt.country else ""),
            Column(_("Language"), lambda prompt: prompt.get_language_display()),
            Column(_("System prompt"), lambda prompt: prompt.system_prompt),
            Column(_("Prompt"), lambda prompt: prompt.text),
            Column(_("Topic"), lambda prompt: prompt.topic),
            Column(_("Approvals"), lambda prompt: prompt.approvals),
            Column(_("Rejections"), lambda prompt: prompt.rejections),
            Column(_("Source"), lambda prompt: prompt.get_source_display()),
        ],
        export_fields=EXPORT_FIELDS,
        export_rows=export_prompt_rows,
        review_related=[],
        country_lookup="country",
        language_lookup="language",
        publication=PUBLICATION,
        marks_possible_duplicates=True,
        importer=IMPORTER,
        uploader=UPLOADER,
        organizer_uploader=ARENA_UPLOADER,
        gates=GATES,
        peer_validation=PEER_VALIDATION,
        edition_tables={"quiz": load_quiz_table},
        search_lookups=["text", "system_prompt", "topic"],
        amendment=AMENDMENT,
    )
