"""Terminal rendering of a tone check (`triage check`)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

VERDICT_STYLE = {"accountable": "bold green", "neutral": "bold blue", "blame_shifting": "bold red"}


def render_check(draft: str, result: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    body = Text(draft)
    for span in result["spans"]:
        body.stylize("bold red underline", span["start"], span["end"])
    console.print(body)
    console.print()
    scores = ", ".join(f"{name} {value:.2f}" for name, value in result["scores"].items())
    console.print(Text(f"verdict: {result['tone']}", style=VERDICT_STYLE[result["tone"]]), f"({scores})")
    for number, span in enumerate(result["spans"], 1):
        console.print(Text(f"{number}. [{span['label']}] ", style="bold red"), Text(span["message"]))
        console.print(Text("   better: ", style="bold green"), Text(span["suggestion"]))
    present = ", ".join(result["elements"]["present"]) or "—"
    missing = ", ".join(result["elements"]["missing"]) or "—"
    console.print(f"present: {present}")
    console.print(Text(f"missing: {missing}", style="yellow"))
