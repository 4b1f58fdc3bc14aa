"""``./overleg`` in the checkout: the operator verbs plus the local stack and the test command.

    overleg up | down | status [--json]      the local stack (var/stack)
    overleg say <demo-user> "<message>"      talk to the bot as a demo member
    overleg register-user <localpart>        a Matrix account on the embedded homeserver
    overleg add-member <matrix-id> <huurder|koper|ondernemer> [seat]
    overleg test [--all] [pytest args]       the fast tier (unit, integration, e2e); --all adds
                                             the reliability drills and the PostgreSQL pass

The operator verbs (``migrate``, ``serve``, ``bot``, ``check-config``, ``backup``, ``restore``)
come from ``deploy.cli``, the only ones an installed package offers.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from deploy.cli import OPERATOR_GROUP, Group, Verbs, build_parser, run

ROOT = Path(__file__).resolve().parent.parent
STACK_DIR = Path(os.environ.get("OVERLEG_STACK_DIR", ROOT / "var" / "stack"))


def _stack(encrypted: bool = False):  # type: ignore[no-untyped-def]
    from devstack.stack import Stack

    return Stack(STACK_DIR, encrypted=encrypted)


def cmd_up(args: argparse.Namespace) -> int:
    started = time.monotonic()
    stack = _stack(encrypted=args.encrypted)
    info = stack.up(demo=not args.no_demo)
    took = time.monotonic() - started
    print(f"Overleg draait (klaar in {took:.1f} s).\n")
    print(f"  Homeserver        {info['homeserver']}  (server name {info['server_name']})")
    for name, url in info["services"].items():
        print(f"  {name:<17} {url}")
    print(f"  Signaalformulier  {info['signal_form']}")
    print(f"  Aanmelden (raad)  {info['application_form']}")
    print(f"  Werkplek          {info['werkplek']}  (aanmelden: !werkplek in de chat)")
    print(f"  Kalenderfeeds     {info['feeds']}  (persoonlijke link: !feed in de chat)")
    print(f"  CalDAV            {info['caldav']}")
    print(f"  Raad              {info['council']}  kamer {info['room_id']}")
    print(f"  Signalenkamer     {info['signals_room_id']}")
    print("\n  Demo-accounts (log in met Element op de homeserver hierboven):")
    for acc in info["accounts"]:
        print(f"    {acc['user_id']:<28} wachtwoord {acc['password']}  ({acc['role']})")
    print(f"\n  API-token voor signalen (partners): {info['signals_api_token']}")
    print("\n  Probeer:  ./overleg say anna '!hulp'      Stoppen:  ./overleg down")
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    _stack().down()
    print("Overleg is gestopt. De gegevens blijven bewaard in", STACK_DIR)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    info = _stack().status()
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        for name, running in info["running"].items():
            print(f"{name:<14} {'draait' if running else 'gestopt'}")
    return 0


def cmd_say(args: argparse.Namespace) -> int:
    stack = _stack()
    try:
        replies = stack.say(args.user, args.message, timeout=args.timeout)
    except TimeoutError:
        print(f"Geen antwoord van de bot binnen {args.timeout:.0f} s. Draait de stack? (./overleg status)",
              file=sys.stderr)
        return 1
    for reply in replies:
        print(reply)
        print()
    return 0


def cmd_register_user(args: argparse.Namespace) -> int:
    stack = _stack()
    password = args.password or secrets.token_urlsafe(12)
    user = stack.synapse.register_user(args.localpart, password, displayname=args.display_name)
    print(f"{user.user_id}  wachtwoord {password}")
    return 0


def cmd_add_member(args: argparse.Namespace) -> int:
    import httpx

    from shared.settings import load_settings_or_exit

    os.environ.setdefault("OVERLEG_CONFIG", str(STACK_DIR / "overleg.yaml"))
    settings = load_settings_or_exit()
    council = args.council or (settings.councils[0].slug if settings.councils else None)
    token = settings.token_for("admin")
    body = {"matrix_id": args.matrix_id, "display_name": args.display_name or args.matrix_id,
            "member_type": args.member_type, "customer_group": args.group}
    if args.seat:
        body["seat"] = args.seat
    resp = httpx.post(f"{settings.service_urls['deliberation']}/api/v1/councils/{council}/members", json=body,
                      headers={"Authorization": f"Bearer {token}"}, timeout=10)
    if resp.status_code >= 400:
        print(f"Niet gelukt ({resp.status_code}): {resp.json().get('message', resp.text)}", file=sys.stderr)
        return 1
    print(f"{args.matrix_id} is lid van {council}.")
    return 0


FAST_TIER = "not reliability"


def _workers(extra: list[str]) -> list[str]:
    """pytest-xdist arguments for a whole tier: one worker per core and one more, as the tests often
    wait on the homeserver and the bot (on 2 cores: 2 workers kept them 83 % busy and took 4 min 24 s,
    3 workers 96 % and 4 min 2 s). ``loadgroup``: tests go to whichever worker is free, except that
    the tests sharing a module's fixture stay together (tests/conftest.py groups them), so a
    module's bot or stack starts once.

    ``-n``/``--dist``/``-p no:xdist`` on the command line win; ``OVERLEG_TEST_WORKERS=0`` runs in
    one process.
    """
    import importlib.util

    if importlib.util.find_spec("xdist") is None or any(
            a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in extra):
        return []
    wanted = os.environ.get("OVERLEG_TEST_WORKERS") or str((os.cpu_count() or 1) + 1)
    if wanted in ("0", "1"):
        return []
    return ["-n", wanted, "--dist", "loadgroup"]


def cmd_test(args: argparse.Namespace) -> int:
    """The fast tier by default; ``--all``: the fast tier, the reliability drills, then the storage
    tests again on PostgreSQL.

    Tiers are markers set from the folder (``tests/unit`` → ``unit`` …, see tests/conftest.py).
    Naming test paths, ``-m`` or ``-k`` runs exactly what was asked for (in one process, unless
    ``-n`` says otherwise). Whole tiers run on every core (pytest-xdist); the drills run alone, as
    they stop and starve processes on purpose.
    """
    extra = list(args.extra_args)
    run_all = "--all" in extra
    extra = [a for a in extra if a != "--all"]
    chosen = any(a == "-m" or a.startswith("-k") or (not a.startswith("-") and "tests" in a) for a in extra)

    def pytest(*argv: str, env: dict[str, str] | None = None) -> int:
        return subprocess.call([sys.executable, "-m", "pytest", *argv, *extra], cwd=ROOT, env=env)

    if chosen:
        first = pytest()
    else:
        if not run_all:
            print("Snelle laag: unit, integration, e2e (`overleg test --all` voegt de drills en PostgreSQL toe).")
        first = pytest("-m", FAST_TIER, *_workers(extra))
        if first == 0 and run_all:
            print("\n=== reliability drills ===")
            first = pytest("-m", "reliability")
    if first != 0 or not run_all:
        return first
    pg_url = os.environ.get("OVERLEG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    if not _postgres_reachable(pg_url):
        msg = f"PostgreSQL at {pg_url} is not reachable: storage tests ran on SQLite only."
        if os.environ.get("OVERLEG_REQUIRE_POSTGRES"):
            print(msg, file=sys.stderr)
            return 1
        print(msg)
        return 0
    env = dict(os.environ, OVERLEG_TEST_DATABASE_URL=pg_url)
    print("\n=== storage tests again on PostgreSQL ===")
    second = pytest("-m", "postgres", *([] if chosen else _workers(extra)), env=env)
    return 0 if second == 5 else second  # 5: the selection held no storage tests


def _postgres_reachable(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:
        return False


def add_stack_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> Verbs:
    """The local stack's verbs and the test command; returns (verb, help) for the listing."""
    verbs: Verbs = []

    def add(verb: str, text: str, **kwargs: object) -> argparse.ArgumentParser:
        verbs.append((verb, text))
        return sub.add_parser(verb, description=text, **kwargs)  # type: ignore[arg-type]

    p = add("up", "start the local stack with a demo council")
    p.add_argument("--no-demo", action="store_true")
    p.add_argument("--encrypted", action="store_true",
                   help="create the demo rooms end-to-end encrypted (only on a fresh var/stack; use Element to read them)")
    p.set_defaults(fn=cmd_up)
    add("down", "stop the local stack").set_defaults(fn=cmd_down)
    p = add("status", "what runs, and where")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_status)
    p = add("say", "send a message as a demo user and print the bot's reply")
    p.add_argument("user")
    p.add_argument("message")
    p.add_argument("--timeout", type=float, default=30.0)
    p.set_defaults(fn=cmd_say)
    p = add("register-user", "register a Matrix user on the embedded homeserver")
    p.add_argument("localpart")
    p.add_argument("--password")
    p.add_argument("--display-name")
    p.set_defaults(fn=cmd_register_user)
    p = add("add-member", "add a member to a council of the local stack")
    p.add_argument("matrix_id")
    p.add_argument("member_type", choices=["huurder", "koper", "ondernemer"])
    p.add_argument("seat", nargs="?", type=int)
    p.add_argument("--council")
    p.add_argument("--display-name")
    p.add_argument("--group", default="")
    p.set_defaults(fn=cmd_add_member)
    p = add("test", "run the test suite: the fast tier; --all adds the drills and PostgreSQL "
                    "(other arguments go to pytest)", add_help=False)
    p.set_defaults(fn=cmd_test, passthrough=True)
    return verbs


STACK_GROUP: Group = ("local stack and tests (development; this checkout only)", add_stack_commands)


def main(argv: list[str] | None = None) -> int:
    return run(build_parser([OPERATOR_GROUP, STACK_GROUP]), argv)


if __name__ == "__main__":
    sys.exit(main())
