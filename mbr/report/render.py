"""Jinja2: report model -> report markup.

Templates run in a sandbox with autoescaping and StrictUndefined: entry text
is data (it is escaped, so `{{ 7*7 }}` or `<b>` in a summary is printed as
typed and can never break the markup), and a misspelt variable is an error
naming the template file and line instead of an empty space in the report.
The built-in templates are package data read through importlib.resources, so
an installed wheel works anywhere.
"""

from __future__ import annotations

import importlib.resources
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from mbr.errors import TemplateError
from mbr.report.model import (
    Counts,
    Problem,
    Quadrant,
    ReportEntry,
    ReportModel,
    Section,
    SummaryRow,
    SummaryTable,
    TeamGroup,
    TeamView,
)

BUILTIN_TEMPLATES: dict[str, str] = {
    "narrative": "narrative.docx.j2",
    "2x2": "2x2.docx.j2",
}
_PACKAGED_PREFIX = "mbr/templates/"
_TEMPLATE_HINT = (
    "use `narrative`, `2x2` or the path of a .docx.j2 file; "
    "copy templates/custom.docx.j2 to start your own"
)


def packaged_file(name: str) -> bytes:
    """The bytes of a file shipped in mbr/templates (templates, reference.docx)."""
    return importlib.resources.files("mbr").joinpath("templates", name).read_bytes()


class _PackagedLoader(jinja2.BaseLoader):
    """The built-in templates, from the installed package (zip-safe)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        # Only the shipped templates by their plain names: joining anything
        # else onto the package folder would let `{% include "/etc/passwd" %}`
        # or "../../x" read any file on the machine into the report.
        if template not in _all_packaged():
            raise jinja2.TemplateNotFound(template)
        try:
            source = packaged_file(template).decode("utf-8")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise jinja2.TemplateNotFound(template) from None
        return source, _PACKAGED_PREFIX + template, lambda: True


@dataclass(frozen=True)
class ReportTemplate:
    name: str  # how messages name it: "narrative", or the path as given
    template: jinja2.Template
    # template file name as Jinja knows it -> how messages name it
    names: dict[str, str]


# The report model's classes hold data only: their public attributes are safe
# to read without the sandbox's per-access checks, which for a 50,000-entry
# report cost more than the rest of rendering.
_MODEL_TYPES: frozenset[type] = frozenset(
    {
        ReportModel,
        ReportEntry,
        Problem,
        Counts,
        SummaryTable,
        SummaryRow,
        Section,
        TeamGroup,
        TeamView,
        Quadrant,
    }
)


class _ReportSandbox(SandboxedEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in _MODEL_TYPES and not attribute.startswith("_"):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass  # the sandbox turns it into an undefined-variable error
        return super().getattr(obj, attribute)


def _environment(loader: jinja2.BaseLoader) -> SandboxedEnvironment:
    # No trim_blocks: the markup reads every line break inside a paragraph as
    # one space, and Jinja's trim_blocks would make the line break after a
    # {% tag %} the one exception template authors trip over.
    return _ReportSandbox(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def load_template(spec: str, *, base: Path | None = None) -> ReportTemplate:
    """Load a built-in template by name, or a template file by path.

    A relative path is taken from `base` (default: the working directory).
    Custom templates may `{% extends "narrative.docx.j2" %}` or include the
    built-in partials.
    """
    if spec in BUILTIN_TEMPLATES:
        environment = _environment(_PackagedLoader())
        names = {_PACKAGED_PREFIX + file: f"{_PACKAGED_PREFIX}{file}" for file in _all_packaged()}
        return ReportTemplate(spec, _get(environment, BUILTIN_TEMPLATES[spec], spec, names), names)
    path = Path(spec)
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.is_file():
        raise TemplateError(f"template not found: {spec}", hint=_TEMPLATE_HINT)
    directory = path.resolve().parent
    environment = _environment(
        jinja2.ChoiceLoader([jinja2.FileSystemLoader(directory), _PackagedLoader()])
    )
    names = {str(directory / path.name): spec}
    names.update({_PACKAGED_PREFIX + file: _PACKAGED_PREFIX + file for file in _all_packaged()})
    return ReportTemplate(spec, _get(environment, path.name, spec, names), names)


def _all_packaged() -> list[str]:
    folder = importlib.resources.files("mbr").joinpath("templates")
    return sorted(item.name for item in folder.iterdir() if item.name.endswith(".j2"))


def _get(
    environment: SandboxedEnvironment, name: str, spec: str, names: dict[str, str]
) -> jinja2.Template:
    try:
        return environment.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        where = _display(exc.filename, names, spec)
        raise TemplateError(
            f"{where}:{exc.lineno}: template syntax error: {exc.message}",
            hint="fix the template at that line; see templates/README.md",
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            f"template {spec}: cannot find {exc.name!r}", hint=_TEMPLATE_HINT
        ) from None
    except UnicodeDecodeError as exc:
        raise TemplateError(
            f"template {spec} is not UTF-8 text: {exc.reason} at byte {exc.start}",
            hint="save the template as UTF-8",
        ) from None
    except OSError as exc:
        raise TemplateError(f"cannot read template {spec}: {exc.strerror}") from None


def _display(filename: str | None, names: dict[str, str], spec: str) -> str:
    if filename is None:
        return spec
    return names.get(filename) or names.get(os.path.abspath(filename)) or filename


# Errors a template expression can raise while rendering (a Jinja error, or a
# Python one from an expression such as `{{ 1 / 0 }}` or `{{ x + 1 }}` on text).
_RENDER_ERRORS = (
    jinja2.TemplateError,
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
    AttributeError,
)


def render_markup(template: ReportTemplate, model: ReportModel) -> str:
    """Render the template with `report` bound to the model, as one string."""
    return "".join(render_chunks(template, model))


def render_chunks(template: ReportTemplate, model: ReportModel) -> Iterator[str]:
    """Render the template piece by piece (a large report is never one string).

    Errors raised while rendering become TemplateErrors naming the template
    file and line, whichever piece they surface in.
    """
    try:
        yield from template.template.generate(report=model)
    except jinja2.TemplateSyntaxError as exc:  # in an {% include %}d file
        where = _display(exc.filename, template.names, template.name)
        raise TemplateError(
            f"{where}:{exc.lineno}: template syntax error: {exc.message}",
            hint="fix the template at that line; see templates/README.md",
        ) from None
    except jinja2.TemplateNotFound as exc:  # {% include %} of a file that is not there
        where = _template_frame(exc.__traceback__, template.names) or template.name
        raise TemplateError(
            f"{where}: template error: cannot find the template {exc.name!r}",
            hint="a template can include files from its own folder and the built-in "
            f"templates ({', '.join(_all_packaged())})",
        ) from None
    except _RENDER_ERRORS as exc:
        where = _template_frame(exc.__traceback__, template.names) or template.name
        message = exc.message if isinstance(exc, jinja2.TemplateError) else None
        raise TemplateError(
            f"{where}: template error: {message or f'{type(exc).__name__}: {exc}'}",
            hint="the variables a template can use are listed in templates/README.md",
        ) from None


def _template_frame(tb: TracebackType | None, names: dict[str, str]) -> str | None:
    """`file:line` of the innermost template frame in a traceback.

    Jinja rewrites tracebacks so template frames carry the template's file
    name and line, which is what a person needs to fix it.
    """
    found: str | None = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        display = names.get(filename)
        if display is not None:
            found = f"{display}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found
