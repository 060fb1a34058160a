"""Stage 4c, press: the print PDF made ready for a printing press (`--profile print`).

- Saddle stitching folds sheets of four pages, so the magazine's page count is
  padded to a multiple of 4 with "Notes" pages, placed before the back cover
  (never after it).  The pages come from the template (`show.notes`) and are laid
  out with the same stylesheets, bleed and crop marks as the rest.
- PDF/X-4 (ISO 15930-7): the XMP metadata says so (`pdfxid:GTS_PDFXVersion`),
  the Info dictionary has `/Trapped /False`, and the catalogue carries an output
  intent whose profile is the shipped `styles/icc/sRGB.icc` (see its LICENSE).
  WeasyPrint's own `pdf/x-4` variant writes no output intent, and the chunked
  render stitches several PDFs, so all of this is done here, once, on the final
  PDF.  The colours stay RGB, made device-independent through `/DefaultRGB`;
  docs/design.md says what to tell the printer.  Links and other annotations,
  which mean nothing on paper and which PDF/X restricts, are removed.

The result depends only on its input and the edition's date: rebuilding gives
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name

from pressroom.paths import STYLES

ICC_PROFILE = STYLES / "icc" / "sRGB.icc"
OUTPUT_CONDITION = "sRGB IEC61966-2.1"
SHEET = 4
PRODUCER = "Pressroom (WeasyPrint, pikepdf)"


def notes_needed(pages: int) -> int:
    """Pages to add so that `pages` is a multiple of four."""
    return (-pages) % SHEET


def finish(data: bytes, notes: bytes | None, published: dt.date) -> bytes:
    """The PDF/X-4 of `data`, with the pages of `notes` put before its last page (the back cover)."""
    pdf = pikepdf.open(io.BytesIO(data))
    if notes:
        extra = pikepdf.open(io.BytesIO(notes))
        back = len(pdf.pages) - 1
        for offset, page in enumerate(extra.pages):
            pdf.pages.insert(back + offset, page)
    profile = pdf.make_stream(ICC_PROFILE.read_bytes(), N=3)
    default_rgb = Array([Name.ICCBased, profile])
    for page in pdf.pages:
        if "/Annots" in page.obj:
            del page.obj["/Annots"]
        resources = page.obj.get("/Resources")
        if resources is None:
            page.obj.Resources = resources = Dictionary()
        spaces = resources.get("/ColorSpace")
        if spaces is None:
            resources.ColorSpace = Dictionary(DefaultRGB=default_rgb)
        else:
            spaces_copy = Dictionary({key: value for key, value in spaces.items()})
            spaces_copy.DefaultRGB = default_rgb
            resources.ColorSpace = spaces_copy
    pdf.Root.OutputIntents = Array([pdf.make_indirect(Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFX, OutputConditionIdentifier=pikepdf.String("Custom"),
        OutputCondition=pikepdf.String(OUTPUT_CONDITION), Info=pikepdf.String(OUTPUT_CONDITION),
        DestOutputProfile=profile))])
    info = pdf.docinfo
    info.Trapped = Name("/False")
    info.Producer = pikepdf.String(PRODUCER)
    title = str(info.get("/Title", ""))
    author = str(info.get("/Author", ""))
    pdf.Root.Metadata = pdf.make_stream(_xmp(title, author, published).encode("utf-8"),
                                        Type=Name.Metadata, Subtype=Name.XML)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True, force_version="1.6",
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _xmp(title: str, author: str, published: dt.date) -> str:
    when = f"{published.isoformat()}T00:00:00+00:00"
    document = uuid.UUID(bytes=hashlib.sha256(f"{title}\n{published}".encode()).digest()[:16], version=4)
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
   <xmp:MetadataDate>{when}</xmp:MetadataDate>
   <xmp:CreatorTool>Pressroom</xmp:CreatorTool>
   <xmpMM:DocumentID>uuid:{document}</xmpMM:DocumentID>
   <xmpMM:InstanceID>uuid:{document}</xmpMM:InstanceID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <pdf:Producer>{PRODUCER}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
