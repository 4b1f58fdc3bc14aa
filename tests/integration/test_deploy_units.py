"""The shipped systemd units work as written: systemd accepts them, and the three services started
exactly as their ExecStart/Environment say come up on their own ports (from service_urls) and are
ready. The configuration refuses mistakes with one plain line each."""
from __future__ import annotations

import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from devstack.procs import free_port, spawn, terminate, wait_http_ready, settings_free_env

REPO = Path(__file__).parents[2]
UNITS = REPO / "deploy" / "systemd"
VENV_BIN = Path(sys.executable).parent
SERVICES = ("deliberation", "calendar", "signals")

pytestmark = pytest.mark.timeout(240)


def read_unit(path: Path, instance: str | None = None) -> dict[str, list[str]]:
    """The unit's [Service] section: key -> values (systemd allows a key more than once)."""
    text = path.read_text()
    if instance:
        text = text.replace("%i", instance)
    section, service = None, {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            service.setdefault(key, []).append(value)
    return service


def environment(service: dict[str, list[str]]) -> dict[str, str]:
    return dict(value.partition("=")[::2] for value in service.get("Environment", []))


def local_copy(text: str) -> str:
    """The unit with the install's paths pointing at this checkout's virtualenv."""
    return text.replace("/opt/overleg/.venv/bin/", f"{VENV_BIN}/")


@pytest.mark.parametrize("unit_name", ["overleg-bot.service", "overleg-service@.service"])
def test_systemd_accepts_the_units(tmp_path, unit_name):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is needed to check the units (Debian: systemd)")
    target = tmp_path / unit_name.replace("@.", "@signals.")
    target.write_text(local_copy((UNITS / unit_name).read_text()))
    out = subprocess.run(["systemd-analyze", "verify", "--man=no", str(target)], capture_output=True, text=True)
    # systemd-analyze has nothing to say about a good unit
    assert out.returncode == 0 and not (out.stdout + out.stderr).strip(), out.stdout + out.stderr
    service = read_unit(target)
    assert service["UMask"] == ["0077"] and service["StateDirectory"] == ["overleg"]
    assert service["WorkingDirectory"] != ["/opt/overleg"]  # gunicorn must not import the checkout


def test_the_three_services_start_exactly_as_the_units_say(tmp_path):
    ports = {name: free_port() for name in SERVICES}
    config = {
        "data_dir": str(tmp_path / "data"),
        "secret_key": secrets.token_hex(32),
        "service_urls": {**{n: f"http://127.0.0.1:{p}" for n, p in ports.items()},
                         "bot": f"http://127.0.0.1:{free_port()}"},
        "api_tokens": {"admin": secrets.token_urlsafe(24), "bot": secrets.token_urlsafe(24)},
        "councils": [{"slug": "klantenraad", "name": "Klantenraad", "rooms": {"main": "!main:example.org"}}],
    }
    cfg = tmp_path / "overleg.yaml"
    cfg.write_text(yaml.safe_dump(config))
    state = tmp_path / "var-lib-overleg"
    state.mkdir()
    procs = []
    try:
        for name in SERVICES:
            unit = read_unit(UNITS / "overleg-service@.service", name)
            env = settings_free_env()
            for key, value in environment(unit).items():
                value = value.replace("/etc/overleg/overleg.yaml", str(cfg))
                value = value.replace(f"/run/overleg-{name}", str(tmp_path / f"run-{name}"))
                env[key] = value
            Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True)
            argv = shlex.split(local_copy(unit["ExecStart"][0]))
            procs.append(spawn(argv, log_path=tmp_path / f"{name}.log", cwd=state, env=env))
        for name, proc in zip(SERVICES, procs):
            wait_http_ready(f"http://127.0.0.1:{ports[name]}/readyz", timeout=90, log_path=tmp_path / f"{name}.log",
                            name=name, is_alive=lambda p=proc: p.poll() is None)
        data = Path(config["data_dir"])
        for name in SERVICES:
            db = data / f"{name}.db"
            assert db.exists() and (db.stat().st_mode & 0o077) == 0, f"{db} must be private"
    finally:
        for proc in procs:
            terminate(proc.pid, proc=proc)


OPERATOR_VERBS = ["migrate", "serve", "bot", "check-config", "backup", "restore"]
STACK_VERBS = ["up", "down", "status", "say", "register-user", "add-member", "test"]


def help_groups(text: str) -> dict[str, list[str]]:
    """``overleg --help``'s verb listing: group title -> verbs, in order."""
    groups: dict[str, list[str]] = {}
    title = None
    for line in text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":") and line != "options:":
            title = line[:-1]
            groups[title] = []
        elif title and line.startswith("  ") and line.split():
            groups[title].append(line.split()[0])
        elif not line.strip():
            title = None
    return groups


def test_the_package_ships_the_operator_verbs_and_no_development_tools(tmp_path):
    """What `pip install .` puts in place: the packages pyproject selects hold no devstack (embedded
    Synapse/Radicale, test clients, local stack), nothing shipped imports it, and `overleg --help`
    of such an install lists the operator verbs only; the local stack's verbs are refused."""
    import tomllib

    from setuptools import find_packages

    include = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    shipped = find_packages(where=str(REPO), include=include)
    assert {"deploy", "shared", "services"} <= set(shipped)
    assert not [p for p in shipped if p.split(".")[0] in ("devstack", "tests", "bench")], shipped
    for package in ("deploy", "shared", "services"):
        for source in (REPO / package).rglob("*.py"):
            if source != REPO / "deploy" / "cli.py":  # its lookup of a checkout beside it is guarded
                assert "devstack" not in source.read_text(), source
    # The installed copy: `deploy` without a devstack beside it.
    site = tmp_path / "site-packages"
    shutil.copytree(REPO / "deploy", site / "deploy", ignore=shutil.ignore_patterns("__pycache__"))
    code = f"import sys; sys.path.insert(0, {str(site)!r}); from deploy.cli import main; sys.exit(main(sys.argv[1:]))"
    shown = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert list(help_groups(shown.stdout).values()) == [OPERATOR_VERBS], shown.stdout
    refused = subprocess.run([sys.executable, "-c", code, "up"], capture_output=True, text=True, cwd=tmp_path)
    assert refused.returncode == 2 and "invalid choice: 'up'" in refused.stderr, refused.stderr


def test_the_checkout_lists_both_groups_apart():
    """`./overleg --help` in the checkout: the operator verbs first, then the local stack's, each
    group under its own title."""
    shown = subprocess.run([str(REPO / "overleg"), "--help"], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    groups = help_groups(shown.stdout)
    assert list(groups.values()) == [OPERATOR_VERBS, STACK_VERBS], shown.stdout
    operator, stack = groups
    assert "operator" in operator and "checkout" in stack


def run_overleg(*args: str, config: Path | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = settings_free_env()
    if config is not None:
        env["OVERLEG_CONFIG"] = str(config)
    return subprocess.run([str(VENV_BIN / "overleg"), *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120)


@pytest.mark.parametrize(("content", "expected"), [
    ("databse_url: postgresql://x@localhost/overleg\n", "unknown key 'databse_url' (did you mean 'database_url'?)"),
    ("matrix:\n  usr_id: '@x:y'\n", "matrix.usr_id: unknown key"),
    ("database_url: mysql://x@localhost/db\n", "use postgresql://"),
    ("councils: [\n", "not valid YAML at line 2"),
    ("councils:\n  - slug: K R\n    name: x\n    rooms: {main: '!a:b'}\n", "councils.0.slug"),
])
def test_a_wrong_config_says_what_is_wrong_in_one_line(tmp_path, content, expected):
    cfg = tmp_path / "overleg.yaml"
    cfg.write_text(content)
    out = run_overleg("migrate", config=cfg, cwd=tmp_path)
    assert out.returncode == 78, out.stdout + out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert any(expected in line for line in lines), out.stderr
    assert "Traceback" not in out.stderr
    assert not any((tmp_path / "var").glob("*.db"))  # nothing was created on a bad config


def test_a_missing_config_file_is_an_error(tmp_path):
    out = run_overleg("migrate", config=tmp_path / "nope.yaml", cwd=tmp_path)
    assert out.returncode == 78 and "does not exist" in out.stderr and "Traceback" not in out.stderr


def test_check_config_names_each_problem_then_says_all_is_well(synapse, matrix_user, tmp_path):
    """Against the real homeserver: a room the bot is not in, then a room where it may not redact,
    then everything in order, each said in one line."""
    bot, secretary = matrix_user("overleg"), matrix_user("secretaris")
    with synapse.client(secretary) as sec:
        room = sec.create_room(name="Klantenraad", invite=[bot.user_id])
        config = {
            "data_dir": str(tmp_path / "data"), "secret_key": "change-me",
            "api_tokens": {"admin": "<random>"},
            "matrix": {"homeserver_url": synapse.base_url, "user_id": bot.user_id, "access_token": bot.access_token,
                       "store_passphrase": secrets.token_urlsafe(16)},
            "councils": [{"slug": "klantenraad", "name": "Klantenraad", "rooms": {"main": room}}],
        }
        cfg = tmp_path / "overleg.yaml"
        cfg.write_text(yaml.safe_dump(config))
        out = run_overleg("check-config", "--quiet", config=cfg, cwd=tmp_path)
        assert out.returncode == 1, out.stdout + out.stderr
        assert "secret_key: still the example value" in out.stdout
        assert "api_tokens.admin: still the example value" in out.stdout
        assert f"rooms.main ({room}): the bot is not in this room" in out.stdout
        assert "Traceback" not in out.stderr

        with synapse.client(bot) as b:
            b.join(room)
        out = run_overleg("check-config", "--quiet", config=cfg, cwd=tmp_path)
        assert "may not remove messages (power 0, needs 50)" in out.stdout, out.stdout

        levels = sec.call("GET", f"/_matrix/client/v3/rooms/{room}/state/m.room.power_levels/")
        levels["users"][bot.user_id] = 50
        sec.call("PUT", f"/_matrix/client/v3/rooms/{room}/state/m.room.power_levels/", json_body=levels)
    config["secret_key"] = secrets.token_hex(32)
    config["api_tokens"] = {"admin": secrets.token_urlsafe(24)}
    cfg.write_text(yaml.safe_dump(config))
    out = run_overleg("check-config", config=cfg, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"rooms.main ({room}): joined, may remove messages" in out.stdout
    assert f"bot login: {bot.user_id}" in out.stdout


def test_production_refuses_the_example_secrets_development_does_not(tmp_path):
    example = yaml.safe_load((REPO / "deploy" / "overleg.example.yaml").read_text())
    example["data_dir"] = str(tmp_path / "data")
    example.pop("database_url")  # nothing to reach here; the secrets are refused before anything starts
    # Only this machine is ever asked: nothing listens on these ports.
    example["matrix"]["homeserver_url"] = f"http://127.0.0.1:{free_port()}"
    for council in example["councils"]:
        council["caldav_url"] = f"http://127.0.0.1:{free_port()}/dav/"
    cfg = tmp_path / "overleg.yaml"
    cfg.write_text(yaml.safe_dump(example))
    out = run_overleg("migrate", config=cfg, cwd=tmp_path)
    assert out.returncode == 78, out.stdout + out.stderr
    for line in ("secret_key: still the example value", "api_tokens.partner: still the example value",
                 "matrix.access_token: still the example value"):
        assert line in out.stderr, out.stderr
    assert not (tmp_path / "data").exists()
    example["environment"] = "development"  # the local stack and the tests: allowed, check-config still says it
    cfg.write_text(yaml.safe_dump(example))
    assert run_overleg("migrate", config=cfg, cwd=tmp_path).returncode == 0
    checked = run_overleg("check-config", "--quiet", config=cfg, cwd=tmp_path)
    assert checked.returncode == 1
    assert "matrix.store_passphrase: not set, or still the example value" in checked.stdout
    assert "api_tokens.admin: still the example value" in checked.stdout
    assert "no answer" in checked.stdout and "Traceback" not in checked.stdout + checked.stderr


def test_the_local_stack_keeps_its_secrets_to_its_user(stack):
    """var/stack holds passwords, the registration secret, residents' data: readable by its user only."""
    for folder in (stack.root, stack.synapse.data_dir, stack.radicale.data_dir):
        assert (Path(folder).stat().st_mode & 0o077) == 0, folder
    for db in (Path(stack.root) / "data").rglob("*.db"):  # residents' data, the bot's token and keys
        assert (db.stat().st_mode & 0o077) == 0, db
