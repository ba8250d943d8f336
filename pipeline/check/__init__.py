"""check: every file against the report's structure (`schema`, `section_rules`, `carry_forward`),
every problem with its file, line, field and how to fix it; what passes is handed on parsed (`checked`).
"""
