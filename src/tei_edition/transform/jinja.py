"""The Jinja2 environment the site's pages and the WeasyPrint print pages are rendered with: the edition's own
templates/ searched before the package's, autoescape on, compiled templates kept between builds."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from jinja2 import BytecodeCache, ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket

from tei_edition.config import EditionConfig
from tei_edition.output import toolcache
from tei_edition.output.cache import BuildCache
from tei_edition.output.hashing import content_key


def package_templates() -> Path:
    """The folder of the templates shipped with the package."""
    return Path(str(resources.files("tei_edition") / "templates"))


def make_env(config: EditionConfig, store: BuildCache | None = None, key: str = "") -> Environment:
    """The Jinja2 environment: the edition's own templates/ first, then the package's; autoescape on.

    With `store` (the build cache), templates compiled by an earlier build are taken from it rather than parsed
    and compiled again; `key` is a hash of the tool (whose version fixes how a template is compiled)."""
    folders = [config.templates_dir] if config.templates_dir else []
    loader = ChoiceLoader([FileSystemLoader(str(f)) for f in [*folders, package_templates()]])
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html", "xml"), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=CompiledTemplates(store, key) if store is not None else None,
    )
    return env


class CompiledTemplates(BytecodeCache):
    """Compiled templates kept in the build cache and in the tool's own cache (output/toolcache.py, which a clean
    build reads too), under a hash of the tool, the template's name and path and its source: a build compiles only
    the templates that changed (compiling the site's templates takes 0.15-0.27 s)."""

    def __init__(self, store: BuildCache, key: str):
        self.store = store
        self.key = key

    def _key(self, bucket: Bucket) -> str:
        return content_key("template", self.key, bucket.key, bucket.checksum)

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill the bucket from the cache, when it holds the template compiled from this source."""
        key = self._key(bucket)
        data = self.store.get(key)
        if data is None and (data := toolcache.load("template", key)) is not None:
            self.store.put_many([(key, data)])  # kept with the build's other results from now on
        if data is not None:
            bucket.bytecode_from_string(data)  # ignored by Jinja2 when written by another Python version

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a template just compiled."""
        key, data = self._key(bucket), bucket.bytecode_to_string()
        self.store.put_many([(key, data)])
        toolcache.save("template", data, key)
