"""Judged points stay hidden until published, on every page a team member or a visitor reaches.

The pages come from the URL resolver, so a page added later is rendered here too; only the
organizers', judges' and admin's pages are skipped, each with its reason, and the test checks
that a team member is indeed refused there.
"""

import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from challenges.models import Challenge
from hub.models import HubRepo
from scoring.disclosure import describe_change, describe_team_score
from scoring.judged import override_judged_points, submit_review
from scoring.models import Criterion, ScoreChange, TeamScore
from teams.models import Membership
from tests.challenges.blend.factories import BlendChallengeFactory, BlendQuestionFactory
from tests.challenges.include.factories import ExamFactory, IncludeChallengeFactory
from tests.challenges.preferences.factories import PreferencesChallengeFactory
from tests.challenges.stereotypes.factories import StereotypesChallengeFactory
from tests.factories import ChallengeFactory, make_team

pytestmark = pytest.mark.django_db
D = Decimal

JUDGED = "7.777"
REASON = "ZEBRA-REASON-42"
MARK = "6.66"  # one judge's mark of every criterion, before the override
# The judged value in every way a page may print it (English and Spanish decimals, rounded).
JUDGED_FORMS = ("7.777", "7,777", "7.78", "7,78")
MARK_FORMS = ("6.66", "6,66")

# Pages a team member or a visitor cannot reach, skipped with the reason; the test checks
# that a team member is refused on each of them.
SKIPPED_PREFIXES = {
    "admin/": "the admin site: organizers only",
    "organize/": "the organizers' pages (organizer_required)",
    "judging/": "the judges' pages (judge_required)",
}
SKIPPED_PARTS = {
    "/organize/": "a challenge's organizer pages (organizer_required)",
}
SKIPPED_ROUTES = {
    "blend/<slug:slug>/questions/": "the organizers' BLEND questions (organizer_required)",
    "blend/<slug:slug>/questions/upload/": "the organizers' BLEND question upload",
    "stereotypes/<slug:slug>/pool/": "the organizers' pool of pairs (organizer_required)",
    "stereotypes/<slug:slug>/pool/upload/": "the organizers' pool upload (organizer_required)",
    "stereotypes/<slug:slug>/invalidate/": "the organizers' invalidation (organizer_required)",
}


def skip_reason(route: str) -> str:
    for prefix, reason in SKIPPED_PREFIXES.items():
        if route.startswith(prefix):
            return reason
    for part, reason in SKIPPED_PARTS.items():
        if part in route:
            return reason
    return SKIPPED_ROUTES.get(route, "")


def every_route(resolver=None, prefix: str = "") -> list[str]:
    """Every URL pattern of the site as one route string ("teams/<int:pk>/score/")."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += every_route(entry, route)
        elif isinstance(entry, URLPattern):
            routes.append(route)
    return routes


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def paths_of(route: str, values: dict) -> list[str]:
    """The paths to request for a route: each parameter replaced by the world's value for it
    (a list of values gives a path for each)."""
    route = route.replace("^", "").replace("$", "")
    names = [a or b for a, b in PARAMETER.findall(route)]
    first = route.split("/", 1)[0]
    choices = [values.get((first, name), values.get(name, "x")) for name in names]
    paths = [route]
    for choice in choices:
        options = choice if isinstance(choice, list) else [choice]
        paths = [
            PARAMETER.sub(lambda _m, option=option: str(option), path, count=1)
            for path in paths
            for option in options
        ]
    return ["/" + path for path in paths]


@pytest.fixture
def world(edition, judge, organizer):
    judged = ChallengeFactory(
        edition=edition,
        slug="alineamiento",
        kind=Challenge.Kind.ALIGNMENT,
        category=Challenge.Category.MAIN,
        max_points=D(10),
        scoring={"rule": "judged"},
    )
    Criterion.objects.create(challenge=judged, label_en="Rigour", weight=D(1), position=1)
    include = IncludeChallengeFactory(edition=edition, slug="include")
    blend = BlendChallengeFactory(edition=edition, slug="blend")
    preferences = PreferencesChallengeFactory(edition=edition, slug="preferencias")
    stereotypes = StereotypesChallengeFactory(edition=edition, slug="estereotipos")
    team = make_team(edition=edition, members=2, name="Cebra")
    team.track = "A"
    team.save()
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    teammate = team.memberships.get(role=Membership.Role.MEMBER).user
    repo = HubRepo.objects.create(
        edition=edition, repo_type="model", repo_id="org/cebra", team=team, link_status="declared"
    )
    exam = ExamFactory(challenge=include, author=captain)
    question = BlendQuestionFactory(challenge=blend)
    values = {
        "slug": judged.slug,
        ("include", "slug"): include.slug,
        ("blend", "slug"): blend.slug,
        ("preferences", "slug"): preferences.slug,
        ("stereotypes", "slug"): stereotypes.slug,
        ("challenges", "slug"): [
            c.slug for c in (judged, include, blend, preferences, stereotypes)
        ],
        "pk": team.pk,
        ("hub", "pk"): repo.pk,
        ("include", "pk"): exam.pk,
        "question_id": question.pk,
        "answer_id": 1,
        "token": team.invite_token,
        "user_id": teammate.pk,
        "team_id": team.pk,
        "code": ["es", "en"],
    }
    return {
        "judged": judged,
        "team": team,
        "member": captain,
        "judge": judge,
        "organizer": organizer,
        "values": values,
    }


def judge_and_override(world, capture):
    with capture(execute=True):
        submit_review(
            challenge=world["judged"],
            team=world["team"],
            judge=world["judge"],
            marks={criterion.pk: D(MARK) for criterion in Criterion.objects.all()},
        )
    assert TeamScore.objects.get(team=world["team"]).judged_points == D(MARK)
    with capture(execute=True):
        override_judged_points(
            challenge=world["judged"],
            team=world["team"],
            points=D(JUDGED),
            reason=REASON,
            by=world["organizer"],
        )
    assert TeamScore.objects.get(team=world["team"]).judged_points == D(JUDGED)


def set_published(client, world, capture, published: bool):
    client.force_login(world["organizer"])
    with capture(execute=True):
        client.post("/organize/judged-points/", {"published": "1" if published else "0"})
    client.logout()


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def visit_every_page(client, world, person) -> dict[str, str]:
    """Every page the person (None: an anonymous visitor) may reach, rendered in English and
    Spanish (the leaderboard also as its htmx partial): path and language → body."""
    if person is None:
        client.logout()
    else:
        client.force_login(person)
    pages = {}
    for route in every_route():
        if skip_reason(route):
            continue
        for path in paths_of(route, world["values"]):
            for language in ("en", "es"):
                response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
                pages[f"{path} [{language}]"] = body_of(response)
                if response.status_code == 200 and language == "en":
                    partial = client.get(path, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="es")
                    pages[f"{path} [htmx]"] = body_of(partial)
    return pages


def leaks(pages: dict[str, str], needles) -> list[tuple[str, str]]:
    """Where a needle stands as a number of its own: not inside a longer one, such as the
    microseconds of a feed's timestamp (…T20:08:37.781234 holds "7.78")."""
    found = []
    for needle in needles:
        alone = re.compile(rf"(?<![\d.,]){re.escape(needle)}(?![\d])")
        found += [(page, needle) for page, body in pages.items() if alone.search(body)]
    return found


def test_the_skipped_pages_refuse_a_team_member(client, world):
    client.force_login(world["member"])
    skipped = [route for route in every_route() if skip_reason(route)]
    assert skipped, "the skip rules match nothing"
    for route in skipped:
        for path in paths_of(route, world["values"]):
            response = client.get(path)
            assert response.status_code != 200, f"{path} is open: {skip_reason(route)}?"


def test_no_page_shows_judged_points_or_the_reason_until_published(
    client, world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    judge_and_override(world, capture)
    team = world["team"]
    hidden = (*JUDGED_FORMS, *MARK_FORMS, REASON)

    for person in (world["member"], None):
        pages = visit_every_page(client, world, person)
        assert leaks(pages, hidden) == []
    # The pages that matter rendered (the test is not passing on error pages).
    client.force_login(world["member"])
    for path in (f"/teams/{team.pk}/score/", "/leaderboard/", "/leaderboard.json", "/team/"):
        assert client.get(path).status_code == 200, path

    set_published(client, world, capture, True)
    for person in (world["member"], None):
        pages = visit_every_page(client, world, person)
        assert leaks(pages, (REASON,)) == []
        assert "7.777" in pages["/leaderboard.json [en]"]
    member_pages = visit_every_page(client, world, world["member"])
    score_page = member_pages[f"/teams/{team.pk}/score/ [en]"]
    assert "<strong>7.777</strong>" in score_page
    assert "Adjusted by the organizers" in score_page

    set_published(client, world, capture, False)
    for person in (world["member"], None):
        pages = visit_every_page(client, world, person)
        assert leaks(pages, hidden) == []


def test_organizers_still_see_every_judged_value_and_reason(
    client, world, django_capture_on_commit_callbacks
):
    judge_and_override(world, django_capture_on_commit_callbacks)
    client.force_login(world["organizer"])
    page = client.get(f"/teams/{world['team'].pk}/score/", HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert "<strong>7.777</strong>" in body and REASON in body and "6.66" in body
    overview = client.get(f"/organize/judging/{world['judged'].slug}/").content.decode()
    assert REASON in overview


def test_held_back_a_change_shows_the_automatic_part_only(world):
    """A challenge with automatic and judged points: a change of both shows the automatic
    part alone; a change of the judged part alone is left out; published, all of it."""
    team, challenge = world["team"], world["judged"]
    ScoreChange.objects.create(
        team=team, challenge=challenge, old_counted=10, new_counted=20,
        old_points=D("2.5"), new_points=D("3.5"), old_automatic=D("0.5"), new_automatic=D("1.5"),
        cause=ScoreChange.Cause.CONTRIBUTIONS,
    )  # fmt: skip
    ScoreChange.objects.create(
        team=team, challenge=challenge, old_counted=20, new_counted=20,
        old_points=D("3.5"), new_points=D("4"), old_automatic=D("1.5"), new_automatic=D("1.5"),
        cause=ScoreChange.Cause.OVERRIDE, detail=REASON,
    )  # fmt: skip
    edition = challenge.edition
    held_back = describe_team_score(team=team, edition=edition, full=False, page_number="1")
    [line] = held_back.history.object_list
    assert (line.old_points, line.new_points) == (D("0.5"), D("1.5"))
    edition.judged_points_published = True
    published = describe_team_score(team=team, edition=edition, full=False, page_number="1")
    override, contributions = published.history.object_list
    assert (override.new_points, override.detail) == (D("4"), "")
    assert str(override.cause_label) == "Adjusted by the organizers"
    assert (contributions.old_points, contributions.new_points) == (D("2.5"), D("3.5"))
    full = describe_team_score(team=team, edition=edition, full=True, page_number="1")
    assert full.history.object_list[0].detail == REASON


def test_a_judged_change_that_also_moved_the_automatic_part_names_no_judged_cause(world):
    change = ScoreChange(
        team=world["team"], challenge=world["judged"], old_counted=1, new_counted=2,
        old_points=D("5"), new_points=D("6"), old_automatic=D("0"), new_automatic=D("1"),
        cause=ScoreChange.Cause.JUDGING, detail="Alineamiento",
    )  # fmt: skip
    line = describe_change(change=change, published=False)
    assert str(line.cause_label) == "Points recomputed" and line.detail == ""
    assert (line.old_points, line.new_points) == (D("0"), D("1"))


def test_publishing_and_holding_back_rewrite_the_public_points_at_once(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    """Without waiting for the worker's recompute: held back again, no stale public points."""
    from scoring import domain

    judge_and_override(world, django_capture_on_commit_callbacks)
    monkeypatch.setattr(domain, "request_edition_recompute", lambda **kwargs: None)
    monkeypatch.setattr("scoring.receivers.request_edition_recompute", lambda **kwargs: None)
    set_published(client, world, django_capture_on_commit_callbacks, True)
    assert TeamScore.objects.get(team=world["team"]).public_points == D(JUDGED)
    set_published(client, world, django_capture_on_commit_callbacks, False)
    assert TeamScore.objects.get(team=world["team"]).public_points == 0


def test_a_leak_is_found_as_a_number_of_its_own_not_inside_a_timestamp():
    pages = {"score": "<td>7,78</td>", "feed": "<updated>2026-12-01T20:08:37.781234Z</updated>"}
    assert leaks(pages, JUDGED_FORMS) == [("score", "7,78")]
    assert leaks({"text": "Judged: 7.777 points"}, JUDGED_FORMS) == [("text", "7.777")]
