"""``overleg``: the operator's command line, as installed with the package.

    overleg migrate                          run every service's migrations
    overleg serve <service> | overleg bot    run one process (the systemd units use these)
    overleg check-config [--quiet]           the configuration and what it names, one line per problem
    overleg backup <folder> | restore <folder>   databases and the bot's crypto store

The local stack and the test command (``up``, ``down``, ``status``, ``say``, ``register-user``,
``add-member``, ``test``) are development tools in the checkout's ``devstack/``, never installed.
Run from a checkout (``./overleg``, an editable install), ``overleg`` offers both groups.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent  # the installed deploy package (gunicorn.conf.py)

# How the long-running processes (every gunicorn worker, the bot) start Python: without docstrings
# and asserts (-OO). Each imports ~800 modules whose docstrings would stay resident for nothing:
# 3.3 MB in the bot, 3.5 MB in a worker, against a budget of 90 MB a process (docs/benchmarks.md,
# section 5). Nothing in Overleg reads a docstring at run time, and its asserts only narrow types.
# Nor the column ranges of every instruction (-X no_debug_ranges, 0.7 MB a worker): they only draw
# the ^^^ under the failing expression in a traceback; the file and line stay in every log.
# The local stack and the test suite start the processes the same way.
LONG_RUNNING_PYTHON = ("-OO", "-X", "no_debug_ranges")

Verbs = list[tuple[str, str]]
Group = tuple[str, Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], Verbs]]


def cmd_migrate(args: argparse.Namespace) -> int:
    import importlib

    from services.bot.store import take_over_previous_store
    from shared.db import Database, wait_for_database
    from shared.settings import SERVICES, load_settings_or_exit

    settings = load_settings_or_exit()
    for name in (*SERVICES, "bot"):
        module = importlib.import_module(f"services.{name}.app")
        db = Database(settings.database_url_for(name))
        wait_for_database(db)
        module.migrate(db)
        if name == "bot":
            take_over_previous_store(settings.database_url, db)
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
    argv = [sys.executable, *LONG_RUNNING_PYTHON, "-m", "services.bot"]
    if args.replace_identity:
        argv.append("--replace-identity")
    os.execv(sys.executable, argv)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    env = dict(os.environ, OVERLEG_SERVICE=args.service)
    if args.bind:
        env["OVERLEG_BIND"] = args.bind
    os.execvpe(sys.executable, [sys.executable, *LONG_RUNNING_PYTHON, "-m", "gunicorn", "-c", str(HERE / "gunicorn.conf.py"),
                                f"services.{args.service}.wsgi:app"], env)
    return 0


def add_operator_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> Verbs:
    """The verbs production needs; returns (verb, help) for the grouped listing."""
    verbs: Verbs = []

    def add(verb: str, text: str) -> argparse.ArgumentParser:
        verbs.append((verb, text))
        return sub.add_parser(verb, description=text)

    add("migrate", "run every service's migrations").set_defaults(fn=cmd_migrate)
    p = add("serve", "run one service under gunicorn (the systemd units use this)")
    p.add_argument("service", choices=["deliberation", "calendar", "signals", "werkplek"])
    p.add_argument("--bind")
    p.set_defaults(fn=cmd_serve)
    p = add("bot", "run the bot (the systemd unit uses this)")
    p.add_argument("--replace-identity", action="store_true",
                   help="make and publish a new cross-signing identity for the bot (when its keys were lost); "
                        "members see that the bot's identity changed")
    p.set_defaults(fn=cmd_bot)
    p = add("check-config", "check the configuration and everything it names; one line per problem")
    p.add_argument("--quiet", action="store_true", help="print only the problems")
    p.set_defaults(fn=cmd_check_config)
    for verb, text in (("backup", "copy the databases and the bot's crypto store into a new folder"),
                       ("restore", "put a backup back into this configuration's data folder and database")):
        p = add(verb, text)
        p.add_argument("folder")
        p.set_defaults(fn=cmd_backup)
    return verbs


OPERATOR_GROUP: Group = ("operator commands (production; installed with the package)", add_operator_commands)


def build_parser(groups: Sequence[Group], epilog: str = "") -> argparse.ArgumentParser:
    """One ``overleg`` parser; ``--help`` lists the verbs group by group."""
    parser = argparse.ArgumentParser(prog="overleg", usage="overleg [-h] <command> [arguments]",
                                     description="Overleg: consensus, kalender en signalen in Matrix.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    # The verbs are listed by group below instead of argparse's one flat list.
    sub = parser.add_subparsers(dest="command", required=True, metavar="<command>", help=argparse.SUPPRESS)
    listing = []
    for title, register in groups:
        verbs = register(sub)
        listing.append(f"{title}:\n" + "\n".join(f"  {verb:<15} {text}" for verb, text in verbs))
    parser.epilog = "\n\n".join(listing + ([epilog] if epilog else []))
    return parser


def run(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    args, rest = parser.parse_known_args(argv)
    # Only a pass-through verb (``test``: its arguments go to pytest) takes unknown arguments.
    if rest and not getattr(args, "passthrough", False):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.extra_args = rest
    return int(args.fn(args) or 0)


def _checkout_group() -> Group | None:
    """The local stack's verbs when this runs from a checkout (``./overleg``, an editable install).

    An installed wheel has no ``devstack`` next to ``deploy``, so it offers the operator verbs only.
    """
    checkout = HERE.parent
    if not (checkout / "devstack" / "cli.py").is_file():
        return None
    if str(checkout) not in sys.path:
        sys.path.append(str(checkout))  # an editable install maps only the shipped packages
    from devstack.cli import STACK_GROUP

    return STACK_GROUP


def main(argv: list[str] | None = None) -> int:
    dev = _checkout_group()
    if dev is not None:
        return run(build_parser([OPERATOR_GROUP, dev]), argv)
    return run(build_parser([OPERATOR_GROUP], epilog=(
        "The local stack and the tests (up, down, status, say, register-user, add-member, test) are\n"
        "development tools: run ./overleg in a checkout of Overleg.")), argv)


if __name__ == "__main__":
    sys.exit(main())
