"""How the pipeline words what it tells people: one helper, so every message agrees in number."""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """`1 capture`, `2 captures`: printed counts agree in number."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
