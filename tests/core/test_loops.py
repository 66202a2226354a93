"""The scheduler's loops: off at 0, and a failed round does not end the loop."""

from __future__ import annotations

import asyncio

from core.loops import every


def test_a_loop_set_to_zero_does_not_run() -> None:
    rounds: list[int] = []

    async def step() -> None:
        rounds.append(1)

    asyncio.run(asyncio.wait_for(every(0, step, "test loop"), 1))
    assert rounds == []


def test_a_failed_round_is_followed_by_the_next_one() -> None:
    rounds: list[int] = []

    async def step() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise ConnectionError("database restarting")

    async def run_a_while() -> None:
        task = asyncio.create_task(every(0.01, step, "test loop"))
        while len(rounds) < 3:
            await asyncio.sleep(0.01)
        task.cancel()

    asyncio.run(asyncio.wait_for(run_a_while(), 5))
    assert rounds[:3] == [0, 1, 2]
