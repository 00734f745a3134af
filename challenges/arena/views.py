"""The arena's pages: thin views over ``domain``."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from accounts.models import Profile
from accounts.roles import is_organizer
from challenges.domain import ContributionRefused
from challenges.domain.peer_validation import find_team_id
from challenges.models import Challenge
from challenges.preferences.domain import has_passed_quiz
from challenges.preferences.models import Prompt
from challenges.shortcuts import announce_form_errors, get_challenge
from hackathon.background import send_in_background
from teams.models import Membership

from .domain import battles, exports, live, ratings
from .domain.streaming import show_live_texts
from .forms import ArenaSettingsForm, BattleForm, ContinueForm, VoteForm
from .models import ArenaModel, ArenaSettings, Battle, BattleAnswer
from .tasks import stream_answer_task

KIND = Challenge.Kind.PREFERENCES


def _team_prompts(challenge: Challenge, user):
    team_id = find_team_id(user=user, edition_id=challenge.edition_id)
    authors = Membership.objects.filter(team_id=team_id).values("user_id") if team_id else [user.pk]
    return Prompt.objects.filter(challenge=challenge, author_id__in=authors).order_by("-pk")


@login_required
def arena(request, slug: str):
    """Start a battle on a new prompt or one of the team's; the person's past battles."""
    challenge = get_challenge(request, slug, KIND)
    team_prompts = _team_prompts(challenge, request.user)
    if request.method == "POST":  # the person's country only pre-fills the empty form
        form = BattleForm(request.POST, team_prompts=team_prompts)
    else:
        country = (
            Profile.objects.filter(user=request.user).values_list("country", flat=True).first()
        )
        form = BattleForm(team_prompts=team_prompts, initial={"country": country or None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            battle = battles.start_battle(
                challenge=challenge,
                user=request.user,
                prompt=data.get("picked"),
                text=data.get("text") or "",
                country=str(data.get("country") or ""),
                language=data.get("language") or "",
                system_prompt=data.get("system_prompt") or "",
                enqueue=partial(send_in_background, stream_answer_task),
            )
        except ContributionRefused as error:
            form.add_error(None, error.message)
        else:
            return redirect("arena:battle", slug=slug, pk=battle.pk)
    history = Battle.objects.filter(challenge=challenge, user=request.user).select_related(
        "model_a", "model_b", "vote"
    )
    context = {
        "challenge": challenge,
        "form": form,
        "passed": has_passed_quiz(challenge=challenge, user=request.user),
        "has_models": ArenaModel.objects.filter(
            edition_id=challenge.edition_id, enabled=True
        ).exists(),
        "page": Paginator(history, settings.PAGE_SIZE).get_page(request.GET.get("page")),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "arena/arena.html", context, status=status)


def _own_battle(request, challenge: Challenge, pk: int) -> Battle:
    """The person's own battle; anybody else's is not found (not even organizers': they read
    votes in the exports, where the models are named anyway)."""
    return get_object_or_404(
        Battle.objects.select_related("model_a", "model_b", "vote"),
        pk=pk,
        challenge=challenge,
        user=request.user,
    )


def _own_battle_and_answers(request, challenge: Challenge, pk: int):
    """The person's own battle and its answers in one query (the page polls it every second
    while the models write), answers still streaming with their text from the cache."""
    answers = list(
        BattleAnswer.objects.select_related(
            "battle__model_a", "battle__model_b", "battle__vote"
        ).filter(battle_id=pk, battle__challenge=challenge, battle__user=request.user)
    )
    if not answers:  # a battle's first answers are created with it
        raise Http404("No such battle.")
    battle = answers[0].battle
    for answer in answers:
        answer.battle = battle
    show_live_texts(answers=answers)
    return battle, answers


def _live_poll(request, slug: str, battle: Battle, answers: list[BattleAnswer]) -> dict | None:
    """How the last turn's answers follow the models while they write: polling the fragment
    that reads the cache alone, on a grant for this battle, its owner and their session."""
    if battle.status != Battle.Status.ANSWERING:
        return None
    battle_url = reverse("arena:battle", args=[slug, battle.pk])
    session_key = request.session.session_key
    if not session_key:  # no grant without a session to bind it to: the battle itself
        return {"url": battle_url, "trigger": "every 1s", "target": "#battle-answers"}
    last = len(battle.turns) - 1
    token = live.grant_live_answers(
        slug=slug,
        battle_id=battle.pk,
        user_id=request.user.pk,
        answer_ids=[a.pk for a in sorted(answers, key=lambda a: a.side) if a.turn == last],
        session_key=session_key,
    )
    url = reverse("arena:live", args=[slug, battle.pk])
    return {"url": f"{url}?{urlencode({'grant': token})}", "trigger": "every 1s", "target": ""}


def _battle_context(battle: Battle, answers: list[BattleAnswer]) -> dict:
    last = len(battle.turns) - 1
    turns = [
        {
            "number": turn + 1,
            "text": text,
            "sides": [
                (side, next((a for a in answers if a.turn == turn and a.side == side), None))
                for side in ("a", "b")
            ],
        }
        for turn, text in enumerate(battle.turns)
    ]
    failures = [a for a in answers if a.turn == last and a.failure]
    return {"battle": battle, "turns": turns, "failures": failures}


@login_required
def battle(request, slug: str, pk: int):
    """One battle: both answers side by side as they stream (an htmx partial polled while the
    models write), then the vote, more turns, and after the vote the models' names."""
    challenge = get_challenge(request, slug, KIND)
    battle, answers = _own_battle_and_answers(request, challenge, pk)
    context = {
        "challenge": challenge,
        **_battle_context(battle, answers),
        "vote_form": VoteForm(),
        "continue_form": ContinueForm(),
        "max_turns": settings.ARENA_MAX_TURNS,
        "live": _live_poll(request, slug, battle, answers),
    }
    template = "arena/battle.html#answers" if request.htmx else "arena/battle.html"
    return render(request, template, context)


# Never stored by a cache on the way: the answer depends on the session cookie it checks.
@never_cache
def live_answers(request, slug: str, pk: int):
    """The answers of a battle still being written, polled every second by its page: read
    from the cache alone on the grant the battle's page gave (``domain.live``), so it touches
    neither the session, nor the person, nor the database; a grant refused is a 403. Once
    they end (or the grant is due for renewal) the fragment has the page read the battle."""
    try:
        grant = live.check_live_grant(
            token=request.GET.get("grant", ""),
            slug=slug,
            battle_id=pk,
            session_key=request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
        )
    except live.GrantRefused:
        return HttpResponseForbidden()
    answers, ended = live.find_live_answers(grant=grant)
    if ended:
        poll = {
            "url": reverse("arena:battle", args=[slug, pk]),
            "trigger": "load",
            "target": "#battle-answers",
        }
    else:
        poll = {"url": request.get_full_path(), "trigger": "every 1s", "target": ""}
    sides = [(answer.side, answer) for answer in answers]
    # No request for the template: the context processors would read the session and person.
    html = render_to_string("arena/battle.html#live", {"sides": sides, "live": poll})
    return HttpResponse(html)


@login_required
@require_POST
def vote(request, slug: str, pk: int):
    challenge = get_challenge(request, slug, KIND)
    battle = _own_battle(request, challenge, pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect("arena:battle", slug=slug, pk=battle.pk)
    try:
        battle = battles.vote_battle(
            battle_id=battle.pk, user=request.user, choice=form.cleaned_data["choice"]
        )
    except ContributionRefused as error:
        messages.error(request, error.message)
    else:
        if battle.vote.flag:
            messages.warning(
                request,
                _("Your vote was kept but does not count: %(reason)s.")
                % {"reason": battle.vote.get_flag_display()},
            )
        else:
            messages.success(request, _("Thank you: your vote counts for your team."))
    return redirect("arena:battle", slug=slug, pk=battle.pk)


@login_required
@require_POST
def continue_battle(request, slug: str, pk: int):
    challenge = get_challenge(request, slug, KIND)
    battle = _own_battle(request, challenge, pk)
    form = ContinueForm(request.POST)
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect("arena:battle", slug=slug, pk=battle.pk)
    try:
        battles.continue_battle(
            battle_id=battle.pk,
            user=request.user,
            text=form.cleaned_data["text"],
            enqueue=partial(send_in_background, stream_answer_task),
        )
    except ContributionRefused as error:
        messages.error(request, error.message)
    return redirect("arena:battle", slug=slug, pk=battle.pk)


def ratings_page(request, slug: str):
    """The models ranked by a Bradley–Terry fit with 95% bootstrap intervals, overall and per
    country and language: for organizers, and for everyone once they make it public."""
    challenge = get_challenge(request, slug, KIND)
    public = ArenaSettings.objects.filter(challenge=challenge, ratings_public=True).exists()
    if not public:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_organizer(request.user):
            raise Http404
    rows = list(exports.counted_battles(challenge=challenge).prefetch_related(None))
    outcomes = [exports.outcome_of(battle) for battle in rows]
    rounds = settings.ARENA_BOOTSTRAP_ROUNDS
    context = {
        "challenge": challenge,
        "public": public,
        "battles": len(rows),
        "overall": ratings.rate_models(outcomes=outcomes, rounds=rounds),
        "by_country": ratings.rate_by_group(
            outcomes=[(b.country, o) for b, o in zip(rows, outcomes, strict=True)], rounds=rounds
        ),
        "by_language": ratings.rate_by_group(
            outcomes=[(b.language, o) for b, o in zip(rows, outcomes, strict=True) if b.language],
            rounds=rounds,
        ),
    }
    return render(request, "arena/ratings.html", context)


@organizer_required
def organize(request, slug: str):
    """The organizers' arena page: its models (from the edition file), battles so far, whether
    the ratings are public, and the exports."""
    challenge = get_challenge(request, slug, KIND)
    current, _created = ArenaSettings.objects.get_or_create(challenge=challenge)
    form = ArenaSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"ratings_public": current.ratings_public},
    )
    if request.method == "POST" and form.is_valid():
        current.ratings_public = form.cleaned_data["ratings_public"]
        current.save(update_fields=["ratings_public"])
        messages.success(request, _("The arena's settings were saved."))
        return redirect("arena:organize", slug=slug)
    models = ArenaModel.objects.filter(edition_id=challenge.edition_id)
    counts = battles.count_battles_by_status(challenge=challenge)
    context = {"challenge": challenge, "form": form, "models": models, "counts": counts}
    return render(request, "arena/organize.html", context)


@organizer_required
def export(request, slug: str, shape: str):
    """The counted votes as FastChat's vote log or its clean battle format (JSON Lines)."""
    challenge = get_challenge(request, slug, KIND)
    lines = {
        "fastchat": exports.fastchat_log_lines,
        "clean": exports.clean_battle_lines,
    }.get(shape)
    if lines is None:
        raise Http404
    response = StreamingHttpResponse(
        lines(challenge=challenge), content_type="application/x-ndjson; charset=utf-8"
    )
    name = f"{challenge.edition.slug}-arena-{shape}.jsonl"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
