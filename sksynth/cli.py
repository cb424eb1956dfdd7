"""The ``sksynth`` command line.

Each sub-command is a module of :mod:`sksynth.commands` that defines ``NAME``,
``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; they are found
automatically.
"""

import argparse
import importlib
import pkgutil
import sys

from . import __version__, commands

__all__ = ["main"]


def _command_modules():
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{commands.__name__}.{info.name}")


def build_parser():
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="sksynth", description="Synthetic tabular data with scikit-learn."
    )
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    for module in _command_modules():
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv=None):
    """Entry point of the ``sksynth`` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except (ValueError, TypeError, FileNotFoundError, KeyError) as exc:
        print(f"sksynth {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
