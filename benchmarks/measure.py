"""Run a command in a child process and measure its wall time and peak memory (the child's own
maximum resident set, from wait4)."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class StageFailed(RuntimeError):
    """A measured command did not succeed."""


@dataclass(frozen=True)
class Measurement:
    wall_seconds: float
    peak_mb: float
    output: str


def measure(
    command: Sequence[str | Path], env: dict[str, str] | None = None, cwd: Path | None = None
) -> Measurement:
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(part) for part in command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=cwd,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise StageFailed(f"{' '.join(map(str, command))} exited {process.returncode}:\n{output[-3000:]}")
    return Measurement(wall, usage.ru_maxrss / 1024, output)


def measure_median(
    command: Sequence[str | Path],
    repeats: int,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    repeat_below_seconds: float = 30.0,
) -> Measurement:
    """The median wall time of up to `repeats` runs (one run when it takes longer than
    `repeat_below_seconds`), with the largest peak memory seen."""
    runs = [measure(command, env, cwd)]
    while len(runs) < repeats and runs[0].wall_seconds < repeat_below_seconds:
        runs.append(measure(command, env, cwd))
    return Measurement(
        statistics.median(run.wall_seconds for run in runs), max(run.peak_mb for run in runs), runs[-1].output
    )
