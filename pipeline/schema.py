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

    model_config = _STRICT

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


class Submission(BaseModel):
    """`submissions/<cycle>/<department>.yaml`: one department's response.

    Section text is a small Markdown subset: paragraphs separated by a blank
    line, "- " bullet lists, [text](https://…) links, *emphasis* and **strong**.
    """

    model_config = _STRICT

    department: str = Field(description="The department's name, as listed in report.yaml.")
    short_name: str | None = Field(default=None, description='The short name the text uses, e.g. "DH".')
    commitments: str = Field(description="The department's original commitments.")
    progress: dict[int, str] = Field(description="For each reporting year, the progress made during that year.")
    plans: dict[int, str] = Field(description="For the year after each reporting year, the activities planned.")


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

    def text_in(self, submission: Submission) -> str | None:
        if self.year is None:
            return getattr(submission, self.key)
        return getattr(submission, self.key).get(self.year)
