"""Files the shop serves to the people entitled to them (downloads, rewards, cards).

They live under PRIVATE_DIR, never under static/ or the public media folder.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def private_path(relative: str | None) -> Path | None:
    """The file under PRIVATE_DIR that `relative` names; None when it is missing or
    would lead outside the folder (a `../` in a stored path is never followed)."""
    if not relative:
        return None
    private_dir = Path(current_app.config["PRIVATE_DIR"]).resolve()
    path = (private_dir / relative).resolve()
    if private_dir not in path.parents or not path.is_file():
        return None
    return path
