"""Keep footnotes on the page of their call.

Two decisions of WeasyPrint 70's line layout (layout/block.py, `_linebox_layout`)
print a footnote one or two pages after its call, which a reader of a magazine
notices at once:

- When a paragraph's next line does not fit and widows/orphans forbid breaking
  before it, WeasyPrint moves the page's earlier footnotes to the next page to
  make room for that line.  Breaking the paragraph normally (which widows and
  orphans already allow) is the right trade, so that decision is switched off.
- When a line holds a footnote call and the note does not fit below it,
  WeasyPrint keeps the line and sends the note to the next page
  (`footnote-policy: auto`).  The line now goes to the next page with its note,
  as a compositor would set it, whenever that is possible: the line is not the
  first of the page, widows and orphans allow the break (otherwise the whole
  paragraph moves, as WeasyPrint already does for a line that does not fit),
  and no note of the page was already sent on (then notes keep their order).
  WeasyPrint's own `footnote-policy: line` reports the note as well as moving
  the line, and loses notes.

Each patch is applied only if its exact lines are found, so a WeasyPrint
upgrade that changes them leaves WeasyPrint's behaviour untouched (and the
footnote tests will say so).
"""

from __future__ import annotations

import inspect
import textwrap

RESCUE_LINE = "report = not context.in_column and can_break_now and not could_break_before"
NOTE_OVERFLOW = """\
                if overflow:
                    context.report_footnote(footnote)
"""
# The line goes with its note: the notes of this line are taken back and the page breaks before it.
LINE_WITH_NOTE = """\
                if overflow and footnote.style['footnote_policy'] == 'auto' and (new_children or not page_is_empty) \\
                        and not context.reported_footnotes and not context.in_column:
                    for note in new_footnotes[line_notes_from:]:
                        context.unlayout_footnote(note)
                    del new_footnotes[line_notes_from:]
                    if needed := box.style['widows'] - 1:
                        for _ in lines_iterator:
                            needed -= 1
                            if needed == 0:
                                break
                    abort, stop, resume_at = _break_line(
                        context, box, line, new_children, needed, page_is_empty,
                        index, skip_stack, resume_at, absolute_boxes, fixed_boxes)
                    break_linebox = True
                    break
                if overflow:
                    context.report_footnote(footnote)
"""
NOTES_OF_LINE = """\
            break_linebox = False
"""
NOTES_OF_LINE_MARKED = """\
            break_linebox = False
            line_notes_from = len(new_footnotes)
"""


AREA_OVERFLOW = "overflow = last_child_bottom > footnote_area_bottom"
# The footnote area "overflows" when its last note ends 1e-13 pt below the area's own bottom, two sums of
# the same lengths in another order; the note then goes to the next page, however much room is left.
# WeasyPrint compares page positions with a relative margin of 1e-9 everywhere else
# (`LayoutContext.overflows`); here too.
AREA_OVERFLOW_FIXED = "overflow = self.overflows(footnote_area_bottom, last_child_bottom)"


def install() -> bool:
    """Both fixes, each applied on its own; True when both are in place."""
    from weasyprint import layout
    from weasyprint.layout import block

    lines = _patch(block, block, "_linebox_layout", ((RESCUE_LINE, "report = False"),
                                                     (NOTE_OVERFLOW, LINE_WITH_NOTE),
                                                     (NOTES_OF_LINE, NOTES_OF_LINE_MARKED)))
    area = _patch(layout, layout.LayoutContext, "_update_footnote_area", ((AREA_OVERFLOW, AREA_OVERFLOW_FIXED),))
    return lines and area


def _patch(module, owner, name: str, replacements) -> bool:
    """Compile `owner.name` again from its source with `replacements`, if each old text is found once."""
    function = getattr(owner, name)
    if getattr(function, "_pressroom_footnotes", False):
        return True
    source = textwrap.dedent(inspect.getsource(function))
    if any(source.count(old) != 1 for old, _ in replacements):
        return False
    for old, new in replacements:
        source = source.replace(old, new)
    namespace: dict = {}
    exec(compile(source, module.__file__, "exec"), module.__dict__, namespace)
    patched = namespace[name]
    patched._pressroom_footnotes = True
    setattr(owner, name, patched)
    return True
