"""The validation rules: each problem `edition validate` reports carries one of these names, and its severity.

TEI conformance (well-formedness, the schema, TEI's datatypes, identifiers and pointers) is always an error. The
edition's house style is a warning unless edition.toml says otherwise:

    [rules]
    licence = "off"
    authority = "error"

The severities are applied in one place, when a validation Report collects the diagnostics
(validate/diagnostics.py), so `edition validate` and the build's gate give the same verdict.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

LEVELS = ("error", "warning", "off")


@dataclass(frozen=True)
class Rule:
    """A named check: its default severity, whether an edition may change it, and what it checks."""

    default: str  # "error" or "warning"
    fixed: bool  # TEI conformance: always an error
    checks: str


RULES: dict[str, Rule] = {
    # TEI conformance: always errors.
    "xml": Rule(
        "error",
        True,
        "the file is well-formed XML, safe to read (no external DTD or entity, bounded "
        "entity expansion and nesting), in a known encoding, a TEI document; its XIncludes resolve",
    ),
    "schema": Rule("error", True, "the file is valid against the edition's RELAX NG schema"),
    "schema-file": Rule("error", True, "the schema or Schematron file itself can be read and compiled"),
    "schematron": Rule("error", True, "a Schematron rule could be evaluated on the file"),
    "id-unique": Rule("error", True, "an xml:id is declared only once in its file"),
    "ref-resolves": Rule("error", True, "every local pointer (#id) matches an xml:id of the edition"),
    "pointer-empty": Rule("error", True, "a pointer attribute (@ref, @target, ...) is not empty and not a bare '#'"),
    "date-format": Rule(
        "error",
        True,
        "a date attribute of att.datable (@when, @from, @notBefore, ... and their -iso "
        "forms) holds a value of TEI's datatypes (W3C dates and times, BCE years included)",
    ),
    # The edition's own rules: errors by default, because the built edition would be wrong.
    "date-order": Rule("error", False, "a range (@from/@to, @notBefore/@notAfter) does not end before it starts"),
    "id-page": Rule(
        "error",
        False,
        "the xml:id of a document (<TEI>) or of a register entry, which names its page, is "
        "not declared in another file",
    ),
    "id-case": Rule("error", False, "register entries' ids differ by more than letter case (each names a page)"),
    # House style: warnings by default.
    "id-edition": Rule("warning", False, "an xml:id is not also declared in another file of the edition"),
    "ref-ana": Rule(
        "warning",
        False,
        "an @ana pointer (#id) matches an xml:id of the edition (projects often keep the taxonomy it names "
        "in a file of their own, outside the edition)",
    ),
    "date-combination": Rule(
        "warning",
        False,
        "@when is not combined with @from/@to/@notBefore/@notAfter, nor "
        "@from with @notBefore or @to with @notAfter (TEI's own advice for att.datable.w3c)",
    ),
    "date-value": Rule("warning", False, "a <date> in the text has a normalised value (@when, @from, ...)"),
    "title": Rule("warning", False, "the header's <titleStmt> has a <title> with text"),
    "source": Rule("warning", False, "the header's <sourceDesc> describes the source (bibl, msDesc, p ...)"),
    "licence": Rule("warning", False, "the header's <publicationStmt> states a licence in <availability>"),
    "name-ref": Rule(
        "warning",
        False,
        "a persName, placeName or orgName in the text is linked (@ref, @corresp, @key or @sameAs) to its entry",
    ),
    "choice-pair": Rule("warning", False, "<choice> pairs sic/corr, abbr/expan or orig/reg"),
    "gap-reason": Rule("warning", False, "<gap> says why the text is missing (@reason)"),
    "untagged-name": Rule("warning", False, "a name of a register entry is not left untagged in the text"),
    "untagged-date": Rule("warning", False, "a date written out in the text is tagged as <date>"),
    "unused-entry": Rule("warning", False, "every register entry is mentioned by some document"),
    "authority": Rule(
        "warning", False, "every register entry has an authority identifier (<idno>: Wikidata, VIAF, GeoNames ...)"
    ),
    "include-fallback": Rule(
        "warning",
        False,
        "every xi:include is resolved (one that names a URL, never fetched, or a missing file uses its xi:fallback)",
    ),
    "image": Rule(
        "warning",
        False,
        "every image a text shows (graphic/@url) is a file next to the document or in the edition's folder",
    ),
    "fragment": Rule(
        "warning",
        False,
        "a file among the documents is a TEI document or corpus, not a piece of TEI that documents include "
        "(a charDecl, a list of persons...), which is left out",
    ),
    "foreign-namespace": Rule(
        "warning",
        False,
        "elements and attributes of other namespaces (a project's extensions: ELTeC's, FRUS's, KML...) stand only "
        "where the built-in schema allows them; the rest of the file is checked without them",
    ),
    "xml-model": Rule("warning", False, "a local schema named by <?xml-model?> exists and is of a supported kind"),
}


@dataclass(frozen=True)
class RuleSettings:
    """The severities an edition gives its rules ([rules] in edition.toml): only those it changes are stored."""

    changed: tuple[tuple[str, str], ...] = ()

    def level(self, rule: str, given: str) -> str:
        """'error', 'warning' or 'off' for a diagnostic of `rule` made with the severity `given`.

        A rule of the table gets its configured or default severity; a rule the table does not know (from the
        edition's own Schematron) keeps the severity its role gave."""
        known = RULES.get(rule)
        if known is None:
            return given
        if known.fixed:
            return "error"
        return dict(self.changed).get(rule, known.default)


def check_rule_settings(table: dict[str, object]) -> tuple[RuleSettings, list[tuple[str, str]]]:
    """The settings from a [rules] table, and every problem with it as (key, message)."""
    problems: list[tuple[str, str]] = []
    changed: list[tuple[str, str]] = []
    names = ", ".join(RULES)
    for name, value in table.items():
        key = f"rules.{name}"
        rule = RULES.get(name)
        if rule is None:
            close = difflib.get_close_matches(name, list(RULES), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append((key, f"unknown rule ({hint}the rules are: {names})"))
        elif not isinstance(value, str) or value not in LEVELS:
            problems.append((key, f"must be one of {', '.join(repr(v) for v in LEVELS)}, not {value!r}"))
        elif rule.fixed and value != "error":
            problems.append(
                (
                    key,
                    "is TEI conformance and always an error; only the edition's own rules can be "
                    f"changed ({', '.join(n for n, r in RULES.items() if not r.fixed)})",
                )
            )
        else:
            changed.append((name, value))
    return RuleSettings(tuple(sorted(changed))), problems
