"""The project's references: every cited source under a stable key, and how citations render.

Sources are cited anywhere in the project (parameter sources, area files, docs, notebooks,
experiment files, reports) as a key in square brackets, e.g. ``[pereira-gray-2017]``. A key is
lower-case words joined by hyphens ending in the year of publication, or ``nd`` for an undated
page. The full citation of each key (authors or organisation, year, title, journal or publisher,
DOI or URL, the date a web page was read) lives in ``simulation/data/references.toml``, shipped
with the package so that generated tables and reports can resolve keys without any other file.

``python -m simulation.references`` writes the human page ``docs/references.md`` from the TOML
file; ``--check`` only reports whether it is current (exit 1 if not). ``tests/test_references.py``
checks that every key cited in the repository resolves here.

Example:
    >>> refs = load_references()
    >>> cited_keys("Rates 34-68 per 1,000 [pereira-gray-2017]; see [clegg-2016].")
    ['pereira-gray-2017', 'clegg-2016']
    >>> print(format_reference(refs["little-1961"]))  # doctest: +NORMALIZE_WHITESPACE
    Little JDC (1961). A proof for the queuing formula: L = λW. Operations Research
    9(3):383-387. https://doi.org/10.1287/opre.9.3.383
    >>> unknown_keys("a typo [pereira-grey-2017]", refs)
    ['pereira-grey-2017']
    >>> link_citations("see [little-1961]")
    'see <a href="#ref-little-1961">[little-1961]</a>'
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

REFERENCES_TOML = Path(__file__).resolve().parent / "data" / "references.toml"
"""The reference list shipped with the package."""

REFERENCES_MD = Path(__file__).resolve().parent.parent / "docs" / "references.md"
"""The human page generated from :data:`REFERENCES_TOML`."""

KEY = r"[a-z][a-z0-9]*-(?:[a-z0-9]+-)*(?:\d{4}[a-z]?|nd)"
"""A reference key: lower-case words joined by hyphens, ending in a year (or ``nd``)."""

CITATION = re.compile(rf"\[({KEY})\]")
"""A citation in text: a key in square brackets."""

TYPES = ("article", "report", "web", "news", "book", "preprint")
"""Kinds of source; web pages, news and reports without a DOI need an ``accessed`` date."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Reference:
    """One source with its full citation (see the header of ``references.toml``)."""

    key: str
    type: str
    title: str
    year: int | str
    authors: tuple[str, ...] = ()
    et_al: bool = False
    organisation: str = ""
    journal: str = ""
    publisher: str = ""
    details: str = ""
    doi: str = ""
    url: str = ""
    isbn: str = ""
    accessed: str = ""
    via: str = ""
    seed: str = ""
    note: str = ""

    @property
    def creator(self) -> str:
        """Authors (``et al.`` when cut short) or the organisation responsible."""
        if self.authors:
            return ", ".join(self.authors) + (" et al." if self.et_al else "")
        return self.organisation

    @property
    def link(self) -> str:
        """The DOI as a URL if there is one, else the URL read."""
        return f"https://doi.org/{self.doi}" if self.doi else self.url


def load_references(path: str | Path | None = None) -> dict[str, Reference]:
    """Every reference of the TOML file by key (in the file's order).

    Raises:
        ValueError: a table has a field this module does not know (one line naming it).
    """
    path = Path(path) if path is not None else REFERENCES_TOML
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    known = set(Reference.__dataclass_fields__) - {"key"}
    out = {}
    for key, table in raw.items():
        extra = sorted(set(table) - known)
        if extra:
            raise ValueError(f"{path.name}: [{key}] has unknown field {extra[0]!r}; allowed: "
                             f"{', '.join(sorted(known))}")
        fields = dict(table)
        fields["authors"] = tuple(fields.get("authors", ()))
        out[key] = Reference(key=key, **fields)
    return out


def problems(refs: Mapping[str, Reference]) -> list[str]:
    """What is missing or malformed in each reference, one line each (empty when all is well).

    >>> problems({"x-2020": Reference("x-2020", "web", "A page", 2020, organisation="Org",
    ...                               publisher="Org", url="https://example.org")})
    ['[x-2020]: a web page needs accessed = "YYYY-MM-DD"']
    """
    out = []
    for key, r in refs.items():
        def bad(what: str, key: str = key) -> None:
            out.append(f"[{key}]: {what}")

        if not re.fullmatch(KEY, key):
            bad("the key must be lower-case words joined by hyphens ending in a year or 'nd'")
        if r.type not in TYPES:
            bad(f"type {r.type!r} is not one of {', '.join(TYPES)}")
        if not (r.authors or r.organisation):
            bad("needs authors or organisation")
        if not r.title.strip():
            bad("needs a title")
        if not (isinstance(r.year, int) or r.year == "n.d."):
            bad(f"year {r.year!r} must be an integer or 'n.d.'")
        elif not key.endswith(str(r.year) if isinstance(r.year, int) else "-nd"):
            bad(f"the key must end in its year ({r.year})")
        if not (r.journal if r.type == "article" else r.publisher):
            bad("needs a journal" if r.type == "article" else "needs a publisher")
        if not (r.doi or r.url or r.isbn):
            bad("needs a doi, url or isbn")
        if r.url and not r.url.startswith(("http://", "https://")):
            bad(f"url {r.url!r} is not a web address")
        if r.type in ("web", "news", "report") and not r.doi:
            if not r.accessed:
                bad(f"a {'web page' if r.type == 'web' else r.type} needs accessed = "
                    '"YYYY-MM-DD"')
        if r.accessed and not _DATE.match(r.accessed):
            bad(f"accessed {r.accessed!r} is not YYYY-MM-DD")
    return out


def cited_keys(text: str) -> list[str]:
    """Keys cited in ``text``, each once, in order of first appearance."""
    return list(dict.fromkeys(CITATION.findall(text)))


def unknown_keys(text: str, refs: Mapping[str, Reference] | None = None) -> list[str]:
    """Keys cited in ``text`` that the reference list does not define."""
    refs = refs if refs is not None else load_references()
    return [k for k in cited_keys(text) if k not in refs]


def format_reference(r: Reference, markup: str = "text") -> str:
    """The full citation as plain text, Markdown or HTML (``markup`` = text, md, html)."""
    esc = html.escape if markup == "html" else (lambda s: s)

    def em(s: str) -> str:  # s is already escaped
        return {"md": f"*{s}*", "html": f"<i>{s}</i>"}.get(markup, s)

    def link(url: str) -> str:
        if markup == "html":
            return f'<a href="{esc(url)}">{esc(url)}</a>'
        return f"<{url}>" if markup == "md" else url

    def stop(s: str) -> str:
        return s if s.endswith(("?", "!", ".")) else s + "."

    year = r.year if isinstance(r.year, int) else "n.d."
    title, details = esc(r.title), (f" {esc(r.details)}" if r.details else "")
    if r.type == "article":
        parts = [f"{esc(r.creator)} ({year}).", stop(title), stop(em(esc(r.journal)) + details)]
    else:
        parts = [f"{esc(r.creator)} ({year}).",
                 (em(title) + ("" if title.endswith(("?", "!")) else ".")),
                 stop(esc(r.publisher) + (f",{details}" if details else ""))]
    if r.isbn:
        parts.append(f"ISBN {esc(r.isbn)}.")
    links = [f"https://doi.org/{r.doi}"] if r.doi else []
    if r.url and (not r.doi or r.type != "article"):
        links.append(r.url)
    parts += [link(u) for u in links]
    if r.via:
        parts.append(stop(f"Read in: {esc(r.via)}"))
    if r.accessed:
        parts.append(f"Accessed {r.accessed}.")
    return " ".join(parts)


def link_citations(escaped: str) -> str:
    """Turn each ``[key]`` of already-escaped HTML into a link to ``#ref-key``."""
    return CITATION.sub(lambda m: f'<a href="#ref-{m[1]}">[{m[1]}]</a>', escaped)


def references_html(keys: Iterable[str], refs: Mapping[str, Reference] | None = None) -> str:
    """An HTML References section listing ``keys`` alphabetically with full citations.

    Each entry's anchor is ``ref-key``, the target of :func:`link_citations`.
    """
    refs = refs if refs is not None else load_references()
    items = []
    for key in sorted(set(keys)):
        r = refs.get(key)
        body = format_reference(r, "html") if r else "<b>not in the project's reference list</b>"
        items.append(f'<li id="ref-{html.escape(key)}"><b>[{html.escape(key)}]</b> {body}</li>')
    return "<h2 id='references'>References</h2><ul class='refs'>" + "".join(items) + "</ul>"


def references_markdown(keys: Iterable[str], refs: Mapping[str, Reference] | None = None,
                        link_to: str | None = None) -> str:
    """A Markdown list of ``keys`` with full citations.

    With ``link_to`` (e.g. ``references.md``) it also adds link definitions, so that each
    ``[key]`` in the Markdown file becomes a link to the key's entry there.
    """
    refs = refs if refs is not None else load_references()
    keys = list(keys)
    lines = []
    for key in keys:
        r = refs.get(key)
        lines.append(f"- **[{key}]** " + (format_reference(r, "md") if r
                                          else "not in the project's reference list"))
    if link_to:
        lines += [""] + [f"[{key}]: {link_to}#{key}" for key in keys]
    return "\n".join(lines) + "\n"


def render_page(refs: Mapping[str, Reference] | None = None) -> str:
    """The Markdown of ``docs/references.md``: every reference, alphabetically by key."""
    refs = refs if refs is not None else load_references()
    head = [
        "# References",
        "",
        "<!-- generated by `python -m simulation.references` from "
        "`simulation/data/references.toml`; do not edit by hand -->",
        "",
        "Every source the project cites, under the key it is cited by. In the code, the area "
        "files, the",
        "documentation, the notebooks and the reports a source is cited as its key in square "
        "brackets,",
        "e.g. `[pereira-gray-2017]`, next to the figure taken from it. The list is kept in",
        "`simulation/data/references.toml` (shipped with the package, so that generated tables "
        "and the",
        "evidence pack resolve keys); add a source there, then run `python -m "
        "simulation.references`.",
        "",
        "Web pages give the date they were read. Many were read from stored copies of the pages "
        "(some",
        "at mirrors, named after 'Read in'). A page read on 2026-12-03 shows the figure its note "
        "gives;",
        "a date of 2026-11-22 marks a figure taken from the project's source notes, compiled "
        "before that",
        "day, that could not be confirmed on re-reading (the note says why). Where a figure was "
        "read in a",
        "secondary source, the original is cited and the secondary source is named. Values with "
        "no",
        "published source are marked ASSUMPTION where they are used, not cited here.",
        "",
        f"{len(refs)} sources.",
        "",
    ]
    body = []
    for key in sorted(refs):
        r = refs[key]
        body += [f"### {key}", "", format_reference(r, "md")]
        extra = []
        if r.seed:
            extra.append(f"Source article of the project brief (`shared/seeds/{r.seed}`).")
        if r.note:
            extra.append(f"Used for: {r.note}")
        if extra:
            body += ["", " ".join(extra)]
        body.append("")
    # Link definitions: a key cited inside an entry ("Read in: ... [key]") links to that entry.
    body += [f"[{key}]: #{key}" for key in sorted(refs)]
    return "\n".join(head + body).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write docs/references.md (or, with ``--check``, report whether it is current)."""
    parser = argparse.ArgumentParser(prog="python -m simulation.references",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=REFERENCES_MD, help="Markdown page")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the page is not current; change nothing")
    args = parser.parse_args(argv)
    refs = load_references()
    bad = problems(refs)
    if bad:
        for line in bad:
            print(f"references.toml: {line}", file=sys.stderr)
        return 1
    from simulation.provenance import refresh_generated_text

    return refresh_generated_text(
        args.file, render_page(refs), check=args.check,
        stale="stale; run python -m simulation.references",
        current=f"current ({len(refs)} references)", updated=f"updated ({len(refs)} references)")

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
