"""``python -m sandbox`` and the ``sandbox`` command.

A recorded ``audit run`` spends most of its time importing MLflow, so that
import starts in a helper process (:mod:`models.run_logger`) before the CLI
itself loads; everything else is the CLI (:mod:`sandbox.cli`).

``audit run`` is a short process that imports a lot and then works on a few
large arrays, so it runs with a large first-generation threshold of the
cyclic garbage collector (collections during the imports find nothing), and
it leaves without tearing its modules down: when the command is done (its
output written, its transaction committed, its report file renamed into
place) the ``atexit`` handlers run, the standard streams are flushed and the
process ends with its exit code (:func:`_leave`). A Spark run exits normally.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

_GC_THRESHOLD = (100_000, 50, 100)  # Python's default: (700, 10, 10)


def _is_audit_run(argv: list[str]) -> bool:
    """``audit run`` (not ``--help``)."""
    try:
        at = argv.index("audit")
    except ValueError:
        return False
    return argv[at + 1:at + 2] == ["run"] and not {"--help", "-h"} & set(argv)


def _records_an_audit(argv: list[str]) -> bool:
    """``audit run`` that will record (no ``--dry-run``, no ``--help``)."""
    return _is_audit_run(argv) and "--dry-run" not in argv


def _leave(code: object) -> None:
    """Exit with ``code`` now: ``atexit`` handlers, flushed stdout/stderr, no module teardown."""
    import atexit
    import os

    if not (code is None or isinstance(code, int)) or "pyspark" in sys.modules:
        raise SystemExit(code)  # a message to print, or a Spark session to stop: the normal way
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or a closed stream: nothing more to say
            pass
    os._exit(code or 0)


def main() -> None:
    argv = sys.argv[1:]
    audit_run = _is_audit_run(argv)
    if audit_run:
        import gc

        gc.set_threshold(*_GC_THRESHOLD)
        if _records_an_audit(argv):
            from models.run_logger import start_early

            start_early(experiment="fairness-audits")
    from sandbox.cli import main as cli_main

    if not audit_run:
        cli_main()
        return
    try:
        cli_main()
    except SystemExit as done:
        _leave(done.code)


if __name__ == "__main__":
    main()
