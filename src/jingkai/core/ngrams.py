"""Character bigrams of names, for a substring search that an index serves (issue 13 §5).

Django-free: the enterprises app stores the bigrams of every searched name column in a table with an index on
the bigram, and a search for a term of two or more characters first narrows to the rows holding every bigram of
the term, then checks the term itself with the same LIKE as before on those rows only. Any text that contains
the term holds each of its bigrams, so the narrowing never loses a row: the results are those of the plain LIKE.

Of a longer term only its rarest bigram narrows (counted first in the index, a fraction of a millisecond): one
lookup of the fewest rows measured faster than intersecting all of them.

A trigram index (PostgreSQL's pg_trgm) cannot serve a two-character Chinese term (科技), the commonest search in
a zone, and SQLite has none; bigrams serve both databases the same way.

Case: the search matches Latin letters case-insensitively (SQLite folds ASCII, PostgreSQL's UPPER() folds any
letter one character to one). `fold` maps every character to its simple upper case when that is one character,
so two characters either database takes for equal fold to the same key, and a folded text keeps its length.
"""

from __future__ import annotations

# The longest text whose bigrams are stored per column (an enterprise name is at most 200 characters).
MAX_TEXT = 200
# At most this many of a term's bigrams are looked up (a longer term is narrowed by its first ones).
MAX_TERM_GRAMS = 32


def fold(text: str) -> str:
    """Each character's simple upper case (one character to one), so the fold keeps positions."""
    return "".join(up if len(up := ch.upper()) == 1 else ch for ch in text)


def bigrams(text: str) -> set[str]:
    """The distinct bigrams of the folded text (none for a text shorter than two characters)."""
    text = fold(text[:MAX_TEXT])
    return {text[i : i + 2] for i in range(len(text) - 1)}


def text_bigrams(*texts: str) -> set[str]:
    """The bigrams of several columns together (never across two of them)."""
    found: set[str] = set()
    for text in texts:
        if text:
            found |= bigrams(text)
    return found


def term_bigrams(term: str) -> list[str]:
    """The distinct bigrams of a search term, in order, at most MAX_TERM_GRAMS; none for one character."""
    folded = fold(term)
    grams = dict.fromkeys(folded[i : i + 2] for i in range(len(folded) - 1))
    return list(grams)[:MAX_TERM_GRAMS]
