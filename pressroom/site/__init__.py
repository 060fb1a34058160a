"""`build.py site`: the library website and its OPDS catalogue, made from the built editions.

command.py   the command: builds stale editions, then the site
sources.py   what is published: editions and compilations, their outputs, and the records the pages show
epubfile.py  what the site takes from a built EPUB: identifier, cover, images, contents
library.py   the HTML pages (library, publication, article) from templates/site/
opds.py      the OPDS 1.2 catalogue
assets.py    stylesheet, subset web fonts, favicon, logo, covers and thumbnails
search.py    the Pagefind index, made deterministic
publish.py   the writer: only allowed kinds of file, only when changed, and nothing else left in the folder
"""
