"""Every limit the build enforces on content, in one place; docs/authoring.md lists them for editors
("What the build refuses, and why"). Each is far above what a real edition needs and low enough that
the build stays quick and its memory bounded whatever a file holds. Passing one is an error at the
line that passes it, never a hang.

Standard library only, with no side effect: any module may import it.
"""

from __future__ import annotations

# Files, checked before a byte is read.
MAX_YAML_BYTES = 256 * 1024          # brand.yaml or edition.yaml (the foreword included)
MAX_ARTICLE_BYTES = 512 * 1024       # one article, front matter included: ten times a long article
MAX_IMAGE_BYTES = 25 * 1024 * 1024   # one picture file
MAX_SVG_BYTES = 2 * 1024 * 1024      # one SVG drawing

# Pictures, checked from the file's header before it is decoded.
MAX_PIXELS = 40_000_000              # width × height: 40 megapixels is A3 at 300 dpi, 160 MB once decoded
# (Pillow's own Image.MAX_IMAGE_PIXELS is left as it is: `import` and `site` read headers past it on
# purpose. No picture reaches a renderer without passing MAX_PIXELS in stages/images.py first.)
MAX_SVG_ELEMENTS = 50_000            # shapes in one drawing, counting every copy a <use> makes

# Values in YAML: what prints on one line, and what prints as a paragraph (a question, a summary).
MAX_SHORT_TEXT = 500
MAX_LONG_TEXT = 5000

# Article bodies.
MAX_NESTING = 8                      # lists, quotes, boxes and footnotes inside each other
MAX_FOOTNOTES = 300                  # per article
MAX_IMAGES = 100                     # pictures per article
MAX_TABLE_ROWS = 500                 # per table
MAX_TABLE_COLUMNS = 30               # per table

