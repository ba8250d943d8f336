"""The annual progress report pipeline: submissions in, HTML, PDF and DOCX out."""
