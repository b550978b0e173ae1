"""``python -m planner.service [OPTIONS]``: the same as ``planner serve [OPTIONS]``."""

from __future__ import annotations

import sys

from planner.cli import main

if __name__ == "__main__":
    main(["serve", *sys.argv[1:]], prog_name="planner serve")
