"""The page mark: each copy's id as a small QR code in the footer, beside the licence line.

Leaks are screenshots and phone photos of pages more often than files, and
there the text of the licence line is only pixels.  `trace` reads this code back
from a picture (copies/scan.py).  It is a version 1 code (21 modules) at error
correction level Q, holding the copy id as digits with a check (copyid.mark_payload),
9 mm wide: at 96 dpi a module is still about 1.6 pixels, which zxing-cpp reads
(the picture enlarged) after JPEG at quality 60 and a turn of two degrees.  It
sits in the bottom right corner, 5 mm above the edge and 5 mm from the side
(inside what office printers print), 3 mm clear of the running foot's end in
the 18 mm side margin, on a white ground of two modules so that it reads on a
page that is dark to its edge.

Drawn as vector rectangles in one path, so it survives re-distilling, and
filled dark grey, a little lighter than black, to sit quietly on the page.
"""

from __future__ import annotations

import segno

from pressroom.copies import copyid
from pressroom.copies.linefont import _num

MM = 72 / 25.4
SIZE = 9 * MM         # the code's 21 modules
QUIET = 2             # modules of white ground around it
RIGHT = 5 * MM        # from the page's right edge to the code
BOTTOM = 5 * MM       # from the page's bottom edge to the code
GREY = 0.15
MODULES = 21          # version 1
UNIT = SIZE / MODULES
GROUND = (MODULES + 2 * QUIET) * UNIT   # the form's width and height
LEFT_EDGE = RIGHT + SIZE + QUIET * UNIT  # how far from the right edge the form begins: the line must end before


def matrix(copy_id: str) -> tuple[bytearray, ...]:
    code = segno.make_qr(copyid.mark_payload(copy_id), error="q", boost_error=False, mode="numeric", version=1)
    return code.matrix


def form_content(copy_id: str) -> bytes:
    """The form's content stream: the white ground, then every dark module, in module units scaled to size."""
    rows = matrix(copy_id)
    side = MODULES + 2 * QUIET
    ops = [b"q %s 0 0 %s 0 0 cm" % (_num(UNIT), _num(UNIT)), b"1 g 0 0 %d %d re f" % (side, side),
           b"%s g" % _num(GREY)]
    for r, row in enumerate(rows):
        y = QUIET + MODULES - 1 - r
        c = 0
        while c < MODULES:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < MODULES and row[c]:
                c += 1
            ops.append(b"%d %d %d 1 re" % (QUIET + start, y, c - start))
    ops.append(b"f Q")
    return b"\n".join(ops)


def origin(width: float) -> tuple[float, float]:
    """Where the form's lower left corner goes on a page `width` wide (in the page's displayed coordinates)."""
    return width - LEFT_EDGE, BOTTOM - QUIET * UNIT
