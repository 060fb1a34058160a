"""Draw the sample edition's GDP chart (content/2020-02-feb-march/gs3/images/gdp-growth.png).

Figures: real GDP growth (per cent, year on year) for the first three quarters of
2019-20, as published by the National Statistical Office on 28 February 2020
(Q1 and Q2 revised from the first estimates of 5.0 and 4.5 per cent).

Needs Pillow. Run from the repository root:
    python tools/make_sample_chart.py
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "styles" / "fonts"
OUT = ROOT / "content" / "2020-02-feb-march" / "gs3" / "images" / "gdp-growth.png"

DATA = [  # label, growth (per cent), first estimate or None
    ("Q1 (Apr\u2013Jun 2019)", 5.6, 5.0),
    ("Q2 (Jul\u2013Sep 2019)", 5.1, 4.5),
    ("Q3 (Oct\u2013Dec 2019)", 4.7, None),
]
W, H = 1600, 900
INK, GREY, RULE, BAR = "#1E1E24", "#5B5F6B", "#C9CED8", "#1F3A68"
TITLE = "Real GDP growth by quarter, 2019-20"
SUBTITLE = "Per cent, year on year, at constant (2011-12) prices"
SOURCE = ("Source: National Statistical Office, estimates released on 28 February 2020.\n"
          "Q1 and Q2 were first estimated at 5.0 and 4.5 per cent (marked in amber).")


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size)


def main() -> None:
    regular, bold = "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)

    d.text((100, 60), TITLE, font=font(bold, 52), fill=INK)
    d.text((100, 132), SUBTITLE, font=font(regular, 32), fill=GREY)

    left, right, top, bottom = 200, W - 100, 230, H - 190
    vmax = 7.0
    y_of = lambda v: bottom - (bottom - top) * v / vmax
    tick_font = font(regular, 28)
    for v in range(0, 8):
        y = y_of(v)
        d.line([(left, y), (right, y)], fill=RULE if v else GREY, width=2 if v else 3)
        label = f"{v}.0"
        tw = d.textlength(label, font=tick_font)
        d.text((left - 24 - tw, y), label, font=tick_font, fill=GREY, anchor="lm")

    slot = (right - left) / len(DATA)
    bar_w = slot * 0.46
    value_font, label_font = font(bold, 40), font(regular, 30)
    for i, (label, value, first) in enumerate(DATA):
        cx = left + slot * (i + 0.5)
        d.rectangle([cx - bar_w / 2, y_of(value), cx + bar_w / 2, bottom], fill=BAR)
        d.text((cx, y_of(value) - 14), f"{value:.1f}", font=value_font, fill=INK, anchor="md")
        d.text((cx, bottom + 22), label, font=label_font, fill=INK, anchor="ma")
        if first is not None:
            y = y_of(first)
            d.line([(cx - bar_w / 2 - 16, y), (cx + bar_w / 2 + 16, y)], fill="#B45309", width=5)

    # legend for the first-estimate marks
    lx, ly = right - 420, 160
    d.line([(lx, ly), (lx + 48, ly)], fill="#B45309", width=5)
    d.text((lx + 62, ly), "first estimate", font=font(regular, 28), fill=GREY, anchor="lm")

    d.multiline_text((100, H - 92), SOURCE, font=font(regular, 26), fill=GREY, spacing=8)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    img.quantize(colors=32, method=Image.Quantize.MEDIANCUT).save(OUT, optimize=True)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
