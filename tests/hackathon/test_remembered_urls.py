"""{% url %} is remembered by each process (hackathon.templatetags.remembered_urls): the same
URL as Django's tag gives, reversed once for the same arguments, prefix and URL configuration."""

import pytest
from django.template import Template, engines
from django.urls import NoReverseMatch, reverse, set_script_prefix

from hackathon.templatetags import remembered_urls

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_remembered():
    remembered_urls._reversed.cache_clear()
    yield
    remembered_urls._reversed.cache_clear()
    set_script_prefix("/")


@pytest.fixture
def reversals(monkeypatch):
    calls = []
    real = remembered_urls.reverse

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(remembered_urls, "reverse", counting)
    return calls


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_every_template_uses_it():
    template = Template("{% url 'scoring:leaderboard' %}")
    assert isinstance(template.nodelist[0], remembered_urls.RememberedURLNode)


def test_the_url_is_djangos_and_is_reversed_once(reversals):
    source = "{% url 'blend:answer' slug pk %}|{% url 'blend:answer' slug=slug question_id=pk as link %}{{ link }}"
    expected = reverse("blend:answer", args=["blend", 7])
    assert render(source, slug="blend", pk=7) == f"{expected}|{expected}"
    assert render(source, slug="blend", pk=7) == f"{expected}|{expected}"
    assert len(reversals) == 2  # positional and keyword: two keys, each reversed once
    assert render(source, slug="blend", pk=8).startswith(reverse("blend:answer", args=["blend", 8]))


def test_another_script_prefix_gets_its_own_urls():
    assert render("{% url 'scoring:leaderboard' %}") == "/leaderboard/"
    set_script_prefix("/hackathon/")
    assert render("{% url 'scoring:leaderboard' %}") == "/hackathon/leaderboard/"


def test_another_url_configuration_is_not_given_the_kept_urls(settings):
    assert render("{% url 'robots_txt' %}") == "/robots.txt"
    settings.ROOT_URLCONF = "tests.hackathon.urls_under_a_prefix"
    assert render("{% url 'robots_txt' %}") == "/under/robots.txt"


def test_an_unknown_view_fails_as_djangos_tag_does():
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")
    assert render("{% url 'no-such-view' as link %}[{{ link }}]") == "[]"


def test_a_url_built_from_an_object_is_reversed_each_time(reversals):
    class Slug:
        def __init__(self, text):
            self.text = text

        def __str__(self):
            return self.text

    slug = Slug("blend")
    first = render("{% url 'blend:home' slug %}", slug=slug)
    slug.text = "renamed"
    assert render("{% url 'blend:home' slug %}", slug=slug) != first
    assert len(reversals) == 2
