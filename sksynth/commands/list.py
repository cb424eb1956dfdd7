"""``sksynth list``: the available generators."""

NAME = "list"
HELP = "List the generators available to `sksynth synthesize --generator`."


def add_arguments(parser):
    pass


def run(args):
    from ..generators._registry import _short_name
    from ..utils import all_estimators

    for name, cls in all_estimators("generator"):
        summary = (cls.__doc__ or "").strip().splitlines()[0]
        print(f"{_short_name(name):<18} {name:<28} {summary}")
    return 0
