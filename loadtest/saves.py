"""The analysts in `make loadtest`: a save every 60/LOADTEST_SAVES_PER_MINUTE seconds, each
of a different generated meeting, through the model's save() as the admin's form does (its
history row and the data-version bump included), so that the researchers' load meets a cache
that every save invalidates. Runs until stopped; prints one line per save and a summary."""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    import django

    django.setup()
    from django.db import transaction

    from summits.models import Meeting

    per_minute = float(os.environ.get("LOADTEST_SAVES_PER_MINUTE", "3"))
    if per_minute <= 0:
        return
    interval = 60 / per_minute
    ids = list(Meeting.objects.filter(slug__startswith="gen-").values_list("pk", flat=True)[:5000])
    chooser = random.Random(0)
    saves, spent = 0, 0.0
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        time.sleep(interval)
        if stopping:
            break
        started = time.perf_counter()
        with transaction.atomic():
            meeting = Meeting.objects.select_for_update().get(pk=chooser.choice(ids))
            # An analyst's small correction: a summary's trailing space added or removed.
            text = meeting.summary or ""
            meeting.summary = text[:-1] if text.endswith(" ") else text + " "
            meeting.save()
        saves += 1
        spent += time.perf_counter() - started
        print(f"saved {meeting.slug}", flush=True)
    print(f"{saves} analyst saves, {spent / max(saves, 1) * 1000:.0f} ms each", flush=True)


if __name__ == "__main__":
    main()
