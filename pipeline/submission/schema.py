"""What a report config and a department's submission contain, declared once.

Pydantic checks shapes and types; the checks that depend on the report config
(which departments and years are expected) live in `validate.py`.
"""

from __future__ import annotations

import datetime
import functools
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from pipeline.submission import sections
from pipeline.submission.files import CYCLE_NAME_PATTERN
from pipeline.submission.formats import OutputFormat
from pipeline.submission.sections import SectionKind, SectionSpec

# The longest each of a submission's texts may be, checked wherever a file comes from (the form,
# an upload, a dropped file, `validate`): a section is a few pages at most, a reason a sentence.
SECTION_MAX_CHARACTERS = 50_000
NOT_APPLICABLE_MAX_CHARACTERS = 1_000
SHORT_NAME_MAX_CHARACTERS = 40
DEPARTMENT_MAX_CHARACTERS = 200

# Submissions are untrusted; strict types stop YAML's `no`, `2014-01-01` or `12`
# from silently becoming text, and unknown keys are errors rather than ignored.
_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


def _email_address(address: str) -> str:
    # pydantic's EmailStr's own check, loaded (with email-validator: together a sixth of `validate`'s
    # start-up) only when a report.yaml gives a contact, rather than whenever this module is.
    from pydantic.networks import validate_email

    return validate_email(address)[1]


EmailAddress = Annotated[str, AfterValidator(_email_address), WithJsonSchema({"type": "string", "format": "email"})]


class DepartmentEntry(BaseModel):
    """A department listed with more than its name: the names it had in earlier cycles, a contact, or both."""

    model_config = _STRICT

    name: str = Field(min_length=1, description="The department's name in this report.")
    formerly: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="Its names in the cycles this report updates, so that what they published is carried forward.",
    )
    contact: EmailAddress | None = Field(
        default=None,
        description="Who is emailed the result each time the department's file is checked after it is dropped.",
    )


class ReportConfig(BaseModel):
    """`submissions/<cycle>/report.yaml`: what the report is and who must respond."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="Report configuration")

    title: str = Field(min_length=1, description="The report's title as published.")
    strategy: str = Field(min_length=1, description="The strategy the action belongs to.")
    action: int = Field(ge=1, description="The action's number within the strategy.")
    commitments_label: str = Field(min_length=1, description='When the commitments were made, e.g. "December 2012".')
    reporting_years: list[int] = Field(
        description=(
            "Years reported on: each year Y has 'progress during Y' and 'plans for Y+1'."
            " None ([]) for the first year of an action, when departments answer only the commitments."
        ),
    )
    published: Annotated[datetime.date, Field(strict=False)] = Field(description="Publication date, YYYY-MM-DD.")
    intro: str = Field(min_length=1, description="The sentence that introduces the responses.")
    departments: list[str | DepartmentEntry] = Field(
        min_length=1,
        description=(
            "The departments expected to respond, in report order: each a name, or a name: with the names"
            " it had formerly: and a contact: email address."
        ),
    )
    formats: list[Annotated[OutputFormat, Field(strict=False)]] = Field(
        default_factory=lambda: list(OutputFormat),
        min_length=1,
        description=(
            "What this cycle publishes: every format unless listed here. Its publication always holds all of"
            " them; a build of fewer is a preview, written beside the publication and never over it."
        ),
    )
    review: Literal["required", "optional"] = Field(
        default="optional",
        description=(
            "required: only a build a reviewer approved may replace this cycle's publication; an unreviewed"
            " build is refused. optional: a build is reviewed when asked to be (the scheduled build is)."
        ),
    )
    previous_cycle: str | None = Field(
        default=None,
        pattern=f"^{CYCLE_NAME_PATTERN}$",
        description=(
            "The cycle this report updates, e.g. 2015-action-04: the sections it published are carried"
            " forward, and departments answer only the sections that are new."
        ),
    )

    @property
    def review_required(self) -> bool:
        return self.review == "required"

    @property
    def department_names(self) -> list[str]:
        return [entry if isinstance(entry, str) else entry.name for entry in self.departments]

    @property
    def former_names(self) -> dict[str, list[str]]:
        return {entry.name: entry.formerly for entry in self.departments if isinstance(entry, DepartmentEntry)}

    @property
    def contacts(self) -> dict[str, str]:
        """Each department's contact address, where report.yaml gives one."""
        return {
            entry.name: entry.contact
            for entry in self.departments
            if isinstance(entry, DepartmentEntry) and entry.contact
        }

    def sections(self) -> list[SectionSpec]:
        """The sections every department answers, in report order."""
        return sections.report_sections(self.commitments_label, self.reporting_years)


class NotApplicable(BaseModel):
    """A section the action does not apply to, with the reason why."""

    model_config = _STRICT

    not_applicable: str = Field(
        min_length=1,
        max_length=NOT_APPLICABLE_MAX_CHARACTERS,
        description="Why this section does not apply, in a short sentence.",
    )


def _section_length(text: str) -> str:
    """A section's text within its limit, not counting the line end a "|" block gives its last line."""
    length = len(text.removesuffix("\n"))
    if length > SECTION_MAX_CHARACTERS:
        raise PydanticCustomError(
            SECTION_TOO_LONG,
            "the section is {length} characters long",
            {"length": length, "max_length": SECTION_MAX_CHARACTERS},
        )
    return text


SECTION_TOO_LONG = "section_too_long"
# In JSON Schema, as near as it can say it: the limit and that line end.
Words = Annotated[
    str, AfterValidator(_section_length), WithJsonSchema({"type": "string", "maxLength": SECTION_MAX_CHARACTERS + 1})
]
# A section is the department's text, or a mapping marking it not applicable.
SectionText = Annotated[
    Words | NotApplicable,
    Field(
        description="The department's text (paragraphs, - bullets, [links](https://…)), or not_applicable: <reason>."
    ),
]
# Years are keys: 2014, not "2014".
YearSections = Annotated[
    dict[int, SectionText],
    Field(json_schema_extra={"propertyNames": {"pattern": "^[0-9]{4}$"}}),
]


def submission_model() -> type[BaseModel]:
    """`submissions/<cycle>/<department>.yaml`: one department's response, a key per kind of
    section in the sections table. Every section is optional here: which ones a file must
    answer depends on its report config, and validation says so with the section's heading."""
    return _submission_model(sections.kinds())


@functools.cache
def _submission_model(kinds: tuple[SectionKind, ...]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "department": (
            str,
            Field(
                min_length=1,
                max_length=DEPARTMENT_MAX_CHARACTERS,
                description="The department's name, exactly as listed in report.yaml.",
            ),
        ),
        "short_name": (
            str | None,
            Field(
                default=None,
                max_length=SHORT_NAME_MAX_CHARACTERS,
                description='The short name the text uses, e.g. "DH".',
            ),
        ),
    }
    for kind in kinds:
        if kind.yearly:
            fields[kind.key] = (YearSections, Field(default_factory=dict, description=kind.description))
        else:
            fields[kind.key] = (SectionText | None, Field(default=None, description=kind.description))
    return create_model(
        "Submission",
        __config__=ConfigDict(extra="forbid", strict=True, frozen=True, title="Departmental submission"),
        __doc__=_SUBMISSION_DOC,
        __module__=__name__,
        **fields,
    )


_SUBMISSION_DOC = """`submissions/<cycle>/<department>.yaml`: one department's response.

    Section text is a small Markdown subset: paragraphs separated by a blank
    line, "- " bullet lists, [text](https://…) links, *emphasis* and **strong**.
    """


SCHEMA_VERSION = 4


def json_schema(model: type[BaseModel]) -> dict[str, object]:
    """The JSON Schema editors use to check and complete a file as it is typed."""
    schema = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
