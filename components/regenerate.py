"""``python -m components.regenerate``: rewrite the generated files from the code.

:mod:`components.args`, the ``TypedDict`` mirrors of the settings models (:mod:`components.mirrors`):
run it after adding or changing a field of a settings model. Run from a checkout of this repository;
it prints what it rewrote.
"""

import sys


def main() -> int:
    from .mirrors import ARGS_FILE, write_mirrors

    changed = [ARGS_FILE] if write_mirrors() else []
    for path in changed:
        print(f"rewrote {path}")
    if not changed:
        print("up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
