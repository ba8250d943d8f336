"""One department's part of one cycle, as its portal page shows it: the sections the report
asks of it, its file (found by the department it names, whatever the file is called) and that
file's check."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.check.validate import check_cycle_config
from pipeline.errors import InvalidInputError
from pipeline.portal.invites import Invite
from pipeline.read import source
from pipeline.read.yaml_file import parse_yaml
from pipeline.records import FileResult
from pipeline.service import check_upload, own_file_name
from pipeline.submission.schema import ReportConfig
from pipeline.submission.sections import SectionSpec
from pipeline.workspace import Workspace


@dataclass(frozen=True)
class DepartmentCycle:
    config: ReportConfig
    asked: tuple[SectionSpec, ...]  # the sections the department writes, in report order
    carried: tuple[str, ...]  # headings of sections carried forward from an earlier cycle, not asked again
    carried_from: str | None
    file_name: str
    content: bytes | None  # None: not submitted
    result: FileResult | None  # the file's check, when there is a file
    data: object  # the file's values as YAML read them (None when it cannot be read)


def load(workspace: Workspace, invite: Invite) -> DepartmentCycle:
    sources = source.read_cycle(workspace.submissions, invite.cycle)
    config, earlier, problems = check_cycle_config(sources)
    if config is None:
        raise InvalidInputError(problems)
    published = earlier.get(invite.department)
    carried = published.sections if published else {}
    specs = config.sections()
    name = own_file_name(sources, config, invite.department)
    path = sources.folder / name
    content = path.read_bytes() if path.is_file() else None
    result = check_upload(workspace, invite.cycle, name, content) if content is not None else None
    return DepartmentCycle(
        config=config,
        asked=tuple(spec for spec in specs if spec.field not in carried),
        carried=tuple(spec.heading for spec in specs if spec.field in carried),
        carried_from=published.cycle if published and carried else None,
        file_name=name,
        content=content,
        result=result,
        data=parse_yaml(path, content).data if content is not None else None,
    )
