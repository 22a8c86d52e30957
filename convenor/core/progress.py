"""Progress bars for long command-line work."""

from __future__ import annotations

import sys
from collections.abc import Callable

from tqdm import tqdm


def bar_factory(label: str, *, enabled: bool = True) -> Callable[[int, int], Callable[[int], None]]:
    """A ``progress(total, done)`` factory, as :func:`run_import` expects, drawing on stderr."""

    def make(total: int, done: int) -> Callable[[int], None]:
        bar = tqdm(
            total=total,
            initial=done,
            desc=label,
            unit="row",
            file=sys.stderr,
            disable=not enabled,
            mininterval=0.2,
            dynamic_ncols=True,
        )

        def tick(n: int) -> None:
            bar.update(n)
            if bar.n >= total:
                bar.close()

        if total == 0:
            bar.close()
        return tick

    return make
