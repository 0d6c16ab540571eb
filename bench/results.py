"""docs/benchmarks.md: each benchmark rewrites its own section and leaves the others."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = ("# Benchmarks\n\nFigures measured by the scripts in `bench/`, each run comparing our "
          "component with the stock one in the same run, on the same services.\n\n")


def write_section(title: str, section: str, former_titles: tuple[str, ...] = ()) -> None:
    """Replaces the section headed ``title`` (or a former title of it), else appends it."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    for heading in (title, *former_titles):
        if heading in text:
            start = text.index(heading)
            end = text.find("\n## ", start + 1)
            text = text[:start] + section.rstrip("\n") + "\n" + (
                "\n" + text[end + 1:] if end != -1 else "")
            break
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")
