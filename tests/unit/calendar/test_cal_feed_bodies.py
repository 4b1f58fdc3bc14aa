"""The worker's rendered feeds (``feeds.BodyCache``) and the feeds' version ETag."""
from __future__ import annotations

from services.calendar import feeds, store
from shared.settings import CouncilConfig


def test_a_body_is_current_only_for_its_version_and_a_newer_one_is_never_replaced():
    cache = feeds.BodyCache()
    cache.put("k|council|", 3, b"v3")
    assert cache.get("k|council|", 3) == b"v3" and cache.get("k|council|", 4) is None
    cache.put("k|council|", 5, b"v5")
    cache.put("k|council|", 4, b"v4")  # a slower render of an older version comes in late
    assert cache.get("k|council|", 5) == b"v5" and cache.get("k|council|", 4) is None


def test_the_cache_keeps_the_most_recently_used_bodies_within_its_bytes():
    cache = feeds.BodyCache(max_bytes=25)
    for key in "abc":
        cache.put(key, 1, b"x" * 10)
    assert cache.get("a", 1) is None and cache.get("b", 1) == b"x" * 10
    cache.put("d", 1, b"y" * 10)  # "c" is now the least recently used
    assert cache.get("c", 1) is None and cache.get("b", 1) and cache.get("d", 1)


def test_the_etag_follows_the_version_the_feed_and_the_settings_it_is_rendered_with():
    council = CouncilConfig(slug="kr", name="Klantenraad", rooms={"main": "!m:x"})
    token = store.FeedToken("kr", "council", "", 1, "hash")
    etag = feeds.version_etag(council, token, 7)
    assert etag.startswith('"') and etag == feeds.version_etag(council, token, 7)
    others = {feeds.version_etag(council, token, 8),
              feeds.version_etag(council, store.FeedToken("kr", "member", "@a:x", 1, "h2"), 7),
              feeds.version_etag(council.model_copy(update={"timezone": "America/New_York"}), token, 7),
              feeds.version_etag(council.model_copy(update={"language": "en"}), token, 7)}
    assert etag not in others and len(others) == 4
