"""Signing in to the werkplek without a password: one-time links, committee links, sessions, roles, OpenID."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from services.werkplek.domain.access import (
    COMMITTEE_MAX,
    IDLE_TIMEOUT,
    LINK_TTL,
    SESSION_MAX,
    Access,
    Role,
    access,
    check_session,
    new_committee_link,
    new_sign_in_link,
    new_token,
    openid_subject,
    redeem,
    require,
    revoke,
    role_of,
    start_session,
    token_hash,
    use_committee_link,
)
from shared.errors import Forbidden, InvalidInput, NotFound

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)
SECRET = "s" * 40
ANNA, SEC = "@anna:woonstad.nl", "@secretaris:woonstad.nl"


def test_a_token_holds_at_least_128_random_bits_and_only_its_keyed_hash_is_kept():
    token, link = new_sign_in_link("raad", ANNA, T0, SECRET, os.urandom)
    assert len(token) >= 22 and token not in link.token_hash
    assert link.token_hash == token_hash(token, SECRET) != token_hash(token, "other" * 10)
    assert len({new_token(os.urandom) for _ in range(200)}) == 200
    with pytest.raises(ValueError):
        new_token(lambda n: b"\x00" * 8)


def test_a_sign_in_link_works_once_within_ten_minutes():
    _, link = new_sign_in_link("raad", ANNA, T0, SECRET, os.urandom)
    used = redeem(link, T0 + LINK_TTL - timedelta(seconds=1))
    assert used.used_at is not None
    with pytest.raises(NotFound) as again:
        redeem(used, T0 + timedelta(minutes=1))
    with pytest.raises(NotFound) as late:
        redeem(link, T0 + LINK_TTL)
    with pytest.raises(NotFound) as unknown:
        redeem(None, T0)
    # The same answer for each: a guesser learns nothing.
    assert again.value.code == late.value.code == unknown.value.code == "werkplek.link.invalid"


def test_committee_links_expire_and_can_be_revoked():
    token, link = new_committee_link("raad", " Mw.  De Boer ", 30, T0, SEC, SECRET, os.urandom)
    assert link.name == "Mw. De Boer" and link.token_hash == token_hash(token, SECRET)
    assert use_committee_link(link, T0 + timedelta(days=29)) == link
    with pytest.raises(NotFound):
        use_committee_link(link, T0 + timedelta(days=30))
    revoked = revoke(link, T0 + timedelta(days=1))
    with pytest.raises(NotFound):
        use_committee_link(revoked, T0 + timedelta(days=2))
    assert revoke(revoked, T0 + timedelta(days=3)).revoked_at == revoked.revoked_at
    for days in (0, COMMITTEE_MAX.days + 1):
        with pytest.raises(InvalidInput):
            new_committee_link("raad", "X", days, T0, SEC, SECRET, os.urandom)
    with pytest.raises(InvalidInput):
        new_committee_link("raad", "  ", 5, T0, SEC, SECRET, os.urandom)


def test_a_session_ends_when_idle_and_after_twelve_hours():
    session = start_session("raad", Role.MEMBER, ANNA, T0)
    later = check_session(session, T0 + IDLE_TIMEOUT - timedelta(seconds=1))
    assert later.last_seen == T0 + IDLE_TIMEOUT - timedelta(seconds=1)
    with pytest.raises(Forbidden):
        check_session(session, T0 + IDLE_TIMEOUT)
    busy = session
    at = T0
    while at < T0 + SESSION_MAX - timedelta(minutes=10):
        at += timedelta(minutes=10)
        busy = check_session(busy, at)
    with pytest.raises(Forbidden):
        check_session(busy, T0 + SESSION_MAX)
    with pytest.raises(Forbidden):
        check_session(None, T0)


def test_roles_and_what_each_may_do():
    assert role_of(SEC, members=[ANNA, SEC], secretaries=[SEC]) is Role.SECRETARY
    assert role_of(ANNA, members=[ANNA], secretaries=[SEC]) is Role.MEMBER
    assert role_of("@buurman:woonstad.nl", members=[ANNA], secretaries=[SEC]) is None
    assert access(Role.MEMBER, "adviezen") is Access.READ and access(Role.SECRETARY, "adviezen") is Access.EDIT
    assert access(Role.COMMITTEE, "aanmeldingen") is Access.EDIT
    assert access(Role.MEMBER, "aanmeldingen") is Access.NONE  # applicants' details
    assert access(Role.COMMITTEE, "besluiten") is Access.NONE and access(None, "overzicht") is Access.NONE
    require(Role.MEMBER, "besluiten")
    with pytest.raises(Forbidden):
        require(Role.MEMBER, "inzet", Access.EDIT)
    with pytest.raises(Forbidden):
        require(Role.SECRETARY, "onbekend")


def test_an_openid_token_counts_only_for_a_user_of_our_homeserver():
    assert openid_subject({"sub": ANNA}, "woonstad.nl") == ANNA
    for answer in ({"sub": "@anna:elders.org"}, {}, {"sub": 5}, {"sub": "anna"}):
        with pytest.raises(Forbidden):
            openid_subject(answer, "woonstad.nl")


def test_the_working_pages_by_role():
    from services.werkplek.domain.access import Access, Role, access

    expected = {"adviezen": (Access.EDIT, Access.READ, Access.NONE), "besluiten": (Access.READ, Access.READ, Access.NONE),
                "agenda": (Access.READ, Access.READ, Access.NONE),
                "samenstelling": (Access.READ, Access.READ, Access.READ),  # counts only: the committee may see
                "inzet": (Access.EDIT, Access.READ, Access.NONE)}
    for page, (secretary, member, committee) in expected.items():
        assert (access(Role.SECRETARY, page), access(Role.MEMBER, page), access(Role.COMMITTEE, page),
                access(None, page)) == (secretary, member, committee, Access.NONE), page
