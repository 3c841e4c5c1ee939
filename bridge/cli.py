"""``trs-bridge``: the operator's command line. The only module that imports typer and rich."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Keeps DQT and the Teaching Record System in step.", no_args_is_help=True)


@app.command()
def demo(
    persons: Annotated[int, typer.Option(help="How many DQT persons to generate for the demo.")] = 2000,
    work_dir: Annotated[Path, typer.Option(help="Where generated data and certificates go.")] = Path("demo-data"),
) -> None:
    """Run the main job on the embedded default against a local DQT simulator."""
    from bridge.demo import run_demo

    raise typer.Exit(run_demo(work_dir=work_dir, persons=persons))


@app.callback()
def _root() -> None:
    """Keeps DQT and the Teaching Record System in step."""


if __name__ == "__main__":  # pragma: no cover
    app()
