"""The signals domain stays pure: no frameworks, no clock, no I/O at import."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[3] / "services" / "signals" / "domain"


def test_importing_the_domain_pulls_in_no_framework() -> None:
    code = (
        "import sys\n"
        "import services.signals.domain.scrub, services.signals.domain.themes, "
        "services.signals.domain.wijken, services.signals.domain.clustering, "
        "services.signals.domain.summary, services.signals.domain.intake, "
        "services.signals.domain.messages\n"
        "bad = [m for m in ('flask', 'nio', 'sqlalchemy', 'httpx', 'redis', 'aiohttp') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=DOMAIN.parents[2], check=True)
    assert out.stdout.strip() == ""


def test_no_clock_and_no_file_access_outside_the_loaders() -> None:
    for path in DOMAIN.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(?:datetime|date)\.(?:now|today|utcnow)\(|\btime\.time\(", source), path.name
        assert not re.search(r"\bopen\(", source), path.name
        reads = re.findall(r"\.read_text\(", source)
        # only load_default_taxonomy() and load_rotterdam() read the package's CSV files
        assert len(reads) == (1 if path.name in ("themes.py", "wijken.py") else 0), path.name
