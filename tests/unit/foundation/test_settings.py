from shared.settings import load_settings


def test_config_file_and_environment(tmp_path, monkeypatch):
    config = tmp_path / "overleg.yaml"
    config.write_text(
        "data_dir: /srv/overleg\n"
        "api_tokens: {bot: from-file}\n"
        "councils:\n"
        "  - slug: klantenraad\n"
        "    name: Klantenraad\n"
        "    rooms: {main: '!main:x', signals: '!sig:x', themes: {overlast: '!ov:x'}}\n"
    )
    monkeypatch.setenv("OVERLEG_CONFIG", str(config))
    monkeypatch.setenv("OVERLEG_MAX_REQUEST_BYTES", "1234")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/overleg")
    s = load_settings()
    assert s.max_request_bytes == 1234  # environment
    assert s.token_for("bot") == "from-file"  # file
    assert s.database_url_for("signals") == "postgresql://db/overleg"
    # The bot's own state stays in SQLite beside its crypto store (one device, one backup unit).
    assert s.database_url_for("bot") == "sqlite:////srv/overleg/bot.db"
    council = s.council_for_room("!ov:x")
    assert council is not None and council.slug == "klantenraad"
    assert council.rooms.signals_room("overlast") == "!ov:x"
    assert council.rooms.signals_room("onderhoud") == "!sig:x"
    assert s.caller_for_token("from-file") == "bot"
    assert s.caller_for_token("nope") is None


def test_sqlite_is_the_default(tmp_path, monkeypatch):
    (tmp_path / "empty.yaml").write_text("")
    monkeypatch.setenv("OVERLEG_CONFIG", str(tmp_path / "empty.yaml"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    s = load_settings(data_dir=tmp_path)
    assert s.database_url_for("calendar") == f"sqlite:///{tmp_path.resolve()}/calendar.db"


def test_json_logs_are_one_object_per_line_and_http_clients_stay_quiet(capsys):
    import json
    import logging

    from shared.logs import configure_logging

    configure_logging("INFO", "json")
    try:
        logging.getLogger("overleg.test").info("round %s opened", 12)
        logging.getLogger("httpx").info('HTTP Request: GET http://x/members/@anna:x "HTTP/1.1 200 OK"')
        lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(lines) == 1, lines  # the client's line with a member id in its URL is not written
        entry = json.loads(lines[0])
        assert entry["message"] == "round 12 opened" and entry["level"] == "INFO" and entry["logger"] == "overleg.test"
    finally:
        configure_logging("INFO", "text")


def test_a_bewonerscommissie_room_is_joined_and_posted_to_but_takes_no_commands(tmp_path):
    settings = load_settings(data_dir=tmp_path, councils=[{
        "slug": "klantenraad", "name": "Klantenraad", "rooms": {"main": "!main:example.org"},
        "bewonerscommissies": [{"id": "carnisse", "name": "Bewonerscommissie Carnisse", "wijk": "Carnisse",
                                "room_id": "!bc:example.org"},
                               {"id": "tarwewijk", "name": "Bewonerscommissie Tarwewijk", "wijk": "Tarwewijk",
                                "email": "bc-tarwewijk@example.org"}]}])
    assert settings.rooms_to_join() == {"!main:example.org", "!bc:example.org"}
    assert settings.council_for_room("!bc:example.org") is None  # commands there are not the council's
    assert settings.council_for_room("!main:example.org").slug == "klantenraad"
