"""``python -m components.regenerate``: rewrite the component package's generated files from the code.

First :mod:`components.args` (the ``TypedDict`` mirrors of the settings models, :mod:`components.mirrors`),
then ``provider/schema.json`` (the schema the provider serves, :mod:`components.provider`), which is
inferred from those mirrors: run it after adding or changing a settings field, an argument or an output
of a component. Run from a checkout of this repository; it prints what it rewrote.
"""

import sys


def main() -> int:
    from .mirrors import ARGS_FILE, write_mirrors

    changed = [ARGS_FILE] if write_mirrors() else []
    from .provider import SCHEMA_FILE, write_schema  # imported only now: the components' args are the mirrors just written

    changed += [SCHEMA_FILE] if write_schema() else []
    for path in changed:
        print(f"rewrote {path}")
    if not changed:
        print("up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
