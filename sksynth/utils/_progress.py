"""Progress of long work: a bar in a terminal, plain lines in a log, or nothing.

Every long loop of sksynth (neural epochs, ForestFlow steps, AIM rounds,
cross-validation folds of the demo and the benchmarks) reports through
:func:`progress`, so that one rule holds everywhere:

* ``verbose=0``: silent;
* ``verbose>=1`` and stderr is an interactive terminal: a tqdm bar;
* ``verbose>=1`` and stderr is a file or a pipe (CI logs, ``2> log``): a
  few plain lines (``desc: 3/10``), without carriage returns or ANSI escape
  codes.
"""

import sys

__all__ = ["is_interactive", "progress"]


def is_interactive(stream=None):
    """Whether ``stream`` (default: stderr) is an interactive terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _PlainProgress:
    """Plain-line progress for logs: about ``n_lines`` lines, then a last one."""

    def __init__(self, iterable, total, desc, stream, n_lines=10):
        self.iterable = iterable
        self.total = total if total is not None else _length(iterable)
        self.desc = desc or "progress"
        self.stream = stream
        self.n = 0
        self.every = max(1, (self.total or 0) // n_lines) if self.total else 1
        self.postfix = ""

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.update(1)

    def update(self, k=1):
        self.n += k
        if self.n % self.every == 0 or (self.total and self.n >= self.total):
            self._write()

    def set_postfix_str(self, text, refresh=True):
        self.postfix = text

    def _write(self):
        of = f"/{self.total}" if self.total else ""
        extra = f" ({self.postfix})" if self.postfix else ""
        print(f"{self.desc}: {self.n}{of}{extra}", file=self.stream, flush=True)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Silent(_PlainProgress):
    def _write(self):
        pass


def _length(iterable):
    try:
        return len(iterable)
    except TypeError:
        return None


def progress(iterable=None, *, total=None, desc=None, verbose=1, stream=None):
    """Wrap ``iterable`` (or count ``update`` calls up to ``total``) with progress.

    Parameters
    ----------
    iterable : iterable, default=None
        What to loop over; ``None`` for a manual counter (call ``update``).
    total : int, default=None
        Number of steps (``len(iterable)`` when it has one).
    desc : str, default=None
        Label of the bar or of the log lines.
    verbose : int, default=1
        0: silent; >= 1: a bar in a terminal, plain lines otherwise.
    stream : file, default=None
        Where to write (default: stderr).

    Returns
    -------
    progress : iterable
        Yields the items of ``iterable``; has ``update(k)``,
        ``set_postfix_str(text)`` and ``close()``.

    Examples
    --------
    >>> import io
    >>> from sksynth.utils._progress import progress
    >>> log = io.StringIO()
    >>> sum(progress(range(4), desc="fit", stream=log))
    6
    >>> print(log.getvalue().splitlines()[-1])
    fit: 4/4
    >>> sum(progress(range(4), verbose=0, stream=log))
    6
    """
    stream = sys.stderr if stream is None else stream
    if verbose and is_interactive(stream):
        from tqdm.auto import tqdm

        return tqdm(iterable, total=total, desc=desc, file=stream, leave=False)
    if iterable is None:
        iterable = range(total or 0)
    if not verbose:
        return _Silent(iterable, total, desc, stream)
    return _PlainProgress(iterable, total, desc, stream)
