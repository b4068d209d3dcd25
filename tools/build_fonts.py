#!/usr/bin/env python3
"""Rebuild assets/fonts/ from the Debian Noto font packages.

Run from the repository root with the project virtualenv:

    .venv/bin/python tools/build_fonts.py            # build + verify
    .venv/bin/python tools/build_fonts.py --verify   # only verify what is there

Sources (Debian packages, must be installed):
  fonts-noto-core  /usr/share/fonts/truetype/noto/*.ttf
  fonts-noto-cjk   /usr/share/fonts/opentype/noto/NotoSansCJK-{Regular,Bold}.ttc

What it does:
  * Static TrueType fonts from fonts-noto-core are copied byte for byte
    (variable ones, should a future package ship them, are instanced at the
    wanted wght with fontTools.varLib.instancer).
  * The CFF-flavoured Noto Sans CJK faces are subset to the characters of the
    national standard character sets (GB 2312, Big5 level 1, JIS X 0208,
    KS X 1001) plus Latin-1, punctuation, fullwidth forms and every character
    used in the YAML of the languages set in a CJK face (their language file
    and handout translations; other languages never reach these faces), then
    converted to TrueType (quadratic glyf) outlines and renamed
    NotoSans{SC,TC,JP,KR}-{Regular,Bold}.
  * OFL.txt and SOURCES.md are (re)written.
  * Every output is checked: unique PostScript names, ReportLab TTFont loads
    it (and embeds a subset), HarfBuzz shapes a sample without .notdef, size
    budget.

The output is deterministic: same Debian package versions + same fontTools
version => byte-identical files (fixed head timestamps, PYTHONHASHSEED=0).
Re-run after translations add new CJK characters.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# Set-iteration order of str depends on the hash seed; pin it so that nothing
# inside fontTools can make the output vary between runs.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import fontTools  # noqa: E402
from fontTools import subset  # noqa: E402
from fontTools.pens.cu2quPen import Cu2QuPen  # noqa: E402
from fontTools.pens.ttGlyphPen import TTGlyphPen  # noqa: E402
from fontTools.ttLib import TTCollection, TTFont, newTable  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "assets" / "fonts"
CORE_DIR = Path("/usr/share/fonts/truetype/noto")
CJK_DIR = Path("/usr/share/fonts/opentype/noto")

# Versions the committed fonts were built with. A different version still
# builds, but the bytes may differ; the script then warns.
PINNED_FONTTOOLS = "4.68.0"
PINNED_PACKAGES = {
    "fonts-noto-core": "20201225-1",
    "fonts-noto-cjk": "1:20220127+repack1-1",
}

# head.created / head.modified of every rebuilt font: 2022-01-27 00:00:00 UTC
# (release date of the CJK sources), in seconds since 1904-01-01.
FIXED_TIMESTAMP = 3726086400

# Ship Bold for the CJK faces too? (measured: fits the budget, see SOURCES.md)
INCLUDE_CJK_BOLD = True

BUDGET_MB = 55  # soft target for assets/fonts (hard project limit: 60 MB)

CU2QU_MAX_ERR = 1.0  # font units (CJK fonts have 1000 UPM)

# (output file, source file in CORE_DIR, wght to instance at if variable)
CORE_FONTS = [
    ("NotoSans-Regular.ttf", "NotoSans-Regular.ttf", 400),
    ("NotoSans-Bold.ttf", "NotoSans-Bold.ttf", 700),
    ("NotoSans-Italic.ttf", "NotoSans-Italic.ttf", 400),
    ("NotoSansArmenian-Regular.ttf", "NotoSansArmenian-Regular.ttf", 400),
    ("NotoSansArmenian-Bold.ttf", "NotoSansArmenian-Bold.ttf", 700),
    ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf", 400),
    ("NotoNaskhArabic-Bold.ttf", "NotoNaskhArabic-Bold.ttf", 700),
    ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Regular.ttf", 400),
    ("NotoSansDevanagari-Bold.ttf", "NotoSansDevanagari-Bold.ttf", 700),
    ("NotoSansGurmukhi-Regular.ttf", "NotoSansGurmukhi-Regular.ttf", 400),
    ("NotoSansGurmukhi-Bold.ttf", "NotoSansGurmukhi-Bold.ttf", 700),
    ("NotoSansKhmer-Regular.ttf", "NotoSansKhmer-Regular.ttf", 400),
    ("NotoSansKhmer-Bold.ttf", "NotoSansKhmer-Bold.ttf", 700),
    ("NotoSansThai-Regular.ttf", "NotoSansThai-Regular.ttf", 400),
    ("NotoSansThai-Bold.ttf", "NotoSansThai-Bold.ttf", 700),
    ("NotoNastaliqUrdu-Regular.ttf", "NotoNastaliqUrdu-Regular.ttf", 400),
    ("NotoNastaliqUrdu-Bold.ttf", "NotoNastaliqUrdu-Bold.ttf", 700),
    ("NotoSansBengali-Regular.ttf", "NotoSansBengali-Regular.ttf", 400),
    ("NotoSansBengali-Bold.ttf", "NotoSansBengali-Bold.ttf", 700),
    ("NotoSansGujarati-Regular.ttf", "NotoSansGujarati-Regular.ttf", 400),
    ("NotoSansGujarati-Bold.ttf", "NotoSansGujarati-Bold.ttf", 700),
    ("NotoSansMyanmar-Regular.ttf", "NotoSansMyanmar-Regular.ttf", 400),
    ("NotoSansMyanmar-Bold.ttf", "NotoSansMyanmar-Bold.ttf", 700),
    ("NotoSansLao-Regular.ttf", "NotoSansLao-Regular.ttf", 400),
    ("NotoSansLao-Bold.ttf", "NotoSansLao-Bold.ttf", 700),
    ("NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Regular.ttf", 400),
    ("NotoSansEthiopic-Bold.ttf", "NotoSansEthiopic-Bold.ttf", 700),
]

# region tag in the Noto CJK family name -> human description of the charset
CJK_REGIONS = {
    "SC": "GB 2312",
    "TC": "Big5 level 1 + Big5 symbols",
    "JP": "JIS X 0208 + half-width katakana",
    "KR": "KS X 1001",
}
CJK_STYLES = ["Regular", "Bold"] if INCLUDE_CJK_BOLD else ["Regular"]

# Sample text per output family, shaped with HarfBuzz during verification.
SAMPLES = {
    "NotoSans": "Hello, Привет, Γειά σου, Tiếng Việt",
    "NotoSansArmenian": "Բարեւ",
    "NotoNaskhArabic": "مرحبا",
    "NotoSansDevanagari": "क्षत्रिय",
    "NotoSansGurmukhi": "ਪੰਜਾਬੀ",
    "NotoSansKhmer": "ភាសាខ្មែរ",
    "NotoSansThai": "ภาษาไทย",
    "NotoNastaliqUrdu": "اردو زبان",
    "NotoSansBengali": "বাংলা ভাষা",
    "NotoSansGujarati": "ગુજરાતી ભાષા",
    "NotoSansMyanmar": "မြန်မာဘာသာ",
    "NotoSansLao": "ພາສາລາວ",
    "NotoSansEthiopic": "አማርኛ ፡ ትግርኛ።",
    "NotoSansSC": "中文，测试。简体字",
    "NotoSansTC": "中文，測試。繁體字",
    "NotoSansJP": "日本語，テスト。ｶﾀｶﾅ",
    "NotoSansKR": "한국어，테스트。",
}
CJK_MIXED_SAMPLE = "中文，測試。日本語 한국어"
# Characters a leaflet needs in any script (numbers, times, percentages...).
COMMON_PUNCT = "0123456789.,:()%/?!"


# --------------------------------------------------------------------------
# character sets


def _decode_two_byte(codec, leads, trails, ranges=None):
    out = set()
    for lead in leads:
        for trail in trails:
            code = lead << 8 | trail
            if ranges and not any(lo <= code <= hi for lo, hi in ranges):
                continue
            try:
                s = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(s) == 1:
                out.add(ord(s))
    return out


def charset_gb2312():
    out = set()
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        out.add(cp)
    return out


def charset_big5():
    trails = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
    return _decode_two_byte(
        "big5", range(0xA1, 0xC7), trails,
        ranges=[(0xA140, 0xA3BF), (0xA440, 0xC67E)])


def charset_jis0208():
    out = _decode_two_byte("euc_jp", range(0xA1, 0xFF), range(0xA1, 0xFF))
    for k in range(0xA1, 0xE0):  # half-width katakana (EUC-JP SS2)
        out.add(ord(bytes((0x8E, k)).decode("euc_jp")))
    return out


def charset_ksx1001():
    return _decode_two_byte("euc_kr", range(0xA1, 0xFF), range(0xA1, 0xFF))


CHARSET_FUNCS = {
    "SC": charset_gb2312,
    "TC": charset_big5,
    "JP": charset_jis0208,
    "KR": charset_ksx1001,
}


def common_chars():
    cps = set(range(0x20, 0x7F))          # ASCII
    cps |= set(range(0xA0, 0x100))        # Latin-1 supplement
    cps |= set(range(0x2000, 0x2070))     # General punctuation
    cps |= set(range(0x3000, 0x3040))     # CJK symbols and punctuation
    cps |= set(range(0xFF00, 0xFFF0))     # Halfwidth and fullwidth forms
    return cps


def cjk_languages():
    """Codes of the languages whose font stacks name a CJK face (assets/languages/*.yaml)."""
    import yaml
    faces = tuple(f"NotoSans{r}-" for r in CJK_REGIONS)
    out = []
    for path in sorted((REPO / "assets" / "languages").glob("*.yaml")):
        stacks = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("fonts") or {}
        if any(str(n).startswith(faces) for names in stacks.values() for n in names or ()):
            out.append(path.stem)
    return out


def yaml_files():
    """The YAML whose characters go into the CJK subsets: the language files and handout
    translations of the languages set in a CJK face. Other languages never reach these faces
    (their stacks do not name them), so adding one does not change the CJK fonts."""
    files = []
    for code in cjk_languages():
        files += list((REPO / "handouts").glob(f"*/{code}.yaml"))
        files.append(REPO / "assets" / "languages" / f"{code}.yaml")
    return sorted(files)


def repo_chars():
    cps = set()
    for path in yaml_files():
        for ch in path.read_text(encoding="utf-8"):
            if unicodedata.category(ch) not in ("Cc", "Cs"):
                cps.add(ord(ch))
    return cps


# --------------------------------------------------------------------------
# font helpers


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def debian_package(path):
    """(package, version) owning *path*, via dpkg."""
    try:
        out = subprocess.run(["dpkg-query", "-S", str(path)], check=True,
                             capture_output=True, text=True).stdout
        pkg = out.split(":", 1)[0].strip()
        ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                             check=True, capture_output=True,
                             text=True).stdout.strip()
        return pkg, ver
    except (OSError, subprocess.CalledProcessError):
        return "unknown", "unknown"


def ps_name(font):
    return font["name"].getDebugName(6)


def rename(font, replacements, unique_suffix=None):
    """Replace substrings in name ids 1,3,4,6,16,17 (all platforms/langs)."""
    name = font["name"]
    for rec in name.names:
        if rec.nameID not in (1, 3, 4, 6, 16, 17):
            continue
        s = rec.toUnicode()
        for old, new in replacements:
            s = s.replace(old, new)
        if rec.nameID == 3 and unique_suffix and not s.endswith(unique_suffix):
            s += unique_suffix
        rec.string = s


def set_fixed_timestamps(font):
    font["head"].created = FIXED_TIMESTAMP
    font["head"].modified = FIXED_TIMESTAMP


def cff_to_glyf(font, max_err=CU2QU_MAX_ERR, reverse_direction=True):
    """Convert a CFF-flavoured TTFont in place to TrueType glyf outlines."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for gname in glyph_order:
        tt_pen = TTGlyphPen(None)
        glyph_set[gname].draw(Cu2QuPen(tt_pen, max_err,
                                       reverse_direction=reverse_direction))
        glyphs[gname] = tt_pen.glyph()

    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")

    # Side bearings follow the new (quadratic) bounding boxes; keep the
    # vertical origin from VORG by expressing it as vmtx top side bearing.
    hmtx = font["hmtx"]
    vmtx = font["vmtx"] if "vmtx" in font else None
    vorg = font["VORG"] if "VORG" in font else None
    for gname, g in glyphs.items():
        g.recalcBounds(glyf)
        has_outline = g.numberOfContours != 0
        adv, _lsb = hmtx[gname]
        hmtx[gname] = (adv, g.xMin if has_outline else 0)
        if vmtx is not None and vorg is not None and has_outline:
            vadv, _tsb = vmtx[gname]
            origin_y = vorg.VOriginRecords.get(gname, vorg.defaultVertOriginY)
            vmtx[gname] = (vadv, origin_y - g.yMax)

    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]

    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(glyph_order)
    for attr in ("maxZones",):
        setattr(maxp, attr, 1)
    for attr in ("maxPoints", "maxContours", "maxCompositePoints",
                 "maxCompositeContours", "maxTwilightPoints", "maxStorage",
                 "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                 "maxSizeOfInstructions", "maxComponentElements",
                 "maxComponentDepth"):
        setattr(maxp, attr, 0)
    font["maxp"] = maxp  # point/contour maxima are recalculated on save

    post = font["post"]
    post.formatType = 3.0  # no glyph names (CID names carry no information)
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = None

    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def cjk_face_index(ttc_path, region):
    """Index of the 'Noto Sans CJK <region>' face, found by its name table."""
    want = f"Noto Sans CJK {region}"
    coll = TTCollection(str(ttc_path), lazy=True)
    hits = [i for i, f in enumerate(coll.fonts)
            if f["name"].getDebugName(1) == want]
    if len(hits) != 1:
        raise SystemExit(f"{ttc_path}: expected one face named {want!r}, "
                         f"found {hits}")
    return hits[0]


def build_cjk(region, style, extra_cps):
    """Worker: subset + convert one CJK face. Returns a metadata dict."""
    src = CJK_DIR / f"NotoSansCJK-{style}.ttc"
    index = cjk_face_index(src, region)
    out_stem = f"NotoSans{region}-{style}"
    out_path = OUT / f"{out_stem}.ttf"

    # (gb2312 also "encodes" the ASCII control characters: leave them out)
    standard = {cp for cp in CHARSET_FUNCS[region]()
                if unicodedata.category(chr(cp)) != "Cc"}
    wanted = standard | common_chars() | extra_cps

    font = TTFont(str(src), fontNumber=index, recalcTimestamp=False,
                  recalcBBoxes=True, lazy=False)
    old_family = font["name"].getDebugName(1)
    old_ps = ps_name(font)
    available = set(font.getBestCmap())

    opts = subset.Options()
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.recalc_timestamp = False
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)

    cff_to_glyf(font)
    rename(font, [(old_ps, out_stem),
                  (old_family, f"Noto Sans {region}")],
           unique_suffix=";leaflet-press")
    set_fixed_timestamps(font)

    tmp = out_path.with_suffix(".ttf.tmp")
    font.save(str(tmp))
    os.replace(tmp, out_path)

    mapped = len(font.getBestCmap())
    from_yaml = sorted((extra_cps & available) - standard - common_chars())
    return {
        "file": out_path.name,
        "source": src,
        "face": index,
        "source_name": old_ps,
        "standard_chars": len(standard),
        "standard_missing": sorted(standard - available),
        "from_yaml": from_yaml,
        "requested": len(wanted),
        "mapped": mapped,
        "action": (f"face {index} ({old_ps}); subset to {mapped} chars "
                   f"({CJK_REGIONS[region]} + common + repo YAML); "
                   f"CFF → TrueType glyf (cu2qu, max err {CU2QU_MAX_ERR:g}); "
                   f"hinting dropped; renamed {out_stem}"),
    }


def build_core(out_name, src_name, wght):
    src = CORE_DIR / src_name
    out_path = OUT / out_name
    font = TTFont(str(src), lazy=True)
    if "glyf" not in font:
        raise SystemExit(f"{src}: not a TrueType (glyf) font")
    if "fvar" not in font:
        font.close()
        shutil.copyfile(src, out_path)
        return {"file": out_name, "source": src, "action": "copied as is"}

    # Variable source: instance it at the wanted weight and give the static
    # result RIBBI names matching the output file name.
    from fontTools.varLib import instancer
    font = TTFont(str(src), recalcTimestamp=False)
    name = font["name"]
    old_family = name.getDebugName(16) or name.getDebugName(1)
    version = f"{font['head'].fontRevision:.3f}"
    axes = {a.axisTag: a.defaultValue for a in font["fvar"].axes}
    axes["wght"] = wght
    font = instancer.instantiateVariableFont(font, axes, updateFontNames=False)
    stem = Path(out_name).stem
    style = {"Regular": "Regular", "Bold": "Bold", "Italic": "Italic",
             "BoldItalic": "Bold Italic"}[stem.rpartition("-")[2]]
    name = font["name"]
    for nid in (1, 2, 3, 4, 6, 16, 17):
        name.removeNames(nameID=nid)
    name.setName(old_family, 1, 3, 1, 0x409)
    name.setName(style, 2, 3, 1, 0x409)
    name.setName(f"{version};{stem}", 3, 3, 1, 0x409)
    name.setName(f"{old_family} {style}", 4, 3, 1, 0x409)
    name.setName(stem, 6, 3, 1, 0x409)
    os2, head = font["OS/2"], font["head"]
    os2.usWeightClass = wght
    bold, italic = "Bold" in style, "Italic" in style
    os2.fsSelection = (os2.fsSelection & ~0b1100001) | (bold << 5) | italic \
        | ((not bold and not italic) << 6)
    head.macStyle = (head.macStyle & ~0b11) | bold | (italic << 1)
    set_fixed_timestamps(font)
    tmp = out_path.with_suffix(".ttf.tmp")
    font.save(str(tmp))
    os.replace(tmp, out_path)
    return {"file": out_name, "source": src,
            "action": f"instanced at wght={wght} from {old_family} variable font"}


# --------------------------------------------------------------------------
# uniqueness, licence, documentation


def ensure_unique_ps_names(files):
    seen = {}
    for fname in files:
        path = OUT / fname
        font = TTFont(str(path), recalcTimestamp=False)
        name = ps_name(font)
        if name in seen:
            stem = Path(fname).stem
            print(f"  PostScript name {name} of {fname} already used by "
                  f"{seen[name]}: renaming to {stem}")
            rename(font, [(name, stem)])
            set_fixed_timestamps(font)
            font.save(str(path))
            name = stem
            if name in seen:
                raise SystemExit(f"cannot make PostScript name {name} unique")
        seen[name] = fname
        font.close()
    return seen


OFL_SOURCES = [
    Path("/usr/share/doc/fonts-noto-cjk/copyright"),
    Path("/usr/share/doc/fonts-noto-core/copyright"),
]


def ofl_text():
    for path in OFL_SOURCES:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        m = re.search(r"^License: (?:SIL-1\.1|OFL-1\.1)\n((?: .*\n)+)", text,
                      re.M)
        if m and "DISCLAIMER" in m.group(1):
            lines = []
            for line in m.group(1).splitlines():
                line = line[1:]
                lines.append("" if line == "." else line)
            return "\n".join(lines).strip("\n") + "\n", path
    raise SystemExit("SIL OFL 1.1 text not found in Debian copyright files")


def write_ofl(files):
    body, src = ofl_text()
    notices = []
    for fname in files:
        n = TTFont(str(OUT / fname), lazy=True)["name"].getDebugName(0)
        if n and n not in notices:
            notices.append(n)
    head = "\n".join(notices)
    text = (f"{head}\n\n"
            "This Font Software is licensed under the SIL Open Font License, "
            "Version 1.1.\nThis license is copied below.\n\n" + body)
    (OUT / "OFL.txt").write_text(text, encoding="utf-8")
    return src


def write_sources(rows, ofl_src, charset_info):
    pkgs = {}
    lines = [
        "# Fonts: sources and build",
        "",
        "Generated by `tools/build_fonts.py` — do not edit by hand; rebuild "
        "instead. All fonts are Noto, licensed under the SIL Open Font "
        f"License 1.1 (`OFL.txt`, text taken from `{ofl_src}`).",
        "",
        "| File | Source file | Debian package | What was done | Size | Glyphs"
        " | SHA-256 (first 16) |",
        "|---|---|---|---|---:|---:|---|",
    ]
    for r in rows:
        pkg, ver = debian_package(r["source"])
        pkgs[pkg] = ver
        src = str(r["source"])
        if "face" in r:
            src += f" (face {r['face']})"
        lines.append(
            f"| {r['file']} | `{src}` | {pkg} {ver} | {r['action']} | "
            f"{r['size'] / 1024:,.0f} KiB | {r['glyphs']:,} | "
            f"`{r['sha256'][:16]}` |")
    total = sum(r["size"] for r in rows)
    lines += [
        "",
        f"Total of the font files: {total / 2**20:.1f} MiB "
        f"(budget {BUDGET_MB} MB, hard limit 60 MB).",
        "",
    ]
    if INCLUDE_CJK_BOLD:
        lines.append("CJK: Regular **and Bold** are shipped for SC, TC, JP "
                     "and KR (both fit the budget).")
    else:
        lines.append("CJK: **Regular only** — Regular + Bold for all four "
                     "CJK faces does not fit the size budget; bold CJK text "
                     "falls back to the Regular face.")
    lines += [
        "",
        "## CJK subsets",
        "",
        "Each CJK face keeps the characters below (only those the Noto face "
        "actually has), plus ASCII, Latin-1 (U+00A0–00FF), General "
        "Punctuation (U+2000–206F), CJK Symbols and Punctuation "
        "(U+3000–303F), Halfwidth and Fullwidth Forms (U+FF00–FFEF), and every "
        "character that occurs in the language file and handout translations "
        "of the languages set in a CJK face (" + ", ".join(cjk_languages()) + ") "
        "that the Noto face has (count in the last column; this includes e.g. "
        "Hangul in the SC face since a Korean translation exists — harmless, "
        "a few hundred glyphs). Languages in other scripts never reach these "
        "faces, so adding one leaves the CJK fonts unchanged. GSUB/GPOS are kept with fontTools' default layout "
        "features (incl. `locl`, `vert`, `palt`), so glyphs reachable from "
        "the kept characters through those features are kept too. Hinting "
        "is dropped. CFF outlines are converted to quadratic TrueType "
        f"outlines (cu2qu, max error {CU2QU_MAX_ERR:g} unit at 1000 UPM, "
        "direction reversed), `post` is format 3 (no glyph names), `VORG` "
        "is folded into `vmtx` top side bearings, `head` timestamps are "
        f"fixed ({FIXED_TIMESTAMP}, 2022-01-27).",
        "",
        "| Face | Standard | How the standard set is enumerated | Chars in "
        "standard | Not in the Noto face (fall back to NotoSans) | Chars "
        "added from repo YAML beyond standard + common sets |",
        "|---|---|---|---:|---|---|",
    ]
    how = {
        "SC": "every code point encodable with Python codec `gb2312`",
        "TC": "codec `big5`, codes 0xA140–0xA3BF (symbols) and "
              "0xA440–0xC67E (level 1 hanzi)",
        "JP": "codec `euc_jp`, two-byte codes 0xA1A1–0xFEFE, plus half-width "
              "katakana (0x8EA1–0x8EDF)",
        "KR": "codec `euc_kr`, two-byte codes 0xA1A1–0xFEFE",
    }
    def cps(seq):
        """Compact code point list: runs become ranges."""
        runs = []
        for c in seq:
            if runs and c == runs[-1][1] + 1:
                runs[-1][1] = c
            else:
                runs.append([c, c])
        return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}–{b:04X}"
                         for a, b in runs) or "—"

    for region, (count, missing, from_yaml) in charset_info.items():
        lines.append(f"| {region} | {CJK_REGIONS[region]} | {how[region]} | "
                     f"{count:,} | {len(missing)}: {cps(missing)} | "
                     f"{len(from_yaml)} |")
    lines += [
        "",
        "Output font names: family `Noto Sans SC` / `TC` / `JP` / `KR`, "
        "PostScript names equal to the file names (e.g. "
        "`NotoSansSC-Regular`); name id 3 ends in `;leaflet-press` to mark "
        "the modified version. All PostScript names (name id 6) in this "
        "directory are unique; the script checks this.",
        "",
        "## Rebuild",
        "",
        "```sh",
        "sudo apt-get install fonts-noto-core fonts-noto-cjk",
        ".venv/bin/python tools/build_fonts.py",
        "```",
        "",
        "Run it again whenever translations add CJK characters. The build is "
        "deterministic (fixed timestamps, `PYTHONHASHSEED=0`): with the same "
        "inputs the SHA-256 sums above are reproduced exactly. Inputs:",
        "",
    ]
    for pkg, ver in sorted(pkgs.items()):
        lines.append(f"- Debian package `{pkg}` {ver}")
    lines.append(f"- fontTools {fontTools.version}")
    lines += [
        "",
        "`.venv/bin/python tools/build_fonts.py --verify` re-runs only the "
        "checks: ReportLab `TTFont` loads each font and embeds a subset, "
        "HarfBuzz shapes a sample of the font's script without .notdef, "
        "PostScript names are unique, and the size budget holds.",
        "",
        "## Coverage notes",
        "",
        f"Characters every leaflet needs: `{COMMON_PUNCT}`. Fonts that lack "
        "some of them (the text falls back to the next font in the language's "
        "stack, normally NotoSans):",
        "",
    ]
    gaps = coverage_gaps()
    if gaps:
        for fname, missing in gaps.items():
            lines.append(f"- {fname}: missing `{' '.join(missing)}`")
    else:
        lines.append("- none")
    lines.append("")
    (OUT / "SOURCES.md").write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------
# verification


def expected_files():
    files = [name for name, _src, _w in CORE_FONTS]
    files += [f"NotoSans{r}-{s}.ttf" for r in CJK_REGIONS for s in CJK_STYLES]
    return files


def coverage_gaps():
    gaps = {}
    for fname in expected_files():
        cmap = TTFont(str(OUT / fname), lazy=True).getBestCmap()
        missing = [c for c in COMMON_PUNCT if ord(c) not in cmap]
        if missing:
            gaps[fname] = missing
    return gaps


def family_of(fname):
    return Path(fname).stem.split("-")[0]


def verify():
    import uharfbuzz as hb
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont as RLTTFont
    from reportlab.pdfgen import canvas

    ok = True
    files = expected_files()
    names = {}
    for fname in files:
        path = OUT / fname
        ft = TTFont(str(path), lazy=True)
        problems = []
        if "glyf" not in ft or "CFF " in ft or "fvar" in ft:
            problems.append("not a static glyf font")
        if ft.sfntVersion != "\x00\x01\x00\x00":
            problems.append(f"sfntVersion {ft.sfntVersion!r}")
        psn = ps_name(ft)
        if psn in names:
            problems.append(f"PostScript name {psn} also used by {names[psn]}")
        names[psn] = fname

        # ReportLab: load, register and embed a subset of the sample text.
        sample = SAMPLES[family_of(fname)]
        try:
            rl = RLTTFont(f"check-{Path(fname).stem}", str(path))
            pdfmetrics.registerFont(rl)
            c = canvas.Canvas(io.BytesIO())
            c.setFont(rl.fontName, 12)
            c.drawString(10, 10, sample)
            c.save()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"ReportLab: {exc}")

        # HarfBuzz: no .notdef in the shaped sample.
        face = hb.Face(hb.Blob.from_file_path(str(path)))
        hfont = hb.Font(face)
        buf = hb.Buffer()
        buf.add_str(sample)
        buf.guess_segment_properties()
        hb.shape(hfont, buf, {})
        notdef = [sample[i.cluster] for i in buf.glyph_infos
                  if i.codepoint == 0]
        if notdef:
            problems.append(f"HarfBuzz .notdef for {''.join(notdef)!r}")

        status = "ok" if not problems else "FAIL: " + "; ".join(problems)
        print(f"  {fname:34} {path.stat().st_size / 2**20:6.2f} MiB "
              f"{len(buf.glyph_infos):3} glyphs shaped  {psn:26} {status}")
        ok &= not problems

    # The mixed sample from the brief: report which faces cover which part.
    for fname in files:
        if family_of(fname) in ("NotoSansSC", "NotoSansTC", "NotoSansJP",
                                "NotoSansKR"):
            cmap = TTFont(str(OUT / fname), lazy=True).getBestCmap()
            miss = "".join(c for c in CJK_MIXED_SAMPLE
                           if c != " " and ord(c) not in cmap)
            print(f"  {fname:34} mixed sample {CJK_MIXED_SAMPLE!r}: "
                  f"{'all covered' if not miss else 'lacks ' + miss}")

    gaps = coverage_gaps()
    print(f"  coverage of {COMMON_PUNCT!r}:")
    for fname in files:
        if fname in gaps:
            print(f"    {fname:34} lacks {' '.join(gaps[fname])}")
    if not gaps:
        print("    all fonts cover it")

    total = sum(p.stat().st_size for p in OUT.iterdir() if p.is_file())
    print(f"  total assets/fonts: {total / 2**20:.2f} MiB "
          f"(budget {BUDGET_MB} MB)")
    if total >= BUDGET_MB * 2**20:
        print("  FAIL: over budget")
        ok = False
    return ok


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--verify", action="store_true",
                    help="only verify the fonts in assets/fonts")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="parallel CJK builds (default: CPU count)")
    args = ap.parse_args()

    t0 = time.monotonic()
    if not args.verify:
        if fontTools.version != PINNED_FONTTOOLS:
            print(f"warning: fontTools {fontTools.version} (fonts were built "
                  f"with {PINNED_FONTTOOLS}); output bytes may differ")
        for pkg, ver in PINNED_PACKAGES.items():
            got = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                                 capture_output=True, text=True).stdout
            if got != ver:
                print(f"warning: {pkg} is {got or 'not installed'} "
                      f"(expected {ver}); output bytes may differ")

        OUT.mkdir(parents=True, exist_ok=True)
        extra = repo_chars()
        print(f"{len(yaml_files())} YAML files, {len(extra)} distinct "
              "characters")

        rows = []
        for out_name, src_name, wght in CORE_FONTS:
            rows.append(build_core(out_name, src_name, wght))
            print(f"  {out_name}: {rows[-1]['action']}")

        # region-major order: SC Regular, SC Bold, TC Regular, ...
        jobs = [(r, s) for r in CJK_REGIONS for s in CJK_STYLES]
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(build_cjk, r, s, extra) for r, s in jobs]
            cjk_rows = [f.result() for f in futures]
        for r in cjk_rows:
            print(f"  {r['file']}: {r['action']}")
        rows += cjk_rows
        charset_info = {}
        for r in cjk_rows:
            charset_info.setdefault(r["file"][8:10], (r["standard_chars"],
                                                      r["standard_missing"],
                                                      r["from_yaml"]))

        produced = {r["file"] for r in rows}
        for p in sorted(OUT.iterdir()):
            if p.suffix in (".ttf", ".otf", ".ttc", ".tmp") and \
                    p.name not in produced:
                print(f"  removing stale {p.name}")
                p.unlink()

        ensure_unique_ps_names([r["file"] for r in rows])
        for r in rows:
            path = OUT / r["file"]
            r["size"] = path.stat().st_size
            r["sha256"] = sha256(path)
            r["glyphs"] = TTFont(str(path), lazy=True)["maxp"].numGlyphs
        ofl_src = write_ofl([r["file"] for r in rows])
        write_sources(rows, ofl_src, charset_info)
        print(f"built in {time.monotonic() - t0:.1f} s")

    print("verifying:")
    ok = verify()
    print(f"done in {time.monotonic() - t0:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
