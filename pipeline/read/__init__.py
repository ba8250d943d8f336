"""read: a cycle's files found and loaded, not yet judged.

report.yaml, one YAML file per department, and the earlier cycles it carries forward,
each loaded with every YAML trap said in plain words (`yaml_traps`).
"""
