"""Prefect at the edge: the adapter that runs the stages as tasks (`prefect_tasks`), the names
the pipeline gives things in Prefect (`prefect_names`), and the server a build talks to
(`prefect_api`). Nothing in the core imports this package.
"""
