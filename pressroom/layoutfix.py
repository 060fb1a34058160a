"""Keep footnotes on the page of their call.

WeasyPrint 70, when a paragraph's next line does not fit and widows/orphans
forbid breaking before it, moves the page's earlier footnotes to the next
page to make room for that line (layout/block.py, `_linebox_layout`).  The
footnotes then print one or two pages after their calls, which a reader of a
magazine notices at once.  Breaking the paragraph normally (which widows and
orphans already allow) is the right trade, so that one decision is switched
off.  The patch is applied only if the exact line is found, so a WeasyPrint
upgrade that changes it leaves WeasyPrint's behaviour untouched (and the
footnote tests will say so).
"""

from __future__ import annotations

import inspect

RESCUE_LINE = "report = not context.in_column and can_break_now and not could_break_before"


def install() -> bool:
    from weasyprint.layout import block

    if getattr(block._linebox_layout, "_pressroom_footnotes", False):
        return True
    source = inspect.getsource(block._linebox_layout)
    if source.count(RESCUE_LINE) != 1:
        return False
    namespace: dict = {}
    exec(compile(source.replace(RESCUE_LINE, "report = False"), block.__file__, "exec"), block.__dict__, namespace)
    patched = namespace["_linebox_layout"]
    patched._pressroom_footnotes = True
    block._linebox_layout = patched
    return True
