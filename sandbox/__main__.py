"""``python -m sandbox`` and the ``sandbox`` command.

A recorded ``audit run`` spends most of its time importing MLflow, so that
import starts in a helper process (:mod:`models.run_logger`) before the CLI
itself loads; everything else is the CLI (:mod:`sandbox.cli`).
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def _records_an_audit(argv: list[str]) -> bool:
    """``audit run`` that will record (no ``--dry-run``, no ``--help``)."""
    try:
        at = argv.index("audit")
    except ValueError:
        return False
    return argv[at + 1:at + 2] == ["run"] and not {"--dry-run", "--help", "-h"} & set(argv)


def main() -> None:
    if _records_an_audit(sys.argv[1:]):
        from models.run_logger import start_early

        start_early(experiment="fairness-audits")
    from sandbox.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
