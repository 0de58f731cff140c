"""The `edition` command: each subcommand parses options, loads the config and calls one library function."""

from __future__ import annotations

import atexit
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from tei_edition import __version__
from tei_edition.errors import EditionError, ValidationFailed

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A library error shown as `Error: ...`; command_error() gives it the error's own exit code."""


@functools.cache
def _command_error_class(code: int) -> type[CommandError]:
    class CommandErrorWithCode(CommandError):
        exit_code = code  # Click declares exit_code per class (a ClassVar)

    return CommandErrorWithCode


def command_error(message: str, exit_code: int) -> CommandError:
    """The error that shows `Error: message` and ends the command with exit_code."""
    return _command_error_class(exit_code)(message)


def reports_errors(func: F) -> F:
    """Turn EditionError into a clean `Error: ...` message and exit code instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EditionError as exc:
            raise command_error(str(exc), exc.exit_code) from None
        except BrokenPipeError:  # the reader went away (`edition stats | head`): nothing more can be said
            raise
        except OSError as exc:  # the system refused a read or write the command needed (a full disk, say)
            where = f" {exc.filename}" if exc.filename else ""
            raise command_error(f"could not read or write{where}: {exc.strerror or exc}", 1) from None
        except KeyboardInterrupt:
            raise command_error("interrupted", 130) from None

    return wrapper  # type: ignore[return-value]


def config_option(func: F) -> F:
    """The --config option every edition command takes."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="edition.toml to use (default: the nearest one in this folder or a parent).",
    )(func)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _start_workers_early(config: Any, jobs: int | None, executor: str | None, clean: bool) -> None:
    """A clean or first build checks every source, in worker processes when there is enough to check: their fork
    server is started before this process imports the build's modules, so that it imports them at the same time."""
    from tei_edition.executor import default_jobs, start_server_early
    from tei_edition.output.plan import MANIFEST_NAME

    if (executor or config.executor or "local") != "local":
        return
    if not clean and (config.output_dir / MANIFEST_NAME).exists():
        return  # most builds of an edition redo little, if anything: the pool is started if it is needed
    try:
        sizes = [p.stat().st_size for p in config.documents_dir.rglob("*.xml")]
    except OSError:
        return  # the build says what is wrong with the folder
    start_server_early(jobs or config.jobs or default_jobs(), sizes, ("tei_edition.pipeline.stage",))


def _load(config_path: Path | None) -> Any:
    from tei_edition.config import load_config

    return load_config(config_path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="edition")
def main() -> None:
    """Validate TEI P5 editions and build static HTML, PDF and EPUB editions from them."""


@main.command(short_help="Check the encoding: schema, Schematron rules, references.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit", "github"]),
    default="text",
    show_default=True,
    help="How to write the report: text for people, json for tools, junit for CI "
    "dashboards, github for GitHub Actions annotations.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any warning).")
@click.option("--all", "show_all", is_flag=True, help="List every warning (text output folds long runs of one rule).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")
@config_option
@reports_errors
def validate(
    paths: tuple[Path, ...],
    fmt: str,
    strict: bool,
    show_all: bool,
    output: Path | None,
    jobs: int | None,
    config_path: Path | None,
) -> None:
    """Check well-formedness, schema, Schematron rules and cross-file references."""
    from tei_edition.pipeline import check_edition
    from tei_edition.validate.formats import format_report

    config = _load(config_path)
    report = check_edition(config, list(paths) or None, jobs)
    text = format_report(report, fmt, strict=strict, fold=not show_all)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(report.summary(), err=True)
    else:
        click.echo(text, nl=False)
    if report.errors or (strict and report.warnings):
        sys.exit(1)


@main.command(short_help="Build the HTML edition, its PDFs and EPUBs.")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF editions.")
@click.option("--no-epub", is_flag=True, help="Skip the EPUB editions (the site then does not offer them).")
@click.option("--clean", is_flag=True, help="Rebuild everything from scratch, ignoring the last build and its cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")
@click.option(
    "--executor",
    metavar="URL",
    help="Where per-document work runs: 'local' (default) or dask://HOST:PORT for a Dask cluster "
    "(needs tei-edition[dask]); default: [build] executor in edition.toml, else local.",
)
@click.option(
    "--keep-going",
    is_flag=True,
    help="Build a preview even when validation finds errors (documents with errors are marked); exits 1 at the end.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--verbose", "-v", is_flag=True, help="Print every step.")
@config_option
@reports_errors
def build(
    no_pdf: bool,
    no_epub: bool,
    clean: bool,
    jobs: int | None,
    executor: str | None,
    keep_going: bool,
    quiet: bool,
    verbose: bool,
    config_path: Path | None,
) -> None:
    """Build the HTML edition (with its PDFs and EPUBs) into the output folder, redoing only what changed."""
    config = _load(config_path)
    _start_workers_early(config, jobs, executor, clean)
    from tei_edition.pipeline import BuildOptions, Reporter, build_edition

    reporter = Reporter(quiet=quiet, verbose=verbose)
    options = BuildOptions(
        pdf=not no_pdf, epub=not no_epub, clean=clean, jobs=jobs, keep_going=keep_going, executor=executor
    )
    try:
        summary = build_edition(config, options, progress=reporter)
    except ValidationFailed:
        raise  # its message already says the previous output is unchanged
    except EditionError as exc:
        raise command_error(
            f"{exc}\nThe build stopped; the previous output in {config.output_dir} is unchanged.", exc.exit_code
        ) from None
    if summary.up_to_date:
        reporter.info(
            f"Up to date: {summary.documents} documents, {summary.pages} pages, {summary.pdfs} PDFs "
            f"in {config.output_dir} (nothing changed since the last build)"
        )
    else:
        phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in summary.timings.items() if seconds >= 0.005)
        reporter.info(
            f"Built {_count(summary.documents, 'document')}: {summary.pages} pages, {summary.pdfs} PDFs, "
            f"{summary.epubs} EPUBs into {config.output_dir} in {sum(summary.timings.values()):.2f} s ({phases})"
        )
    from tei_edition.validate.diagnostics import Severity

    # With --keep-going: documents that could not even be parsed are not in the preview, so not flagged either.
    errors = [d for d in summary.report.sorted() if d.severity is Severity.ERROR]
    if summary.flagged or errors:
        marked = (
            f"; {len(summary.flagged)} document(s) are marked in the preview: {', '.join(summary.flagged)}"
            if summary.flagged
            else ""
        )
        if errors:
            click.echo(
                f"Error: validation found {len(errors)} error(s), so this is a preview, not an edition to "
                f"publish{marked}",
                err=True,
            )
            for d in errors:
                click.echo(f"  {d.display_path()}:{d.line}: {d.message} [{d.rule}]", err=True)
        else:
            click.echo(
                f"Error: {len(summary.flagged)} document(s) have validation errors and are marked in the "
                f"preview: {', '.join(summary.flagged)}",
                err=True,
            )
        sys.exit(1)


@main.command(short_help="Preview the edition in a browser, rebuilding on save.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to serve on (0 picks a free one).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default keeps the preview on this computer.",
)
@click.option("--no-open", is_flag=True, help="Do not open the edition in a web browser.")
@click.option("--pdf", is_flag=True, help="Also build the PDFs and EPUBs on every change (slower).")
@config_option
@reports_errors
def serve(port: int, host: str, no_open: bool, pdf: bool, config_path: Path | None) -> None:
    """Build, serve and watch the edition, rebuilding and reloading the browser on every save."""
    from tei_edition.serve import ServeOptions, serve_edition

    config = _load(config_path)
    serve_edition(
        config,
        ServeOptions(host=host, port=port, open_browser=not no_open, pdf=pdf),
        progress=lambda message: click.echo(message, err=True),
    )


@main.command(short_help="Start a new edition, with CI and pre-commit wired in.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="The edition's title (default: from the folder's name).")
@click.option("--force", is_flag=True, help="Write into a non-empty folder, adding only the files that are missing.")
@reports_errors
def new(directory: Path, title: str | None, force: bool) -> None:
    """Create a new edition (configuration, an example document, registers, CI) in DIRECTORY."""
    from tei_edition.scaffold import new_edition

    result = new_edition(directory, title=title, force=force)
    for path in result.written:
        click.echo(f"  wrote {path}", err=True)
    for path in result.kept:
        click.echo(f"  kept  {path} (already there)", err=True)
    click.echo(f"New edition in {directory}. Next: cd {directory} && edition serve", err=True)


@main.command(short_help="Write the schema in force where XML editors find it.")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the schema to (default: schema/ in the edition).",
)
@click.option(
    "--add-pi",
    is_flag=True,
    help="Also add or update the <?xml-model?> instructions in the edition's TEI files (nothing else in them changes).",
)
@click.option("--force", is_flag=True, help="Replace schema files in the folder that differ from the schema in force.")
@config_option
@reports_errors
def schema(folder: Path | None, add_pi: bool, force: bool, config_path: Path | None) -> None:
    """Write the RELAX NG schema in force and the Schematron rules for XML editors (oXygen, VS Code)."""
    from tei_edition.scaffold import write_editor_schemas

    config = _load(config_path)
    result = write_editor_schemas(config, folder, add_pi=add_pi, force=force)
    click.echo(result.as_text(add_pi), nl=False)


@main.command(name="import", short_help="Turn plain transcriptions into TEI with suggested tags.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the TEI documents (one per input file).",
)
@click.option(
    "--registers",
    "registers_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Registers to suggest names from (default: the edition's, when there is an edition.toml).",
)
@click.option("--force", is_flag=True, help="Overwrite TEI files that already exist in the output folder.")
@config_option
@reports_errors
def import_(
    files: tuple[Path, ...], out_dir: Path, registers_dir: Path | None, force: bool, config_path: Path | None
) -> None:
    """Turn plain-text or Markdown transcriptions into TEI documents with suggested names and dates."""
    from tei_edition.config import find_config
    from tei_edition.importer import import_files

    config = _load(config_path) if config_path is not None or find_config() is not None else None
    report = import_files(list(files), out_dir, registers_dir=registers_dir, force=force, config=config)
    click.echo(report.as_text(), nl=False)


@main.command(short_help="Count tagged names, dates, notes and pages per document.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for tools.",
)
@config_option
@reports_errors
def stats(fmt: str, config_path: Path | None) -> None:
    """Count what each document tags (names, dates, notes, pages) and what is left untagged."""
    from tei_edition.stats import edition_stats, format_stats

    config = _load(config_path)
    click.echo(format_stats(edition_stats(config), fmt), nl=False)


def run() -> None:
    """The `edition` program: run the command, then end the process without freeing its heap object by object.

    A build holds millions of objects (the gathered edition, the pages' hashes); tearing them down at exit takes
    ~0.1 s per 1,000 documents, after the work is done and every file is written and closed. What would run at an
    ordinary exit still runs (multiprocessing removes its folder of the system's temporary files, the one of
    the worker processes' server), the streams are flushed and the process ends with the command's exit status.

    Gain: 0.17 s of CPU per build after a one-document edit of a 1,000-document edition (1.76 s with it, 1.91 and
    1.96 s without, medians of interleaved runs: ~9%; see pipeline/speed.py for how it was measured)."""
    try:
        main()  # standalone mode: always ends in SystemExit
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        raise SystemExit(code)  # a message to print: the ordinary way out
    atexit._run_exitfuncs()  # the exit handlers, logging's among them; not the heap's teardown
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`edition ... | head`): nothing more can be said
        code = code or 1
    os._exit(code or 0)
