"""``overleg``: the command line for developers and operators.

    overleg up | down | status [--json]      the local stack (var/stack)
    overleg say <demo-user> "<message>"      talk to the bot as a demo member
    overleg register-user <localpart>        a Matrix account on the embedded homeserver
    overleg add-member <matrix-id> <huurder|koper|ondernemer> [seat]
    overleg check-config [--quiet]           the configuration and what it names, one line per problem
    overleg backup <folder> | restore <folder>   databases and the bot's crypto store
    overleg migrate                          run every service's migrations (production)
    overleg bot | overleg serve <service>    run one process (systemd units use these)
    overleg test [--all] [pytest args]       the fast tier (unit, integration, e2e); --all adds
                                             the reliability drills and the PostgreSQL pass
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

ROOT = Path(__file__).resolve().parent.parent
STACK_DIR = Path(os.environ.get("OVERLEG_STACK_DIR", ROOT / "var" / "stack"))


def _stack(encrypted: bool = False):  # type: ignore[no-untyped-def]
    from deploy.stack import Stack

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


def cmd_migrate(args: argparse.Namespace) -> int:
    import importlib

    from shared.db import Database, wait_for_database
    from shared.settings import load_settings_or_exit

    settings = load_settings_or_exit()
    for name in ("deliberation", "calendar", "signals", "bot"):
        module = importlib.import_module(f"services.{name}.app")
        db = Database(settings.database_url_for(name))
        wait_for_database(db)
        module.migrate(db)
        db.dispose()
        print(f"{name}: up to date")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from deploy.backup import BackupError, backup, restore
    from shared.settings import load_settings_or_exit

    settings = load_settings_or_exit()
    try:
        manifest = (backup if args.command == "backup" else restore)(settings, Path(args.folder))
    except BackupError as exc:
        print(f"overleg {args.command}: {exc}", file=sys.stderr)
        return 1
    verb = "backed up" if args.command == "backup" else "restored"
    print(f"{verb}: {len(manifest['files'])} file(s), {manifest['database']}, taken {manifest['taken_at']}")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from deploy.check import main as check_main

    return check_main(verbose=not args.quiet)


def cmd_bot(args: argparse.Namespace) -> int:
    from services.bot.app import main

    return main(replace_identity=args.replace_identity)


def cmd_serve(args: argparse.Namespace) -> int:
    env = dict(os.environ, OVERLEG_SERVICE=args.service)
    if args.bind:
        env["OVERLEG_BIND"] = args.bind
    os.execvpe(sys.executable, [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                                f"services.{args.service}.wsgi:app"], env)
    return 0


FAST_TIER = "not reliability"


def cmd_test(args: argparse.Namespace) -> int:
    """The fast tier by default; ``--all``: every tier on SQLite, then the storage tests on PostgreSQL.

    Tiers are markers set from the folder (``tests/unit`` → ``unit`` …, see tests/conftest.py).
    Naming test paths, ``-m`` or ``-k`` runs exactly what was asked for.
    """
    extra = list(args.pytest_args)
    run_all = "--all" in extra
    extra = [a for a in extra if a != "--all"]
    chosen = any(a == "-m" or a.startswith("-k") or (not a.startswith("-") and "tests" in a) for a in extra)
    selection = [] if run_all or chosen else ["-m", FAST_TIER]
    if not run_all and not chosen:
        print("Snelle laag: unit, integration, e2e (`overleg test --all` voegt de drills en PostgreSQL toe).")
    first = subprocess.call([sys.executable, "-m", "pytest", *selection, *extra], cwd=ROOT)
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
    second = subprocess.call([sys.executable, "-m", "pytest", "-m", "postgres", *extra], cwd=ROOT, env=env)
    return 0 if second == 5 else second  # 5: the selection held no storage tests


def _postgres_reachable(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="overleg", description="Overleg: consensus, kalender en signalen in Matrix.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("up", help="start the local stack with a demo council")
    p.add_argument("--no-demo", action="store_true")
    p.add_argument("--encrypted", action="store_true",
                   help="create the demo rooms end-to-end encrypted (only on a fresh var/stack; use Element to read them)")
    p.set_defaults(fn=cmd_up)
    sub.add_parser("down", help="stop the local stack").set_defaults(fn=cmd_down)
    p = sub.add_parser("status", help="what runs, and where")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_status)
    p = sub.add_parser("say", help="send a message as a demo user and print the bot's reply")
    p.add_argument("user")
    p.add_argument("message")
    p.add_argument("--timeout", type=float, default=30.0)
    p.set_defaults(fn=cmd_say)
    p = sub.add_parser("register-user", help="register a Matrix user on the embedded homeserver")
    p.add_argument("localpart")
    p.add_argument("--password")
    p.add_argument("--display-name")
    p.set_defaults(fn=cmd_register_user)
    p = sub.add_parser("add-member", help="add a member to a council")
    p.add_argument("matrix_id")
    p.add_argument("member_type", choices=["huurder", "koper", "ondernemer"])
    p.add_argument("seat", nargs="?", type=int)
    p.add_argument("--council")
    p.add_argument("--display-name")
    p.add_argument("--group", default="")
    p.set_defaults(fn=cmd_add_member)
    sub.add_parser("migrate", help="run all migrations").set_defaults(fn=cmd_migrate)
    for verb, text in (("backup", "copy the databases and the bot's crypto store into a new folder"),
                       ("restore", "put a backup back into this configuration's data folder and database")):
        p = sub.add_parser(verb, help=text)
        p.add_argument("folder")
        p.set_defaults(fn=cmd_backup)
    p = sub.add_parser("check-config", help="check the configuration and everything it names; one line per problem")
    p.add_argument("--quiet", action="store_true", help="print only the problems")
    p.set_defaults(fn=cmd_check_config)
    p = sub.add_parser("bot", help="run the bot")
    p.add_argument("--replace-identity", action="store_true",
                   help="make and publish a new cross-signing identity for the bot (when its keys were lost); "
                        "members see that the bot's identity changed")
    p.set_defaults(fn=cmd_bot)
    p = sub.add_parser("serve", help="run one service under gunicorn")
    p.add_argument("service", choices=["deliberation", "calendar", "signals"])
    p.add_argument("--bind")
    p.set_defaults(fn=cmd_serve)
    p = sub.add_parser("test", help="run the test suite (extra arguments go to pytest)", add_help=False)
    p.set_defaults(fn=cmd_test)
    args, rest = parser.parse_known_args(argv)
    if rest and args.fn is not cmd_test:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.pytest_args = rest
    return int(args.fn(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
