"""The notifications pages: permissions per role, the bell, the list and the outbox (query
counts with 1 and 3 items), every form's bad input, and the unsubscribe link."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from notifications.domain import notify, set_policy, unsubscribe_token
from notifications.models import Campaign, Email, EmailSettings, Kind, KindPolicy, Notification
from teams.models import Membership
from tests.factories import make_team
from tests.notifications.conftest import release_and_send

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_team", "judge", "organizer"]
LOGIN = "login"
PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {role: 200 for role in ROLES} | {"anonymous": LOGIN}
SIGNED_IN_ACTION = {role: 302 for role in ROLES} | {"anonymous": LOGIN}
STAFF = {"anonymous": LOGIN, "participant": 403, "other_team": 403, "judge": 403, "organizer": 200}
STAFF_ACTION = STAFF | {"organizer": 302}
GRANT = {"team": "Bajo prueba", "grant": "gpu"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

MATRIX = [
    ("get", "/notifications/", SIGNED_IN),
    ("post", "/notifications/{notification}/read/", SIGNED_IN_ACTION),
    ("post", "/notifications/read-all/", SIGNED_IN_ACTION),
    ("get", "/notifications/preferences/", SIGNED_IN),
    ("post", "/notifications/preferences/", SIGNED_IN_ACTION),
    ("get", "/notifications/unsubscribe/{token}/", PUBLIC),
    ("get", "/organize/outbox/", STAFF),
    ("get", "/organize/outbox/{email}/", STAFF),
    ("post", "/organize/outbox/send/", STAFF_ACTION),
    ("post", "/organize/outbox/policy/", STAFF_ACTION),
    ("get", "/organize/outbox/compose/", STAFF),
    ("post", "/organize/outbox/compose/", STAFF),  # incomplete: the form again
]


@pytest.fixture
def world(edition, organizer, judge):
    team = make_team(edition=edition, members=2, name="Bajo prueba")
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    other = make_team(edition=edition, members=1, name="Otro").memberships.get().user
    set_policy(kind=Kind.GRANT, hold=True)
    (notification,) = notify(user_ids=[captain.pk], kind=Kind.GRANT, params=GRANT)
    release_and_send()
    people = {
        "anonymous": None,
        "participant": captain,
        "other_team": other,
        "judge": judge,
        "organizer": organizer,
    }
    names = {
        "notification": notification.pk,
        "email": Email.objects.get().pk,
        "token": unsubscribe_token(user_id=captain.pk, kind=Kind.GRANT),
    }
    return people, names


@pytest.mark.parametrize(
    ("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _e in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, method, path, expected, role):
    people, names = world
    if people[role] is not None:
        client.force_login(people[role])
    response = getattr(client, method)(path.format(**names))
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == want


def test_nobody_else_reads_or_marks_a_persons_notifications(client, world):
    people, names = world
    client.force_login(people["other_team"])
    assert "Bajo prueba" not in client.get("/notifications/", **EN).content.decode()
    client.post(f"/notifications/{names['notification']}/read/")
    client.post("/notifications/read-all/")
    assert Notification.objects.get().read_at is None
    client.force_login(people["participant"])
    client.post(f"/notifications/{names['notification']}/read/")
    assert Notification.objects.get().read_at is not None


def test_the_bell_shows_the_unread_count(client, world):
    people, _names = world
    captain = people["participant"]
    notify(user_ids=[captain.pk], kind=Kind.GRANT, params={"team": "Bajo prueba"})
    client.force_login(captain)
    page = client.get("/", **EN).content.decode()
    assert '<span class="unread-count" title="Unread">2</span>' in page
    client.post("/notifications/read-all/")
    assert "unread-count" not in client.get("/", **EN).content.decode()


def bell(client) -> str:
    page = client.get("/", **EN).content.decode()
    start = page.find('<span class="unread-count"')
    return page[start : page.index("</span>", start)].rsplit(">", 1)[1] if start >= 0 else ""


def test_the_remembered_bell_sees_every_change_on_the_next_page(
    client, world, remembered, django_assert_num_queries
):
    """The unread count is remembered between pages (no query of the notifications), and a
    new notification, one read or all read show on the very next page."""
    people, names = world
    captain = people["participant"]
    client.force_login(captain)
    assert bell(client) == "1"
    with CaptureQueriesContext(connection) as queries:
        assert bell(client) == "1"
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]

    notify(user_ids=[captain.pk, people["other_team"].pk], kind=Kind.GRANT, params=GRANT)
    assert bell(client) == "2"
    client.post(f"/notifications/{names['notification']}/read/")
    assert bell(client) == "1"
    client.post("/notifications/read-all/")
    assert bell(client) == ""
    notify(user_ids=[captain.pk], kind=Kind.GRANT, params=GRANT)
    assert bell(client) == "1"


def test_the_list_marks_unread_and_links(client, world):
    people, _names = world
    client.force_login(people["participant"])
    page = client.get("/notifications/", **EN).content.decode()
    assert "Your team “Bajo prueba” was granted a GPU." in page and "Mark as read" in page


def queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, **EN).status_code == 200
    return len(queries)


def test_the_notifications_list_costs_the_same_for_1_and_3(client, participant):
    client.force_login(participant)
    notify(user_ids=[participant.pk], kind=Kind.GRANT, params=GRANT)
    one = queries_for(client, "/notifications/")
    notify(user_ids=[participant.pk], kind=Kind.MEMBERSHIP, params={"team": "T", "person": "P"})
    notify(user_ids=[participant.pk], kind=Kind.CAPTAINCY, params={"team": "T", "person": "P"})
    assert Notification.objects.count() == 3
    assert queries_for(client, "/notifications/") == one


def test_the_outbox_costs_the_same_for_1_and_3(client, edition, organizer):
    team = make_team(edition=edition, members=3)
    users = [m.user_id for m in team.memberships.all()]
    set_policy(kind=Kind.GRANT, hold=True)
    client.force_login(organizer)
    notify(user_ids=users[:1], kind=Kind.GRANT, params=GRANT)
    release_and_send()
    one = queries_for(client, "/organize/outbox/")
    notify(user_ids=users[1:], kind=Kind.GRANT, params=GRANT)
    release_and_send()
    assert Email.objects.filter(state=Email.State.DRAFT).count() == 3
    assert queries_for(client, "/organize/outbox/") == one


# --- forms: bad input says why and changes nothing ------------------------------------------


def test_preferences_refuse_an_unknown_language_or_kind(client, participant):
    client.force_login(participant)
    for data in (
        {"language": "fr"},
        {"language": "es", "emailed": ["decision"]},
        {"emailed": ["martians"]},
    ):
        response = client.post("/notifications/preferences/", data, **EN)
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()
    assert not EmailSettings.objects.exists()


def test_preferences_save_the_kinds_left_out(client, participant):
    client.force_login(participant)
    response = client.post(
        "/notifications/preferences/", {"language": "pt", "emailed": ["grant"]}, **EN
    )
    assert response.status_code == 302
    row = EmailSettings.objects.get(user=participant)
    assert row.language == "pt" and "grant" not in row.muted and "membership" in row.muted
    assert "decision" not in row.muted


def test_editing_a_held_email_needs_a_subject(client, world):
    people, names = world
    client.force_login(people["organizer"])
    before = Email.objects.get().subject
    response = client.post(
        f"/organize/outbox/{names['email']}/", {"subject": "", "body": "x"}, **EN
    )
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert Email.objects.get().subject == before


def test_editing_and_sending_a_held_email_from_the_outbox(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    people, names = world
    client.force_login(people["organizer"])
    client.post(f"/organize/outbox/{names['email']}/", {"subject": "¡GPU!", "body": "Disfrútenla."})
    assert Email.objects.get().edited
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/organize/outbox/send/", {"all_held": "1"}, **EN)
    assert response.status_code == 302
    assert [(m.subject, m.body) for m in mailoutbox] == [("¡GPU!", "Disfrútenla.")]
    assert Email.objects.get().state == Email.State.SENT


def test_sending_with_nothing_selected_says_so(client, world):
    people, _names = world
    client.force_login(people["organizer"])
    response = client.post("/organize/outbox/send/", {"email": ["x"]}, follow=True, **EN)
    assert "Select at least one email." in response.content.decode()
    assert Email.objects.get().state == Email.State.DRAFT


def test_the_policy_refuses_an_unknown_kind(client, world):
    people, _names = world
    client.force_login(people["organizer"])
    response = client.post("/organize/outbox/policy/", {"held": ["martians"]}, follow=True, **EN)
    assert "Select a valid choice." in response.content.decode()
    assert list(KindPolicy.objects.values_list("kind", "hold")) == [("grant", True)]


def test_the_policy_holds_and_releases_kinds(client, world):
    people, _names = world
    client.force_login(people["organizer"])
    client.post("/organize/outbox/policy/", {"held": ["decision"]})
    assert set(KindPolicy.objects.filter(hold=True).values_list("kind", flat=True)) == {"decision"}


COMPOSE = {
    "segment": "everyone",
    "subject_es": "Hola",
    "body_es": "Mensaje",
    "subject_pt": "Olá",
    "body_pt": "Mensagem",
    "subject_en": "Hello",
    "body_en": "Message",
}


def test_compose_previews_the_recipients_then_holds(client, world):
    people, _names = world
    client.force_login(people["organizer"])
    response = client.post("/organize/outbox/compose/", {**COMPOSE, "action": "preview"}, **EN)
    assert "3 recipients" in response.content.decode()
    assert not Campaign.objects.exists()
    response = client.post("/organize/outbox/compose/", {**COMPOSE, "action": "hold"})
    assert response.status_code == 302
    assert Email.objects.filter(campaign__isnull=False, state=Email.State.DRAFT).count() == 3


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"subject_pt": ""}, "This field is required."),
        ({"segment": "country"}, "Choose a country."),
        ({"segment": "contributors"}, "Choose a challenge of this edition."),
        ({"segment": "martians"}, "Select a valid choice."),
        ({"country": "XX", "segment": "country"}, "Select a valid choice."),
        ({"body_en": "   "}, "This field is required."),
    ],
)
def test_compose_refuses_bad_input(client, world, change, error):
    people, _names = world
    client.force_login(people["organizer"])
    response = client.post(
        "/organize/outbox/compose/", {**COMPOSE, **change, "action": "hold"}, **EN
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert not Campaign.objects.exists()


def test_compose_says_when_nobody_is_in_the_segment(client, world):
    people, _names = world
    client.force_login(people["organizer"])
    response = client.post(
        "/organize/outbox/compose/",
        {**COMPOSE, "segment": "country", "country": "BR", "action": "hold"},
        **EN,
    )
    assert "Nobody is in this segment." in response.content.decode()
    assert not Campaign.objects.exists()


# --- unsubscribe ---------------------------------------------------------------------------


def test_the_link_asks_then_one_click_unsubscribes_without_login(world):
    people, names = world
    browser = Client(enforce_csrf_checks=True)
    path = f"/notifications/unsubscribe/{names['token']}/"
    page = browser.get(path, **EN)
    assert "Stop receiving" in page.content.decode()
    assert not EmailSettings.objects.filter(muted__contains=["grant"]).exists()  # GET: nothing
    # As a mail client does (RFC 8058): a POST with this body, no cookie, no CSRF token.
    response = browser.post(path, {"List-Unsubscribe": "One-Click"}, **EN)
    assert response.status_code == 200 and "Done" in response.content.decode()
    assert EmailSettings.objects.get(user=people["participant"]).muted == ["grant"]


def test_a_forged_or_altered_link_does_nothing(world):
    people, names = world
    browser = Client(enforce_csrf_checks=True)
    for token in ("nonsense", names["token"][:-2] + "xx"):
        response = browser.post(f"/notifications/unsubscribe/{token}/", **EN)
        assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not EmailSettings.objects.exists()


def test_decisions_cannot_be_unsubscribed(world):
    people, _names = world
    token = unsubscribe_token(user_id=people["participant"].pk, kind=Kind.DECISION)
    response = Client().post(f"/notifications/unsubscribe/{token}/", **EN)
    assert "always sent by email" in response.content.decode()
    assert not EmailSettings.objects.exists()
