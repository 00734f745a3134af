"""``{% url %}``, with each reversed URL remembered by the process (a template builtin, so it
replaces Django's tag in every template).

Reversing a URL walks the URL patterns' possibilities and checks the candidate against its
pattern: on the "next item" pages, five ``{% url %}`` tags cost more than the page's query. The
same view name, arguments, URL configuration, script prefix and current application always
give the same URL, so the result is kept for those. Only plain arguments (text and numbers)
are kept: a URL built from a model instance uses its ``str()``, which may change. A change of
``ROOT_URLCONF`` (tests) empties what was kept.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


@functools.lru_cache(maxsize=20_000)
def _reversed(view_name, args: tuple, kwargs: tuple, current_app, urlconf, script_prefix) -> str:
    # The script prefix and the URL configuration are in the key, not passed: reverse() reads
    # the same ones from the thread that calls it.
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def reverse_remembered(view_name, *, args: list, kwargs: dict, current_app) -> str:
    """``reverse()``, remembered for plain arguments (see the module)."""
    values = [*args, *kwargs.values(), view_name]
    if not all(isinstance(value, str) or type(value) is int for value in values):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _reversed(
        view_name,
        tuple(args),
        tuple(sorted(kwargs.items())),
        current_app,
        (get_urlconf(), settings.ROOT_URLCONF),
        get_script_prefix(),
    )


@receiver(setting_changed)
def forget_reversed_urls(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


class RememberedURLNode(defaulttags.URLNode):
    def render(self, context):
        # Django's URLNode.render, with reverse_remembered for reverse.
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = reverse_remembered(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's ``{% url %}`` (same arguments), remembered (see the module)."""
    node = defaulttags.url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
