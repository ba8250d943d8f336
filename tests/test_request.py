"""One build request: the flow's parameters are its fields, whoever starts the build."""

from __future__ import annotations

import inspect
from pathlib import Path

from pipeline.render import OutputFormat
from pipeline.request import BuildRequest
from pipeline.workspace import Workspace


def test_the_annual_report_flow_takes_the_request_s_fields_with_its_defaults() -> None:
    from flows import annual_report

    parameters = inspect.signature(annual_report.fn).parameters
    assert {name: parameter.default for name, parameter in parameters.items()} == BuildRequest().parameters()


def test_a_request_survives_the_trip_through_the_flow_s_parameters() -> None:
    request = BuildRequest(
        cycle="2012-action-03",
        formats=(OutputFormat.HTML, OutputFormat.PDF),
        strict=True,
        keep_history=2,
        preview=True,
        review=False,
        review_timeout_seconds=60,
        workspace=Workspace(Path("/in"), Path("/out")),
    )
    assert BuildRequest.from_parameters(request.parameters()) == request
    # As Prefect hands them over from the UI or a deployment: text for the formats and folders.
    given = {**request.parameters(), "formats": ["html", "pdf"], "submissions_root": "/in", "outputs_root": "/out"}
    assert BuildRequest.from_parameters(given) == request
