"""model: the one document every renderer reads (`document`), the table of its section kinds
and headings (`sections`), submission text as blocks (`markup`), and how the document is
assembled from the checked submissions (`assemble`).
"""
