"""Security of the tool against hostile sources: XML (entities, DTDs, XInclude), HTML (escaping, URLs, attributes,
Content-Security-Policy) and paths (output names, writing outside the output folder, serving).

Each test names in its docstring the protection it guards; removing that protection makes the test fail.
The hostile fixture edition is tests/data/hostile/edition/.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import tinyhtml5
from lxml import etree

from tei_edition.config import load_config
from tei_edition.errors import BuildError, SourceError
from tei_edition.output.paths import folder, id_hash, id_segment
from tei_edition.output.writer import OutputWriter, check_relative
from tei_edition.tei.edition import collect_edition
from tei_edition.tei.model import source_tree
from tei_edition.tei.parse import make_parser, parse_bytes, parse_file
from tei_edition.transform.xslt import Transformer
from tei_edition.validate import parse_edition
from tei_edition.web.context import safe_url
from tei_edition.web.render import render_site

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
TEI_NS = "http://www.tei-c.org/ns/1.0"
SECRET = "SECRET-0f3a9c-do-not-publish"
SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "cite", "background", "data", "srcset", "xlink:href"}


def tei(body: str, prolog: str = "") -> bytes:
    """A small TEI document with `body` as the content of <body>."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<TEI xmlns="{TEI_NS}" xml:id="doc"><teiHeader><fileDesc>'
        f"<titleStmt><title>T</title></titleStmt></fileDesc></teiHeader><text><body>{body}</body></text></TEI>"
    ).encode()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    """A copy of the hostile fixture edition."""
    target = tmp_path / "edition"
    shutil.copytree(HOSTILE / "edition", target)
    return target


def render(edition_dir: Path) -> Path:
    """Render the HTML edition of a folder straight from its parsed sources (no validation gate); return it."""
    config = load_config(edition_dir / "edition.toml")
    data = collect_edition(config, parse_edition(config))
    transformer = Transformer(config.xslt_dir)
    bodies = {
        doc.id: transformer.transform(source_tree(doc), {"root": "../../", "media": "screen", "doc-id": doc.id})
        for doc in data.documents
    }
    writer = OutputWriter(config.html_dir)
    try:
        render_site(data, bodies, writer)
    except BaseException:
        writer.abort()
        raise
    writer.commit()
    return config.html_dir


def all_output(root: Path) -> str:
    """Every output file's text (binary files decoded leniently), for searching."""
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(root.rglob("*")) if p.is_file())


# ---------------------------------------------------------------------------------------------------------------
# XML security


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_entity_to_a_local_file_is_refused(tmp_path: Path, secret_file: Path, encoding: str) -> None:
    """Protection: declarations of external entities are refused before parsing (in any encoding)."""
    text = tei("<p>&leak;</p>", f'<!DOCTYPE TEI [<!ENTITY leak SYSTEM "{secret_file.as_uri()}">]>').decode()
    if encoding == "utf-16":
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = tmp_path / "doc.xml"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(SourceError) as caught:
        parse_file(path)
    assert "declares an external entity" in str(caught.value)
    assert str(caught.value).startswith(f"{path}:1: ")
    assert SECRET not in str(caught.value)


def test_external_parameter_entity_and_url_entity_are_refused(tmp_path: Path, secret_file: Path) -> None:
    """Protection: parameter entities and entities naming files or URLs are refused, nothing fetched."""
    for prolog, message in (
        (f'<!DOCTYPE TEI [<!ENTITY % p SYSTEM "{secret_file.as_uri()}"> %p;]>', "external parameter entity"),
        (f'<!DOCTYPE TEI [<!ENTITY % p SYSTEM "{secret_file.as_uri()}">]>', "external parameter entity"),
        ("<!DOCTYPE TEI [<!ENTITY % p \"<!ENTITY x 'y'>\"> %p;]>", "uses a parameter entity"),
        ('<!DOCTYPE TEI [<!ENTITY remote SYSTEM "http://127.0.0.1:9/evil.xml">]>', "declares an external entity"),
        ('<!DOCTYPE TEI [<!ENTITY remote PUBLIC "-//X//EN" "evil.xml">]>', "declares an external entity"),
    ):
        with pytest.raises(SourceError, match=message):
            parse_bytes(tei("<p>&remote;</p>" if "remote" in prolog else "<p>x</p>", prolog), tmp_path / "doc.xml")


def test_external_dtd_is_never_read(tmp_path: Path) -> None:
    """Protection: the parser's resolver answers every external load with nothing (libxml2 would otherwise read a
    DOCTYPE's external subset when ids are not collected); the DOCTYPE is accepted but its DTD is never read, and
    the tree handed on has no DOCTYPE for another processor (Saxon) to follow."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ELEMENT TEI ANY><!ENTITY leak "' + SECRET + '">', encoding="utf-8")
    data = tei("<p>x</p>", f'<!DOCTYPE TEI SYSTEM "{dtd.as_uri()}">')
    tree = etree.fromstring(data, make_parser()).getroottree()
    external = tree.docinfo.externalDTD
    assert external is None or (list(external.elements()) == [] and list(external.entities()) == [])
    parsed = parse_bytes(data, tmp_path / "doc.xml")
    assert b"DOCTYPE" not in etree.tostring(parsed) and SECRET.encode() not in etree.tostring(parsed)
    with pytest.raises(SourceError, match="leak") as caught:
        parse_bytes(tei("<p>&leak;</p>", f'<!DOCTYPE TEI SYSTEM "{dtd.as_uri()}">'), tmp_path / "doc.xml")
    assert SECRET not in str(caught.value)


def test_harmless_doctype_and_internal_entities_are_accepted(tmp_path: Path) -> None:
    """A DOCTYPE naming a DTD that is absent, internal entities (in text and attributes) and an unparsed entity
    (NDATA, never read) parse: the entities are expanded and the line numbers after the DOCTYPE stay right."""
    prolog = (
        '<!DOCTYPE TEI SYSTEM "tei_all.dtd" [\n<!ENTITY ed "Edited &amp; published">\n'
        '<!ENTITY mdash "&#x2014;">\n<!ENTITY both "&ed;&mdash;&ed;">\n'
        '<!NOTATION png SYSTEM "image/png">\n<!ENTITY fig SYSTEM "fig.png" NDATA png>\n'
        '<!ENTITY % TEI.core "INCLUDE"><!-- a switch of the DTD --><!ATTLIST p rend CDATA #IMPLIED>]>\n'
    )
    tree = parse_bytes(tei('<p n="&ed;">&both;</p>\n<p>second</p>', prolog), tmp_path / "doc.xml")
    paragraphs = tree.getroot().findall(f".//{{{TEI_NS}}}p")
    assert paragraphs[0].get("n") == "Edited & published"
    assert paragraphs[0].text == "Edited & published\u2014Edited & published"
    assert paragraphs[1].sourceline == 9


def test_the_tei_test_corpus_with_its_dtd_switches_parses(shared: Path) -> None:
    """TEI's own testcorpus.xml: a DOCTYPE naming a DTD that is not there and internal parameter entities that
    switch its modules (never read), as classic TEI documents have."""
    tree = parse_file(shared / "corpora" / "tei-tests" / "testcorpus.xml")
    assert tree.getroot().tag == f"{{{TEI_NS}}}teiCorpus" and b"DOCTYPE" not in etree.tostring(tree)


BOMB = '<!ENTITY a0 "lolololololololololol">' + "".join(
    f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
)


@pytest.mark.parametrize(
    "declarations,body,message",
    [
        # one entity standing for two million characters
        ('<!ENTITY a0 "' + "x" * 2000 + '">' + '<!ENTITY a1 "' + "&a0;" * 1000 + '">', "&a1;", "&a1; expands"),
        # a modest entity repeated until the whole passes the bound (quadratic blow-up)
        ('<!ENTITY a0 "' + "x" * 100_000 + '">', "&a0;" * 200, "together expand"),
        ('<!ENTITY a "&b;"><!ENTITY b "&a;">', "&a;", "refers to itself"),
        # a "]>" inside a value, a default or a comment does not end the scan before the bomb is seen
        ('<!ENTITY z "]>"><!-- ]> --><!ATTLIST p n CDATA "]>">' + BOMB, "&a9;", "&a9; expands"),
    ],
)
def test_entity_expansion_beyond_the_bounds_is_refused(
    tmp_path: Path, declarations: str, body: str, message: str
) -> None:
    """Protection: _check_internal_subset bounds what entities expand to, alone and all together."""
    with pytest.raises(SourceError, match=re.escape(message)):
        parse_bytes(tei(f"<p>{body}</p>", f"<!DOCTYPE TEI [{declarations}]>"), tmp_path / "doc.xml")


def test_undeclared_entity_is_a_clear_error(tmp_path: Path) -> None:
    """Protection: an undefined entity reference is reported with file, line and column."""
    with pytest.raises(SourceError, match=r"doc\.xml:1:\d+: not well-formed XML: entity 'nbsp' not defined"):
        parse_bytes(tei("<p>a&nbsp;b</p>"), tmp_path / "doc.xml")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_entity_expansion_bomb_is_refused_fast_with_bounded_memory(tmp_path: Path, encoding: str) -> None:
    """Protection: the expansion bound is checked before parsing (and libxml2's amplification limit behind it)."""
    declarations = (
        '<!ENTITY a0 "'
        + "lol" * 10
        + '">'
        + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    )
    text = tei("<p>&a9;</p>", f"<!DOCTYPE TEI [{declarations}]>").decode()
    if encoding == "utf-16":
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(SourceError):
        parse_bytes(text.encode(encoding), tmp_path / "bomb.xml")
    assert time.perf_counter() - start < 1.0
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 50 * 1024  # fully expanded, the bomb would need gigabytes


def test_xinclude_reads_only_files_inside_the_edition(edition: Path, secret_file: Path) -> None:
    """Protection: tei/xinclude.py refuses includes of files outside the edition's folder (by path, file: URL or
    ../) and never fetches a URL; the document is reported with file:line and nothing of the file reaches any
    output, even with --keep-going."""
    from tei_edition.pipeline import BuildOptions, build_edition

    document = edition / "tei" / "documents" / "leak.xml"
    config = load_config(edition / "edition.toml")
    for href in (secret_file.as_uri(), str(secret_file), "../../../secret.txt", "http://127.0.0.1:9/evil.xml"):
        document.write_bytes(
            tei(
                f'<p xmlns:xi="http://www.w3.org/2001/XInclude">before <xi:include href="{href}" parse="text"/></p>'
            ).replace(b'xml:id="doc"', b'xml:id="leak"')
        )
        [problem] = [d for d in parse_edition(config).diagnostics if d.path == document]
        assert problem.line == 1 and SECRET not in problem.message
        assert "outside the edition's folder" in problem.message or "URLs are never fetched" in problem.message
    document.write_bytes(document.read_bytes().replace(b"http://127.0.0.1:9/evil.xml", secret_file.as_uri().encode()))
    summary = build_edition(config, BuildOptions(pdf=False, keep_going=True))
    assert [d.rule for d in summary.report.errors if d.path == document] == ["xml"]
    assert SECRET not in all_output(config.output_dir)


def test_entity_document_in_a_build_is_reported_and_leaves_no_trace(edition: Path, secret_file: Path) -> None:
    """Protection: a document with an external entity fails to parse, is reported with file:line, and nothing of
    the entity's file reaches any output, even with --keep-going."""
    from tei_edition.pipeline import BuildOptions, build_edition

    bad = edition / "tei" / "documents" / "leak.xml"
    bad.write_bytes(
        tei("<p>&leak;</p>", f'<!DOCTYPE TEI [<!ENTITY leak SYSTEM "{secret_file.as_uri()}">]>').replace(
            b'xml:id="doc"', b'xml:id="leak"'
        )
    )
    config = load_config(edition / "edition.toml")
    summary = build_edition(config, BuildOptions(pdf=False, keep_going=True))
    problems = [d for d in summary.report.errors if d.path.name == "leak.xml"]
    assert problems and "declares an external entity" in problems[0].message and problems[0].line == 1
    assert SECRET not in all_output(config.output_dir)


# ---------------------------------------------------------------------------------------------------------------
# HTML safety


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("hostile") / "edition"
    shutil.copytree(HOSTILE / "edition", target)
    return render(target)


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def parsed(page: Path) -> etree._Element:
    """The page as a browser's HTML5 parser builds it."""
    return tinyhtml5.parse(page.read_bytes(), namespace_html_elements=False)  # type: ignore[no-any-return]


def test_hostile_site_has_no_script_no_handlers_no_inline_style(hostile_site: Path) -> None:
    """Protection: all TEI text and attribute values are escaped (XSLT serialiser, Jinja autoescape); @rend,
    @style, @rendition, @type and @n become classes or text, never attributes or markup of their own."""
    checked = 0
    for page in pages(hostile_site):
        root = parsed(page)
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            if el.tag == "script":
                assert el.get("src") or el.get("type") == "application/ld+json", (page, etree.tostring(el))
                assert el.get("type") == "application/ld+json" or not (el.text or "").strip()
            assert el.tag not in ("style", "iframe", "object", "embed", "base"), (page, el.tag)
            for name in el.attrib:
                assert not name.lower().startswith("on"), (page, el.tag, name, el.get(name))
                assert name.lower() != "style", (page, el.tag, el.get(name))
            checked += 1
    assert checked > 500


def test_hostile_site_links_only_to_safe_schemes(hostile_site: Path) -> None:
    """Protection: ed:safe-url in the XSLT (text links, names, graphics) and safe_url in the site code (header
    links, licence, authority links): only http, https, mailto and relative URLs reach href/src."""
    seen = 0
    for page in pages(hostile_site):
        for el in parsed(page).iter():
            if not isinstance(el.tag, str):
                continue
            for name, value in el.attrib.items():
                if name.lower() in URL_ATTRIBUTES:
                    probe = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                    scheme = urlsplit(probe).scheme
                    assert scheme in SAFE_SCHEMES, (page, el.tag, name, value)
                    seen += 1
    assert seen > 50
    text = all_output(hostile_site)
    for word in ("javascript:", "vbscript:", "data:text", "data:image"):
        for match in re.finditer(re.escape(word), text, re.I):
            context = text[max(0, match.start() - 80) : match.end()]
            assert "href=" not in context.rsplit(">", 1)[-1], context  # only ever in text, never in a link


def test_dangerous_targets_render_as_plain_text(hostile_site: Path) -> None:
    """Protection: ed:safe-url refuses each dangerous scheme whatever its case and surrounding spaces."""
    page = parsed(hostile_site / "documents" / "hostile" / "index.html")
    links = {("".join(a.itertext())).strip(): a for a in page.iter("a")}
    assert links["safe"].get("href") == "https://example.org/ok"
    assert links["mail"].get("href") == "mailto:editor@example.org"
    assert links["relative"].get("href") == "other.html#x"
    for label in ("one", "two", "three", "four", "five", "six", "seven", "Someone", "An organisation"):
        assert label not in links, f"{label!r} is still a link"


def test_text_and_attribute_markup_is_escaped(hostile_site: Path) -> None:
    """Protection: escaping of text and attributes: the markup characters come back as the same text."""
    page = parsed(hostile_site / "documents" / "hostile" / "index.html")
    text = "".join(page.itertext())
    assert '<script>alert("text")</script> & <img src=x onerror=alert(1)>' in text
    title = page.find(".//title")
    assert title is not None and 'A <script>alert("title")</script> letter' in (title.text or "")
    langs = [el.get("lang") for el in page.iter() if isinstance(el.tag, str) and el.get("lang")]
    assert "en\" onclick=\"alert('lang')" in langs  # kept as a value, not turned into an attribute


def test_safe_url_matches_the_stylesheet() -> None:
    """Protection: safe_url (Python, header links) refuses what ed:safe-url (XSLT) refuses."""
    transformer = Transformer()
    cases = [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:x",
        "\u200bjavascript:x",
        "\njavascript:x",
        "vbscript:x",
        "data:text/html,x",
        "DATA:x",
        "file:///etc/passwd",
        "jar:x",
        "http://example.org/",
        "HTTPS://example.org/",
        "mailto:a@example.org",
        "rel/x.html",
        "#top",
        "?q=1",
    ]
    for url in cases:
        source = etree.fromstring(f'<TEI xmlns="{TEI_NS}"><text><body><ab><ref target=""/></ab></body></text></TEI>')
        source.find(f".//{{{TEI_NS}}}ref").set("target", url)
        fragment = transformer.transform(source.getroottree(), {"root": "", "media": "screen", "doc-id": "d"})
        linked = "href=" in fragment
        assert linked == bool(safe_url(url)), (url, fragment)
        assert linked == (urlsplit(re.sub(r"[\s\u200b]", "", url).lower()).scheme in SAFE_SCHEMES), url


def test_every_page_forbids_inline_script(hostile_site: Path) -> None:
    """Protection: the Content-Security-Policy meta element of templates/base.html on every page."""
    for page in pages(hostile_site):
        metas = [
            m for m in parsed(page).iter("meta") if (m.get("http-equiv") or "").lower() == "content-security-policy"
        ]
        assert len(metas) == 1, page
        policy = {d.split()[0]: d.split()[1:] for d in metas[0].get("content", "").split(";") if d.strip()}
        assert policy["script-src"] and "'unsafe-inline'" not in policy["script-src"], page
        assert "'unsafe-eval'" not in policy["script-src"]
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    site_js = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.glob("assets/*.js"))
    assert "assets/site.js" in site_js  # the site's own scripts are files


# ---------------------------------------------------------------------------------------------------------------
# Paths


TRICKY_IDS = [
    "stalin",
    "kim-il-sung",
    "Łódź",
    "Lodz",
    "ódź",
    "김일성",
    "Сталин",
    "a.",
    "a",
    "a-",
    "_a",
    "x.y",
    "A" * 150,
    "A" * 149 + "B",
    "mao.zedong.",
    "e\u0301",
    "\u00e9",
    "a_b",
    "a-b",
]


def test_id_segments_are_safe_and_never_collide() -> None:
    """Protection: id_segment maps every id to a safe name ('~' + hash when needed), distinct ids to distinct
    names (safe_segment alone maps 'Łódź' and 'ódź' both to 'd')."""
    segments = [id_segment(i) for i in TRICKY_IDS]
    assert len(set(segments)) == len(TRICKY_IDS), segments
    for segment in segments:
        check_relative(f"persons/{segment}/index.html")
        assert len(segment) <= 120
    assert id_segment("kim-il-sung") == "kim-il-sung"
    assert id_segment("Łódź") == f"d~{id_hash('Łódź')}"


def test_xslt_links_agree_with_the_site_folders() -> None:
    """Protection: ed:id-segment (XSLT) computes the same names as id_segment (Python): entity links resolve."""
    transformer = Transformer()
    for entity_id in TRICKY_IDS:
        source = etree.fromstring(
            f'<TEI xmlns="{TEI_NS}"><text><body><ab><persName ref="#{entity_id}">x</persName></ab></body></text></TEI>'
        )
        fragment = transformer.transform(source.getroottree(), {"root": "../../", "media": "screen", "doc-id": "d"})
        href = re.search(r'href="([^"]+)"', fragment)
        assert href is not None and href.group(1) == "../../" + folder("persons", entity_id), (entity_id, fragment)


def test_entity_with_a_non_ascii_id_gets_a_page_the_text_links_to(hostile_site: Path) -> None:
    """Protection: the one id mapping: the link in the text leads to the page the site wrote."""
    page = parsed(hostile_site / "documents" / "hostile" / "index.html")
    hrefs = [a.get("href") for a in page.iter("a") if a.get("data-ref") == "Łódź"]
    assert hrefs == [f"../../places/{id_segment('Łódź')}/"]
    assert (hostile_site / "places" / id_segment("Łódź") / "index.html").is_file()


@pytest.mark.parametrize(
    "rel",
    [
        "../escape.html",
        "/etc/passwd",
        "a/../../b.html",
        "a/..",
        "",
        "a\\..\\b",
        "a/b\x00c",
        "con tents/a b.html",
        "~/x/../../y",
    ],
)
def test_writer_refuses_paths_outside_the_output(tmp_path: Path, rel: str) -> None:
    """Protection: OutputWriter.check_relative: no absolute paths, no '..', only safe characters (for a file written
    and for a file of the last build kept)."""
    writer = OutputWriter(tmp_path / "out")
    try:
        with pytest.raises(BuildError):
            writer.write_text(rel, "x")
        with pytest.raises(BuildError):
            writer.carry_over(rel, "0" * 40)
    finally:
        writer.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_hostile_ids_and_file_names_stay_inside_the_output(edition: Path) -> None:
    """Protection: output names come from id_segment/safe_segment and the writer's checks: a document whose
    xml:id and file name try to climb out of the output writes nothing outside it."""
    docs = edition / "tei" / "documents"
    text = (docs / "hostile.xml").read_text(encoding="utf-8")
    (docs / "..%2F..%2Fescape.xml").write_text(
        text.replace('xml:id="hostile"', 'xml:id="../../../escape"'), encoding="utf-8"
    )
    (docs / "hostile.xml").write_text(text.replace('xml:id="hostile"', 'xml:id=".."'), encoding="utf-8")
    before = {p for p in edition.parent.rglob("*")}
    out = render(edition)
    after = {p for p in edition.parent.rglob("*")}
    new = after - before
    assert new and all(p == out or out in p.parents or p == edition / "build" for p in new), sorted(
        str(p) for p in new if out not in p.parents
    )
    assert not (edition.parent / "escape").exists() and not (edition / "escape").exists()


def test_media_outside_the_edition_is_not_copied(edition: Path, secret_file: Path) -> None:
    """Protection: copy_media refuses '..' and absolute image paths, and images that are symlinks out of the
    edition folder."""
    docs = edition / "tei" / "documents"
    (docs / "inside.png").symlink_to(secret_file)
    text = (docs / "hostile.xml").read_text(encoding="utf-8")
    for url in ("inside.png", "../../../secret.txt", "%2e%2e/%2e%2e/%2e%2e/secret.txt", str(secret_file)):
        (docs / "hostile.xml").write_text(text.replace("javascript:alert('graphic')", url), encoding="utf-8")
        try:
            out = render(edition)
        except BuildError as exc:
            assert "hostile.xml" in str(exc)
            continue
        assert SECRET not in all_output(out), url


def test_serve_binds_localhost_by_default() -> None:
    """Protection: `edition serve` listens on 127.0.0.1 unless told otherwise (requests are resolved inside the
    output folder only: tests/test_serve.py, test_nothing_outside_the_output_is_served and resolve_request)."""
    from tei_edition.cli import main
    from tei_edition.serve import ServeOptions, resolve_request

    assert ServeOptions().host == "127.0.0.1"
    host = next(p for p in main.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"
    root = Path(os.sep) / "srv" / "edition"
    for bad in (
        "/../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/a/%2E%2E/%2e%2e/etc",
        "/..%2fetc",
        "/.git/config",
        "/%5c..%5cetc",
        "/a%00.html",
    ):
        assert resolve_request(root, bad) is None, bad


def test_writer_never_leaves_staging_folders(tmp_path: Path) -> None:
    """Protection: OutputWriter.abort removes the staging folder; commit leaves no '.old' folder behind."""
    target = tmp_path / "html"
    with OutputWriter(target) as writer:
        writer.write_text("index.html", "one")
    with pytest.raises(RuntimeError):
        with OutputWriter(target) as writer:
            writer.write_text("index.html", "two")
            raise RuntimeError("the build failed")
    assert (target / "index.html").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html"]


def test_config_urls_are_checked(tmp_path: Path) -> None:
    """Protection: config.py refuses a licence_url that is not http(s), naming the key."""
    from tei_edition.errors import ConfigError

    config = tmp_path / "edition.toml"
    config.write_text('[edition]\ntitle = "T"\nlicence_url = " javascript:alert(1)"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="licence_url"):
        load_config(config)


def test_hostile_site_fixture_is_what_it_claims() -> None:
    """The fixture itself: the document carries each attack the tests above look for."""
    text = (HOSTILE / "edition" / "tei" / "documents" / "hostile.xml").read_text(encoding="utf-8")
    for attack in (
        "javascript:",
        "JaVaScRiPt:",
        "vbscript:",
        "data:text/html",
        "onmouseover",
        "style=",
        "rendition=",
        "&lt;script&gt;",
        "Łódź",
    ):
        assert attack in text, attack


def test_pdf_links_only_to_safe_schemes(edition: Path) -> None:
    """Protection: the print stylesheets share ed:safe-url, and the PDF's URL fetcher reads only edition files:
    the hostile document's PDF links only to http(s) and mailto."""
    import zlib

    from tei_edition.pipeline import BuildOptions, build_edition

    config = load_config(edition / "edition.toml")
    build_edition(config, BuildOptions(pdf=True, keep_going=True))
    pdfs = sorted(config.pdf_dir.rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        data = pdf.read_bytes()
        chunks = [data]
        for stream in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
            try:
                chunks.append(zlib.decompress(stream.group(1)))
            except zlib.error:
                continue
        uris = {u.decode("latin-1") for chunk in chunks for u in re.findall(rb"/URI\s*\(([^)]*)\)", chunk)}
        assert "https://example.org/ok" in uris, (pdf, uris)
        assert all(urlsplit(u.strip().lower()).scheme in ("http", "https", "mailto") for u in uris), (pdf, uris)
        assert SECRET not in data.decode("latin-1")
