"""submission: the vocabulary of a department's response, below everything that reads, checks
or models one: the section kinds and their headings (`sections`), the schema of report.yaml and
of a department's file (`schema`), the output formats a cycle may publish (`formats`), what the
files are called (`files`) and the file `new` starts a department from (`scaffold`)."""
