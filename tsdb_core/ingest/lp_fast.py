"""The vectorised path of the line-protocol parser (placeholder: exact only)."""
from __future__ import annotations

from ..model import LineError
from . import lp_exact


def parse_text(text: str, multiplier: int, default_time: int):
    """(parts, errors, lines_seen, text_of) for a whole body."""
    pos, n, line = 0, len(text), 1
    rows, errors, texts = [], [], {}
    seen = 0
    while pos < n:
        end = lp_exact.scan_line(text, pos)
        block = text[pos:end]
        stripped, point, reason = lp_exact.parse_block(block, multiplier, default_time)
        if stripped is not None:
            seen += 1
            texts[line] = stripped
            if reason is not None:
                errors.append(LineError(line, stripped, reason))
            else:
                rows.append((line, point))
        line += block.count("\n") + 1
        pos = end + 1
    return lp_exact.points_to_parts(rows), errors, seen, texts.__getitem__
