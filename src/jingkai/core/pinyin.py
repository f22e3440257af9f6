"""Toneless pinyin of names, for sorting and searching them as people expect (issue 11 §5).

Django-free: any app may derive its stored keys here. Code-point order puts 长安 (U+957F) after 重庆 (U+91CD)
and both far from 阿里; the pinyin key "chang an" sorts them as a Chinese reader looks them up.

Polyphonic characters are read in context by pypinyin's phrase dictionary (重庆 chong qing, 长安 chang an,
银行 yin hang, 厦门 xia men, 中国重汽 zhong guo zhong qi); PHRASES corrects the company-name words it
reads otherwise. Latin letters and digits in a name are kept as lowercase words; other characters
(brackets, the middle dot, punctuation) are dropped.
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin, load_phrases_dict

# Words of company names that pypinyin's dictionary reads wrongly; tone-marked, one list per character.
PHRASES = {
    "长治": [["cháng"], ["zhì"]],  # the city in Shanxi, not zhǎng zhì
}
load_phrases_dict(PHRASES)

_RUNS = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)|([a-z0-9]+)")
# What a search box may hold around pinyin: spaces and the syllable apostrophe (xi'an).
_QUERY_NOISE = re.compile(r"[\s'’]+")
_LETTERS = re.compile(r"[a-z]+")


def syllables(text: str) -> list[tuple[str, bool]]:
    """(syllable or word, is_han) pairs of a text, lowercase and toneless (ü written v: 绿 → lv)."""
    out: list[tuple[str, bool]] = []
    folded = unicodedata.normalize("NFKC", text or "").lower()
    for han, latin in _RUNS.findall(folded):
        if han:
            # One call per run of Han characters, so that the phrase dictionary sees the context.
            out.extend((s, True) for s in lazy_pinyin(han, style=Style.NORMAL, errors="ignore"))
        else:
            out.append((latin, False))
    return out


def sort_key(text: str) -> str:
    """The syllables separated by spaces: 长安汽车 → "chang an qi che" (so 长安 sorts before 长春)."""
    return " ".join(s for s, _han in syllables(text))


def full(text: str) -> str:
    """The syllables run together, for search: 津上精密 → "jinshangjingmi"."""
    return "".join(s for s, _han in syllables(text))


def initials(text: str) -> str:
    """The first letter of each syllable, Latin words whole: 津上精密 → "jsjm", 3M中国 → "3mzg"."""
    return "".join(s[0] if han else s for s, han in syllables(text))


def name_keys(name: str) -> dict[str, str]:
    """The stored keys of a name: name_sort, name_pinyin and name_initials."""
    parts = syllables(name)
    return {
        "name_sort": " ".join(s for s, _han in parts),
        "name_pinyin": "".join(s for s, _han in parts),
        "name_initials": "".join(s[0] if han else s for s, han in parts),
    }


def as_query(value: str) -> str | None:
    """The pinyin a search term spells (lowercase, spaces and apostrophes removed), or None.

    Only a term of ASCII letters is pinyin: "jsjm", "JinShang", "jin shang", "xi'an"; one with Han
    characters, digits or other signs is not (it is looked for as written).
    """
    letters = _QUERY_NOISE.sub("", value or "").lower()
    return letters if _LETTERS.fullmatch(letters) else None
