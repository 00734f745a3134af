"""The "next item" pages with 500,000 contributions stored: the stereotype validator, the BLEND
question to answer, the BLEND answer to validate and the arena prompt to validate. For each,
server time and SQL queries in-process (the same count at any data size), then requests per
second and latency under 50 concurrent clients with gunicorn on PostgreSQL (wrk), in rounds
alternating with the trivial view (``common.compare_with_trivial``)."""

from __future__ import annotations

from common import (
    Gunicorn,
    arguments,
    compare_with_trivial,
    measure_view,
    report,
    seed,
    use_database,
)

PAGES = {
    "stereotypes": "/stereotypes/{stereotypes}/",
    "blend_answer": "/blend/{blend}/",
    "blend_validate": "/blend/{blend}/validate/",
    "prompt_validate": "/preferences/{preferences}/validate/",
}


def pick_person(edition):
    """A seeded participant in a team, with a country that has BLEND questions and consent given."""
    from accounts.models import Profile
    from challenges.blend.models import BlendQuestion
    from challenges.stereotypes.models import StereotypeConsent
    from teams.models import Membership

    countries = BlendQuestion.objects.filter(challenge__edition=edition).values("country")
    consented = StereotypeConsent.objects.filter(challenge__edition=edition).values("user_id")
    in_team = Membership.objects.filter(edition=edition).values("user_id")
    profile = (
        Profile.objects.filter(country__in=countries, user_id__in=consented)
        .filter(user_id__in=in_team)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    return profile.user


def main() -> None:
    args = arguments(__doc__, seconds=5, rounds=3, connections=50)
    use_database(args)
    figures = {
        "scale": {"participants": args.participants, "teams": args.teams, "items": args.items}
    }
    figures.update(seed(args))

    from django.conf import settings
    from django.test import Client

    from challenges.intake import REGISTRY
    from challenges.models import Edition

    edition = Edition.objects.current()
    figures["stored_contributions"] = sum(
        intake.model.objects.count() for intake in REGISTRY.values()
    )
    slugs = dict(edition.challenges.values_list("kind", "slug"))
    person = pick_person(edition)
    client = Client()
    client.force_login(person)
    urls = {name: path.format(**slugs) for name, path in PAGES.items()}
    for name, url in urls.items():
        figures[name] = measure_view(client, url, repeat=20)

    # The cookies the person's browser holds after those pages: the session and the CSRF
    # cookie (without it, every page would make a new CSRF secret and set it).
    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME} <= client.cookies.keys()
    headers = {
        "Cookie": "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    }
    with Gunicorn(workers=2) as server:
        figures.update(
            compare_with_trivial(
                server.base,
                {name: (url, headers) for name, url in urls.items()},
                rounds=args.rounds,
                seconds=args.seconds,
                connections=args.connections,
            )
        )
    report("intake_pages", figures)


if __name__ == "__main__":
    main()
