"""The report's templates, stylesheets and DOCX template, as package data.

Nothing here is code the pipeline runs: this file makes the folder a package so that it is
installed beside `pipeline` (pyproject's [tool.setuptools.package-data]) and read with
`importlib.resources`, from a checkout and from a wheel alike (`pipeline.render.html.TEMPLATES`).
"""
