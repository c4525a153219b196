"""Migrate the shop bot's database at start-up (README.md shows this file).

The bot calls migrate() in aiogram's on_startup, before it polls; run
alone, `python3 startup.py` does the same and stops.
"""
import asyncio
import logging
from pathlib import Path

import retort  # python/retort.py of retort, over libretort.so.0

# the folder of retort.ini (and of data.db, unless DATABASE_URL says otherwise)
PROJECT = Path(__file__).resolve().parent


def upgrade_head() -> retort.RunSummary:
    with retort.Retort(start_dir=PROJECT) as project:
        # in a container the database may still be starting: give it 30 s
        project.wait(30)
        return project.upgrade("head")


async def migrate() -> None:
    """Bring the database up to the head revision.  The work runs in a
    thread, so the event loop is not blocked while it waits for the
    database or for another instance's migration lock; a failure raises
    retort.RetortError (the message names the file:line) and the bot
    should not start."""
    done = await asyncio.to_thread(upgrade_head)
    logging.getLogger(__name__).info("database at %s (%d migrations run)",
                                     ", ".join(done.to) or "base", len(done.steps))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(migrate())
