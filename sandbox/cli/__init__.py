"""``sandbox`` command line: the same services as the workbench.

Each area registers its commands from its own module (``register(app)``), so
areas never edit each other's files.
"""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from sandbox.cli import audit, committee, core, models, ops, pii, privacy, review
from sandbox.cli._usage import SandboxGroup

__all__ = ["app", "main"]

app = typer.Typer(
    name="sandbox",
    help="算法监管沙盒 Algorithm Governance Sandbox — 模型登记 / 公平性审计 / 个人信息保护 / 伦理审查",
    no_args_is_help=True,
    cls=SandboxGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    lang: Annotated[Literal["zh", "en"] | None,
                    typer.Option("--lang", help="zh | en (default: SANDBOX_LANG or zh)")] = None,
) -> None:
    from sandbox.i18n import set_language

    set_language(lang)


for _area in (core, models, audit, pii, privacy, review, ops, committee):
    _area.register(app)


def main() -> None:
    import signal

    from sandbox.cli._common import terminate

    # SIGTERM (``kill``, ``timeout``, a scheduler stopping a job) ends Python without running any ``finally``:
    # a de-identification being written left its half-written temporary behind. Raised as an interruption
    # instead, every clean-up runs (temporaries removed, a Spark job cancelled), exit code 143.
    signal.signal(signal.SIGTERM, terminate)
    app()
