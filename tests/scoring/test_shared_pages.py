"""Whole leaderboard pages kept for anonymous visitors: in the shared cache and in each
process's memory, never served once the scores changed or the cache was emptied."""

from django.core.cache import cache

from scoring.domain import bump_leaderboard_version, get_shared_page, keep_shared_page


def test_a_kept_page_is_served_from_memory_until_the_scores_change(db):
    version, body = get_shared_page(variant="json::")
    assert body is None
    keep_shared_page(variant="json::", version=version, body=b"rows-1")
    cache.delete("leaderboard-page:json::")  # only this process's memory holds it now

    assert get_shared_page(variant="json::") == (version, b"rows-1")

    bump_leaderboard_version(edition_id=1)
    new_version, body = get_shared_page(variant="json::")
    assert new_version != version and body is None


def test_an_emptied_cache_never_brings_back_an_old_page(db):
    version, _body = get_shared_page(variant="html:es")
    keep_shared_page(variant="html:es", version=version, body=b"old page")
    cache.clear()  # e.g. Redis restarted: the version is gone with everything else

    new_version, body = get_shared_page(variant="html:es")
    assert body is None
    assert new_version != version


def test_another_process_gets_the_page_from_the_shared_cache(db):
    from scoring import pages

    version, _body = get_shared_page(variant="json:pt::")
    keep_shared_page(variant="json:pt::", version=version, body=b"shared")
    pages._local_pages.clear()  # a process that never built it

    assert get_shared_page(variant="json:pt::") == (version, b"shared")
