"""The feed prerenderer's graceful stop (a worker's exit, a test before it drops its database):
the render under way finishes, nothing owed is rendered after it, and no thread is left."""
from __future__ import annotations

import threading
import time
import types

from services.calendar import feeds


class SlowPrerenderer(feeds.Prerenderer):
    def __init__(self, folder) -> None:  # type: ignore[no-untyped-def]
        super().__init__(db=None, settings=None, disk=types.SimpleNamespace(folder=folder))  # type: ignore[arg-type]
        self.started = threading.Event()
        self.release = threading.Event()
        self.rendered: list[str] = []

    def render_council(self, slug: str) -> int:
        self.started.set()
        self.release.wait(5)
        self.rendered.append(slug)
        return 1


def test_stop_waits_for_the_render_under_way_and_renders_nothing_after_it(tmp_path):
    prerender = SlowPrerenderer(tmp_path)
    prerender.request("kr")
    assert prerender.started.wait(5)
    prerender.request("kr")  # changed again while rendering: owed, but the stop drops it

    stopper = threading.Thread(target=prerender.stop)
    stopper.start()
    stopper.join(0.1)
    assert stopper.is_alive()  # the render under way is not cut off
    prerender.release.set()
    stopper.join(5)
    assert not stopper.is_alive()
    assert prerender.rendered == ["kr"]
    assert prerender._thread is None

    prerender.request("kr")  # a commit after the stop starts nothing
    time.sleep(0.05)
    assert prerender.rendered == ["kr"] and prerender._thread is None
    began = time.monotonic()
    prerender.wait_for("kr", timeout=2)  # nothing owed any more: a request does not wait
    assert time.monotonic() - began < 1


def test_stop_without_a_thread_returns_at_once(tmp_path):
    prerender = SlowPrerenderer(tmp_path)
    prerender.stop()
    prerender.request("kr")
    assert prerender._thread is None and prerender.rendered == []
