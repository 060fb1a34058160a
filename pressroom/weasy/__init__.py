"""Every change Pressroom makes to WeasyPrint, installed by one `install()`.

The patches are written against one WeasyPrint release (SUPPORTED); `install()`
refuses any other version and raises when a patch does not apply, so an
upgrade fails loudly at the first build instead of printing subtly wrong pages.
Layout state that the patches share with the chunked renderer is declared in
`state.py`; the restricted URL fetcher and the log collector are in `fetch.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path

SUPPORTED = "70."  # the release the patches below are written for; pyproject pins weasyprint==70.*

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
  <config><rescan><int>0</int></rescan></config>
</fontconfig>
"""


class PatchError(RuntimeError):
    """WeasyPrint is not the release the patches are written for, or a patch did not apply."""


def isolate_fonts(fonts_dir: Path) -> None:
    """Make fontconfig (and so Pango) see the shipped fonts and nothing else. Call before importing WeasyPrint.

    One configuration file per fonts folder, written atomically: checkouts building at the same time never
    read each other's, nor a half-written one."""
    fonts = fonts_dir.resolve()
    key = hashlib.sha256(str(fonts).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"pressroom-fontconfig-{os.getuid()}" / key
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "fonts.conf"
    text = FONTS_CONF.format(fonts=fonts, cache=folder / "cache")
    if not conf.is_file() or conf.read_text() != text:
        temporary = folder / f".fonts.conf.{os.getpid()}"
        temporary.write_text(text)
        os.replace(temporary, conf)
    os.environ["FONTCONFIG_FILE"] = str(conf)


def install() -> None:
    """Apply every patch once per process; raises PatchError if WeasyPrint is another release or a patch fails."""
    import weasyprint

    if not weasyprint.__version__.startswith(SUPPORTED):
        raise PatchError(f"WeasyPrint {weasyprint.__version__} is installed, but Pressroom's layout fixes are "
                         f"written for WeasyPrint {SUPPORTED}x; install that release (pip install -e .)")
    from pressroom.weasy import actualtext, ellipsis, footnotecarry, layoutfix

    failed = [patch.__name__.rsplit(".", 1)[-1] for patch in (actualtext, ellipsis, footnotecarry, layoutfix)
              if not patch.install()]
    if failed:
        raise PatchError(f"WeasyPrint {weasyprint.__version__}: the patch(es) {', '.join(failed)} did not apply")


def prepare(fonts_dir: Path, published: dt.date) -> None:
    """Shipped fonts only, a reproducible clock, and the patches; then WeasyPrint is ready to render."""
    isolate_fonts(fonts_dir)
    # fontTools stamps subset fonts with the clock unless this is set; builds must be reproducible.
    os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime.combine(published, dt.time(), dt.timezone.utc).timestamp()))
    install()
