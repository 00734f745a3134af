import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import Consent, User
from teams.models import Membership, Team

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_edition_once(edition):
    call_command("seed_demo", teams=4, participants=10)
    call_command("seed_demo", teams=4, participants=10)
    assert User.objects.count() == 10
    assert Team.objects.count() == 4
    sizes = Team.objects.annotate(size=Count("memberships")).values_list("size", flat=True)
    assert all(edition.team_min_size <= size <= edition.team_max_size for size in sizes)
    assert Membership.objects.filter(role="captain").count() == 4
    assert Consent.objects.filter(version=edition.consent_version).count() == 10


def test_seed_demo_needs_an_edition(db):
    with pytest.raises(CommandError, match="load_edition"):
        call_command("seed_demo", teams=1, participants=1)


def test_seed_demo_spreads_items_over_the_challenges(db):
    from pathlib import Path

    from challenges.intake import REGISTRY

    edition_file = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"
    call_command("load_edition", str(edition_file))
    call_command("seed_demo", teams=3, participants=12, items=200)
    stored = {kind: intake.model.objects.count() for kind, intake in REGISTRY.items()}
    assert set(stored) == {"include", "stereotypes", "blend", "preferences"}
    assert all(count > 0 for count in stored.values()), stored
    assert sum(stored.values()) >= 180
    from scoring.models import TeamScore

    assert TeamScore.objects.exists()


def test_demo_people_can_sign_in_at_once(edition, client):
    call_command("seed_demo", teams=1, participants=2)
    response = client.post(
        "/accounts/login/", {"login": "demo-1@example.org", "password": "demo-participant"}
    )
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200


# What seed_demo made with bulk_create, before it loaded rows with COPY (hackathon.bulk): the
# same arguments and seed must still make the same data.
SHAPE_BEFORE_COPY = {
    "rows": {
        "account.EmailAddress": 16,
        "accounts.Consent": 16,
        "accounts.Profile": 16,
        "accounts.User": 16,
        "blend.BlendAnswer": 80,
        "blend.BlendQuestion": 240,
        "blend.BlendSkip": 12,
        "blend.BlendValidation": 43,
        "challenges.Challenge": 8,
        "challenges.Edition": 1,
        "challenges.ReviewDecision": 55,
        "include.Exam": 2,
        "include.ExamQuestion": 200,
        "preferences.ArenaVote": 6,
        "preferences.Prompt": 60,
        "preferences.PromptValidation": 6,
        "preferences.Quiz": 1,
        "preferences.QuizAttempt": 16,
        "preferences.QuizChoice": 11,
        "preferences.QuizQuestion": 4,
        "scoring.Criterion": 12,
        "scoring.ScoreChange": 12,
        "scoring.TeamScore": 12,
        "stereotypes.StereotypeConsent": 15,
        "stereotypes.StereotypeConsentText": 1,
        "stereotypes.StereotypePair": 60,
        "stereotypes.StereotypeProfile": 15,
        "stereotypes.StereotypeRating": 60,
        "teams.Membership": 15,
        "teams.Team": 4,
    },
    "statuses": {
        "blend": {"draft": 10, "invalidated": 4, "pending": 19, "rejected": 12, "validated": 35},
        "include": {"invalidated": 3, "pending": 88, "rejected": 19, "validated": 90},
        "preferences": {
            "draft": 4,
            "invalidated": 3,
            "pending": 25,
            "rejected": 4,
            "validated": 24,
        },
        "stereotypes": {"draft": 4, "invalidated": 6, "pending": 3, "rejected": 3, "validated": 44},
    },
    "team_sizes": {"1": 1, "4": 1, "5": 2},
    "tracks": {"A": 2, "B": 2},
}


def test_seed_demo_makes_the_same_data_as_before(db):
    from pathlib import Path

    from challenges.domain.editions import load_edition, read_edition_file
    from demo.shape import describe_seeded_data

    edition_file = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"
    # The edition as it was when the shape was recorded: without the question bank, the pool,
    # the quiz and the guides the file has since brought (seed_demo draws among what exists).
    data = read_edition_file(edition_file)
    for challenge in data["challenges"]:
        for key in ("data_files", "quiz", "guides"):
            challenge.pop(key, None)
    load_edition(data=data)
    call_command("seed_demo", teams=4, participants=16, items=400)
    assert describe_seeded_data() == SHAPE_BEFORE_COPY


def test_seeded_rows_point_at_each_other(db):
    """Rows loaded by COPY get their keys first: what points at them points at the right rows."""
    from pathlib import Path

    from challenges.blend.models import BlendAnswer, BlendValidation
    from challenges.include.models import ExamQuestion
    from challenges.models import ReviewDecision

    edition_file = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"
    call_command("load_edition", str(edition_file))
    call_command("seed_demo", teams=4, participants=16, items=400)
    question = ExamQuestion.objects.select_related("exam").first()
    assert (
        question.exam_name == question.exam.name and question.author_id == question.exam.author_id
    )
    decided = BlendAnswer.objects.filter(status="validated").values_list("pk", flat=True)
    assert set(
        ReviewDecision.objects.filter(
            item_type="blend.blendanswer", status="validated"
        ).values_list("item_id", flat=True)
    ) >= set(decided)
    validation = BlendValidation.objects.select_related("answer").first()
    assert validation.validator_id != validation.answer.author_id
    assert all(answer.created_at for answer in BlendAnswer.objects.all()[:5])
