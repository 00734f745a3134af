"""The "next item" pages (rate a pair, answer a BLEND question, validate a BLEND answer, validate
a prompt): at most 6 queries once the request's remembered lookups are warm, the same with 1 and
3 past contributions and items; what they remember is read again on the next request after a
change; and validators asking at once are offered different items."""

import datetime as dt
import re
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from accounts.models import Profile
from accounts.roles import ORGANIZERS, ensure_role_groups
from challenges.blend import domain as blend
from challenges.blend.models import BlendAnswer
from challenges.domain.peer_validation import HOLD_CANDIDATES, offer_item
from challenges.models import WindowExtension
from challenges.preferences import domain as preferences
from challenges.stereotypes.models import StereotypeConsentText, StereotypeProfile
from hackathon import memo
from tests.challenges.blend.factories import (
    BlendAnswerFactory,
    BlendChallengeFactory,
    BlendQuestionFactory,
    BlendValidationFactory,
)
from tests.challenges.preferences.factories import (
    PreferencesChallengeFactory,
    PromptFactory,
    PromptValidationFactory,
)
from tests.challenges.stereotypes.factories import (
    PairFactory,
    RatingFactory,
    StereotypesChallengeFactory,
    make_ready,
)
from tests.factories import EditionFactory, MembershipFactory, UserFactory, make_team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("remembered")]

MAX_QUERIES = 6


def with_country(user, country="PE"):
    profile = Profile.objects.get(user=user)
    profile.country = country
    profile.save()  # through save(): the remembered countries are forgotten
    return user


def member(edition, country="PE"):
    return with_country(make_team(edition=edition, members=1).memberships.get().user, country)


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        fetch(client, url)
    return len(captured)


def check_constant(client, url, add_two):
    """Warm, then the page's queries with 1 past contribution and item, and with 3: the same,
    and at most MAX_QUERIES."""
    fetch(client, url)
    one = count_queries(client, url)
    add_two()
    three = count_queries(client, url)
    assert one == three
    assert three <= MAX_QUERIES


# --- query counts ---------------------------------------------------------------------------


def test_rating_pairs(client, edition):
    challenge = StereotypesChallengeFactory(edition=edition)
    rater = member(edition)
    make_ready(rater, challenge)

    def add(count):
        for pair in PairFactory.create_batch(count, challenge=challenge):
            RatingFactory(pair=pair, author=rater)
        PairFactory.create_batch(count, challenge=challenge)

    add(1)
    client.force_login(rater)
    check_constant(client, f"/stereotypes/{challenge.slug}/", lambda: add(2))


def test_answering_questions(client, edition):
    challenge = BlendChallengeFactory(edition=edition, slug="blend")
    person = member(edition)

    def add(count):
        for _ in range(count):
            BlendAnswerFactory(question__challenge=challenge, author=person)
            BlendQuestionFactory(challenge=challenge)

    add(1)
    client.force_login(person)
    response = fetch(client, "/blend/blend/")
    assert response.context["question"] is not None
    check_constant(client, "/blend/blend/", lambda: add(2))


def test_validating_answers(client, edition):
    challenge = BlendChallengeFactory(edition=edition, slug="blend")
    validator = member(edition)

    def add(count):
        for _ in range(count):
            BlendValidationFactory(answer__question__challenge=challenge, validator=validator)
            BlendAnswerFactory(question__challenge=challenge, author=member(edition))
            # answers the queue leaves out: the validator's own
            BlendAnswerFactory(question__challenge=challenge, author=validator)

    add(1)
    client.force_login(validator)
    assert fetch(client, "/blend/blend/validate/").context["answer"] is not None
    check_constant(client, "/blend/blend/validate/", lambda: add(2))


def test_validating_prompts(client, edition):
    challenge = PreferencesChallengeFactory(edition=edition)
    validator = member(edition)
    url = f"/preferences/{challenge.slug}/validate/"

    def add(count):
        for _ in range(count):
            PromptValidationFactory(prompt__challenge=challenge, validator=validator)
            PromptFactory(challenge=challenge, author=member(edition))
            PromptFactory(challenge=challenge, author=validator)

    add(1)
    client.force_login(validator)
    assert fetch(client, url).context["prompt"] is not None
    check_constant(client, url, lambda: add(2))


# --- a change is read on the next request ----------------------------------------------------


def test_a_closed_window_is_seen_at_once(client, edition):
    challenge = BlendChallengeFactory(edition=edition, slug="blend")
    BlendAnswerFactory(question__challenge=challenge)
    validator = member(edition)
    client.force_login(validator)
    assert fetch(client, "/blend/blend/validate/").context["answer"] is not None
    challenge.closes_at = timezone.now() - dt.timedelta(days=1)
    challenge.save()
    response = fetch(client, "/blend/blend/validate/")
    assert response.context["closed"] and response.context["answer"] is None


def test_a_teams_extension_is_seen_at_once(client, edition):
    challenge = BlendChallengeFactory(
        edition=edition, slug="blend", closes_at=timezone.now() - dt.timedelta(hours=1)
    )
    BlendAnswerFactory(question__challenge=challenge)
    validator = member(edition)
    client.force_login(validator)
    assert fetch(client, "/blend/blend/validate/").context["closed"]
    WindowExtension.objects.create(
        challenge=challenge,
        team=validator.memberships.get().team,
        closes_at=timezone.now() + dt.timedelta(days=1),
        reason="Se cayó la luz",
    )
    assert not fetch(client, "/blend/blend/validate/").context["closed"]


def test_joining_the_authors_team_is_seen_at_once(client, edition):
    challenge = BlendChallengeFactory(edition=edition, slug="blend")
    author = member(edition)
    answer = BlendAnswerFactory(question__challenge=challenge, author=author)
    validator = with_country(UserFactory())
    client.force_login(validator)
    assert fetch(client, "/blend/blend/validate/").context["answer"] == answer
    MembershipFactory(team=author.memberships.get().team, user=validator)
    assert fetch(client, "/blend/blend/validate/").context["answer"] is None


def test_a_new_country_is_seen_at_once(client, edition):
    challenge = BlendChallengeFactory(edition=edition, slug="blend")
    chilean = BlendAnswerFactory(
        question__challenge=challenge, question__country="CL", country="CL"
    )
    validator = member(edition, "PE")
    client.force_login(validator)
    assert fetch(client, "/blend/blend/validate/").context["answer"] is None
    with_country(validator, "CL")
    assert fetch(client, "/blend/blend/validate/").context["answer"] == chilean


def test_a_new_consent_version_and_new_languages_are_seen_at_once(client, edition):
    challenge = StereotypesChallengeFactory(edition=edition)
    rater = member(edition)
    make_ready(rater, challenge)
    portuguese = PairFactory(challenge=challenge, language="pt")
    client.force_login(rater)
    assert fetch(client, f"/stereotypes/{challenge.slug}/").context["state"].pair is None
    profile = StereotypeProfile.objects.get(user=rater, challenge=challenge)
    profile.languages = ["es", "pt"]
    profile.save()
    assert fetch(client, f"/stereotypes/{challenge.slug}/").context["state"].pair == portuguese
    StereotypeConsentText.objects.create(challenge=challenge, version="2", text_en="New text")
    response = client.get(f"/stereotypes/{challenge.slug}/")
    assert response.status_code == 302 and "/consent/" in response["Location"]


def test_becoming_an_organizer_and_a_renamed_edition_are_seen_at_once(client, edition):
    ensure_role_groups()
    challenge = BlendChallengeFactory(edition=edition, slug="blend")
    person = member(edition)
    client.force_login(person)
    page = fetch(client, "/blend/blend/").content.decode()
    assert "/organize/" not in page and "Hackathon de prueba" in page
    person.groups.add(Group.objects.get(name=ORGANIZERS))
    edition.name = "Hackatón renombrado"
    edition.save()
    page = fetch(client, f"/blend/{challenge.slug}/").content.decode()
    assert "/organize/" in page and "Hackatón renombrado" in page


def test_nothing_is_remembered_outside_a_request(edition, django_assert_num_queries):
    person = with_country(UserFactory())
    with django_assert_num_queries(1):
        assert blend.get_home_country(user=person) == "PE"
    with_country(person, "CL")
    with django_assert_num_queries(1):
        assert blend.get_home_country(user=person) == "CL"


def test_a_change_rolled_back_is_not_remembered(client, edition):
    """What a request reads of a scope it changed itself may be rolled back: not kept."""
    person = with_country(UserFactory())
    calls = []

    def read():
        calls.append(1)
        return Profile.objects.get(user=person).country

    state = memo._RequestState(type("Request", (), {"user": person})())
    token = memo._state.set(state)
    try:
        memo.remember("country", read, scope=memo.person_scope(person.pk))
        memo.remember("country", read, scope=memo.person_scope(person.pk))
        assert len(calls) == 1
        memo.forget(memo.person_scope(person.pk))
        memo.remember("country", read, scope=memo.person_scope(person.pk))
        memo.remember("country", read, scope=memo.person_scope(person.pk))
        assert len(calls) == 3
    finally:
        memo._state.reset(token)


# --- validators at once get different items ---------------------------------------------------


def test_two_validators_are_offered_different_prompts_and_each_keeps_theirs(edition):
    challenge = PreferencesChallengeFactory(
        edition=edition, approvals_to_validate=2, rejections_to_reject=2
    )
    first, second = (PromptFactory(challenge=challenge, author=member(edition)) for _ in "ab")
    one, two = member(edition), member(edition)
    assert preferences.next_prompt_to_validate(challenge=challenge, validator=one) == first
    assert preferences.next_prompt_to_validate(challenge=challenge, validator=two) == second
    # asking again offers the same one
    assert preferences.next_prompt_to_validate(challenge=challenge, validator=one) == first
    # once decided, the hold ends: the other is offered it next
    preferences.validate_prompt(
        challenge=challenge,
        prompt_id=first.pk,
        validator=one,
        well_designed=True,
        culturally_anchored=True,
    )
    assert preferences.next_prompt_to_validate(challenge=challenge, validator=one) == second
    three = member(edition)
    assert preferences.next_prompt_to_validate(challenge=challenge, validator=three) == first


def test_the_hold_never_offers_ones_own_or_teams_item(edition):
    challenge = BlendChallengeFactory(edition=edition, slug="blend")
    validator = member(edition)
    teammate = with_country(UserFactory())
    MembershipFactory(team=validator.memberships.get().team, user=teammate)
    BlendAnswerFactory(question__challenge=challenge, author=validator)
    BlendAnswerFactory(question__challenge=challenge, author=teammate)
    other = BlendAnswerFactory(question__challenge=challenge, author=member(edition))
    assert offer_item(BlendAnswer.objects.filter(pk=other.pk), validator=member(edition)) == other
    found = blend.find_next_answer_to_validate(
        challenge=challenge, validator=validator, country="PE"
    )
    assert found == other  # held by someone, but the only one allowed: shared


def test_when_every_candidate_is_held_the_first_is_shared(edition):
    challenge = PreferencesChallengeFactory(edition=edition)
    oldest = PromptFactory(challenge=challenge, author=member(edition))
    PromptFactory(challenge=challenge, author=member(edition))
    for _ in range(2):
        preferences.next_prompt_to_validate(challenge=challenge, validator=member(edition))
    assert HOLD_CANDIDATES >= 2
    assert preferences.next_prompt_to_validate(challenge=challenge, validator=member(edition)) == (
        oldest
    )


def _at_once(calls):
    """Run each call in its own thread (own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            with override("en"):
                results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_validators_asking_at_once_get_different_answers(need_postgres):
    edition = EditionFactory()
    challenge = BlendChallengeFactory(edition=edition)
    answers = {BlendAnswerFactory(question__challenge=challenge).pk for _ in range(3)}
    one, two = member(edition), member(edition)
    found = _at_once(
        [
            lambda person=person: blend.find_next_answer_to_validate(
                challenge=challenge, validator=person, country="PE"
            )
            for person in (one, two)
        ]
    )
    assert all(item is not None and item.pk in answers for item in found)
    assert found[0].pk != found[1].pk


@pytest.mark.django_db(transaction=True)
def test_two_validators_loading_the_page_at_once_get_different_prompts(need_postgres):
    edition = EditionFactory(is_current=True)
    challenge = PreferencesChallengeFactory(edition=edition)
    for _ in range(3):
        PromptFactory(challenge=challenge, author=member(edition))
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(member(edition))
        clients.append(client)
    url = f"/preferences/{challenge.slug}/validate/"
    responses = _at_once([lambda client=client: client.get(url) for client in clients])
    # From the pages themselves (two renders at once would mix their captured contexts).
    offered = [re.findall(r'name="prompt" value="(\d+)"', r.content.decode()) for r in responses]
    assert all(len(ids) == 1 for ids in offered)
    assert offered[0] != offered[1]


# --- what the pages keep (the "fragments" cache) ---------------------------------------------


@pytest.fixture
def fresh_fragments():
    from django.core.cache import caches

    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


@pytest.mark.usefixtures("fresh_fragments")
def test_the_kept_rating_fields_follow_the_language_and_the_first_region(client, edition):
    challenge = StereotypesChallengeFactory(edition=edition)
    PairFactory.create_batch(2, challenge=challenge)
    first, second = member(edition), member(edition)
    make_ready(first, challenge, regions=["Cusco"])
    make_ready(second, challenge, regions=["Arequipa"])
    url = f"/stereotypes/{challenge.slug}/"
    client.force_login(first)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How strongly are they associated in your region?" in english
    assert 'value="Cusco"' in english
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "How strongly" not in spanish and 'value="Cusco"' in spanish
    client.force_login(second)
    other = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="Arequipa"' in other and "Cusco" not in other
    # The pair's own id is written on each page, never kept.
    pairs = re.findall(r'name="pair" value="(\d+)"', english + other)
    assert len(pairs) == 2


@pytest.mark.usefixtures("fresh_fragments")
def test_a_sent_back_rating_shows_its_own_errors_not_the_kept_fields(client, edition):
    challenge = StereotypesChallengeFactory(edition=edition)
    pair = PairFactory(challenge=challenge)
    rater = member(edition)
    make_ready(rater, challenge)
    client.force_login(rater)
    client.get(f"/stereotypes/{challenge.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        f"/stereotypes/{challenge.slug}/rate/",
        {"pair": pair.pk, "action": "rate", "rating": "", "region": "x" * 500},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert 'id="rating-errors"' in page or "errorlist" in page
    assert "x" * 500 in page  # what was sent, not the kept empty field


@pytest.mark.usefixtures("fresh_fragments")
@pytest.mark.parametrize(
    "url",
    [
        "/stereotypes/{slug}/",
        "/blend/{slug}/",
        "/blend/{slug}/validate/",
        "/preferences/{slug}/validate/",
    ],
)
def test_the_kept_challenge_navigation_follows_the_role_and_the_title(client, edition, roles, url):
    factory = {
        "stereotypes": StereotypesChallengeFactory,
        "blend": BlendChallengeFactory,
        "preferences": PreferencesChallengeFactory,
    }[url.split("/")[1]]
    challenge = factory(edition=edition, slug="the-challenge", title_en="First title")
    url = url.format(slug=challenge.slug)
    participant, organizer = member(edition), member(edition)
    organizer.groups.add(roles[ORGANIZERS])
    if factory is StereotypesChallengeFactory:
        make_ready(participant, challenge)
        make_ready(organizer, challenge)
    review = f'href="/organize/{challenge.slug}/review/"'
    client.force_login(organizer)
    as_organizer = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.force_login(participant)
    as_participant = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    nav = 'class="actions"'
    assert nav in as_organizer and nav in as_participant
    organizer_only = {
        "stereotypes": "Pool of pairs",
        "blend": "Questions (organizers)",
        "preferences": "Arena votes",
    }[url.split("/")[1]]
    assert organizer_only in as_organizer and organizer_only not in as_participant
    assert review not in as_participant
    challenge.title_en = "Second title"
    challenge.save()
    # The kept top of the page (its breadcrumb, or its navigation) shows the new title.
    top = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode().split("<h1>")[0]
    assert "Second title" in top and "First title" not in top


@pytest.mark.usefixtures("fresh_fragments")
def test_a_draft_shows_its_own_answers_not_the_kept_empty_fields(client, edition):
    challenge = BlendChallengeFactory(edition=edition, slug="blend")
    person = member(edition)
    BlendQuestionFactory(challenge=challenge)
    client.force_login(person)
    empty = client.get("/blend/blend/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="answer_1"' in empty and "Chicha morada" not in empty
    draft = BlendAnswerFactory(
        question__challenge=challenge,
        author=person,
        status="draft",
        answer_1="Chicha morada",
    )
    page = client.get(
        f"/blend/blend/questions/{draft.question.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'value="Chicha morada"' in page


@pytest.mark.usefixtures("fresh_fragments")
def test_the_kept_prompt_fields_ask_about_the_chosen_answer_only_when_there_is_one(client, edition):
    from tests.challenges.preferences.factories import ArenaVoteFactory

    challenge = PreferencesChallengeFactory(edition=edition)
    validator = member(edition)
    plain = PromptFactory(challenge=challenge, author=member(edition))
    voted = PromptFactory(challenge=challenge, author=member(edition))
    ArenaVoteFactory(prompt=voted, challenge=challenge)
    url = f"/preferences/{challenge.slug}/validate/"
    client.force_login(validator)
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'name="prompt" value="{plain.pk}"' in first
    assert 'name="keep_chosen"' not in first
    second = client.get(f"{url}?after={plain.pk}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'name="prompt" value="{voted.pk}"' in second
    assert 'name="keep_chosen"' in second
