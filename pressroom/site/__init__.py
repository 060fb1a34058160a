"""`build.py site`: the library website and its OPDS catalogue, made from the built editions.

command.py   the command: checks Pagefind, builds stale publications (build.py NAME), then the site
sources.py   what is published: editions and compilations, their outputs, and the records the pages show
epubfile.py  what the site takes from a built EPUB: identifier, cover, images, contents
articles.py  an edition's article pages from the EPUB's own HTML fragments; a compilation's contents
library.py   the HTML pages (library, publication, article) from templates/site/
opds.py      the OPDS 1.2 catalogue
assets.py    stylesheet, subset web fonts, favicon, logo, covers and thumbnails; SVG that may only draw
search.py    the Pagefind index, made the same on every run
publish.py   what is made again on a run, and in which order
writer.py    the site folder: only allowed kinds of file, only when changed, nothing else left in it
"""
