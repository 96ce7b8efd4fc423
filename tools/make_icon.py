"""Draw the program icon: ningxia_gis/resources/icons/ningxia_gis.png (256 px) and .ico (16–256 px).

    python tools/make_icon.py
A map sheet with a red-line parcel and the character 审 in the shipped Noto Sans SC.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "ningxia_gis" / "resources" / "icons"
FONT = ROOT / "ningxia_gis" / "resources" / "fonts" / "NotoSansSC-Regular.ttf"


def draw(size: int = 256) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 256
    d.rounded_rectangle([8 * s, 8 * s, 248 * s, 248 * s], radius=36 * s, fill=(38, 110, 72, 255))
    d.polygon([(40 * s, 70 * s), (150 * s, 44 * s), (214 * s, 120 * s), (170 * s, 214 * s), (60 * s, 190 * s)],
              fill=(236, 244, 226, 255), outline=(214, 39, 40, 255), width=max(2, round(10 * s)))
    font = ImageFont.truetype(str(FONT), round(118 * s))
    d.text((128 * s, 132 * s), "审", font=font, fill=(30, 60, 40, 255), anchor="mm")
    return img


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    img = draw(256)
    img.save(ICONS / "ningxia_gis.png")
    img.save(ICONS / "ningxia_gis.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128),
                                                 (256, 256)])
    print("wrote", ICONS)


if __name__ == "__main__":
    main()
