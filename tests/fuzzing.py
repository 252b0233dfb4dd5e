"""Shared machinery of the fuzz tests: budgets, run counts and the hypothesis profiles.

`make test` runs each fuzz test for a bounded number of examples. `make fuzz` sets
`SDKGEN_FUZZ=1` and `FUZZ_SECONDS` (default 600): each fuzz test then keeps drawing fresh
examples (new random seeds) until its share of the wall-clock budget is used. The counts are
printed at the end of the pytest run (see `pytest_terminal_summary` in conftest.py).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable

from hypothesis import HealthCheck, Phase, settings

LONG = os.environ.get("SDKGEN_FUZZ") == "1"
BUDGET = float(os.environ.get("FUZZ_SECONDS", "600"))

# Share of the `make fuzz` budget per fuzz test (they run one after the other).
SHARES = {"specs": 0.6, "wire": 0.4}

# What the fuzz tests did in this process: printed by conftest's terminal summary.
STATS: Counter[str] = Counter()

_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
}
# Bounded: no shrinking (a generation takes a second; the failing example is printed as found).
settings.register_profile(
    "sdkgen-bounded",
    derandomize=True,
    print_blob=True,
    phases=[Phase.explicit, Phase.generate, Phase.target, Phase.explain],
    **_COMMON,  # type: ignore[arg-type]
)
settings.register_profile(
    "sdkgen-fuzz",
    derandomize=False,
    print_blob=True,
    phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink, Phase.explain],
    **_COMMON,  # type: ignore[arg-type]
)


def run_budgeted(kind: str, run: Callable[[int], None], *, bounded_examples: int, batch: int) -> None:
    """Run `run(max_examples)`: once with `bounded_examples` (make test), or in batches until the budget is spent (make fuzz).

    `run` must be a hypothesis test built for that many examples (see `given_with`); in the long
    run each batch starts from a new random seed, so batches do not repeat each other.
    """
    if not LONG:
        run(bounded_examples)
        return
    deadline = time.monotonic() + BUDGET * SHARES[kind]
    while time.monotonic() < deadline:
        run(batch)
