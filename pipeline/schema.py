"""What a report config and a department's submission contain, declared once.

Pydantic checks shapes and types; the checks that depend on the report config
(which departments and years are expected) live in `validate.py`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Submissions are untrusted; strict types stop YAML's `no`, `2014-01-01` or `12`
# from silently becoming text, and unknown keys are errors rather than ignored.
_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)

REPORT_CONFIG_FILE = "report.yaml"


class ReportConfig(BaseModel):
    """`submissions/<cycle>/report.yaml`: what the report is and who must respond."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="Report configuration")

    title: str = Field(min_length=1, description="The report's title as published.")
    strategy: str = Field(min_length=1, description="The strategy the action belongs to.")
    action: int = Field(ge=1, description="The action's number within the strategy.")
    commitments_label: str = Field(min_length=1, description='When the commitments were made, e.g. "December 2012".')
    reporting_years: list[int] = Field(
        min_length=1,
        description="Years reported on: each year Y has 'progress during Y' and 'plans for Y+1'.",
    )
    published: Annotated[datetime.date, Field(strict=False)] = Field(description="Publication date, YYYY-MM-DD.")
    intro: str = Field(min_length=1, description="The sentence that introduces the responses.")
    departments: list[str] = Field(min_length=1, description="The departments expected to respond, in report order.")
    previous_cycle: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
        description=(
            "The cycle this report updates, e.g. 2015-action-04: the sections it published are carried"
            " forward, and departments answer only the sections that are new."
        ),
    )

    def sections(self) -> list[SectionSpec]:
        """The sections every department answers, in report order."""
        specs = [
            SectionSpec(
                "commitments",
                None,
                f"Departmental digital strategy commitments ({self.commitments_label})",
            )
        ]
        for year in self.reporting_years:
            specs.append(SectionSpec("progress", year, f"Progress during {year}"))
            specs.append(SectionSpec("plans", year + 1, f"Planned activities in {year + 1}"))
        return specs


class NotApplicable(BaseModel):
    """A section the action does not apply to, with the reason why."""

    model_config = _STRICT

    not_applicable: str = Field(min_length=1, description="Why this section does not apply, in a short sentence.")


# A section is the department's text, or a mapping marking it not applicable.
SectionText = Annotated[
    str | NotApplicable,
    Field(
        description="The department's text (paragraphs, - bullets, [links](https://…)), or not_applicable: <reason>."
    ),
]
# Years are keys: 2014, not "2014".
YearSections = Annotated[
    dict[int, SectionText],
    Field(json_schema_extra={"propertyNames": {"pattern": "^[0-9]{4}$"}}),
]


class Submission(BaseModel):
    """`submissions/<cycle>/<department>.yaml`: one department's response.

    Section text is a small Markdown subset: paragraphs separated by a blank
    line, "- " bullet lists, [text](https://…) links, *emphasis* and **strong**.
    """

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="Departmental submission",
    )

    department: str = Field(min_length=1, description="The department's name, exactly as listed in report.yaml.")
    short_name: str | None = Field(default=None, description='The short name the text uses, e.g. "DH".')
    # Optional here because a cycle that carries sections forward does not ask for it
    # again; validation says which sections a file must have, with their headings.
    commitments: SectionText | None = Field(default=None, description="The department's original commitments.")
    progress: YearSections = Field(description="For each reporting year, the progress made during that year.")
    plans: YearSections = Field(description="For the year after each reporting year, the activities planned.")


SCHEMA_VERSION = 1


def json_schema(model: type[BaseModel]) -> dict[str, object]:
    """The JSON Schema editors use to check and complete a file as it is typed."""
    schema = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


@dataclass(frozen=True)
class SectionSpec:
    """One section of a department's response: where it lives in the file and its heading."""

    key: str
    year: int | None
    heading: str

    @property
    def field(self) -> str:
        """The dotted path of the section in a submission, e.g. `progress.2014`."""
        return self.key if self.year is None else f"{self.key}.{self.year}"

    @property
    def path(self) -> tuple[str] | tuple[str, int]:
        return (self.key,) if self.year is None else (self.key, self.year)
