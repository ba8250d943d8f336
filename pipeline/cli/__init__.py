"""The command line: `validate`, `new` and `schema` for departments; `build`, `import`, `server`
and `serve` for coordinators (the three that start Prefect in `prefect_commands`).
"""
