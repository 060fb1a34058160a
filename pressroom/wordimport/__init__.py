"""`build.py import`: a writer's Word document becomes an article (see docs/authoring.md, "Importing from Word").

Stages, each its own module: docx_reader (refuse hostile files) -> scan (python-docx: number paragraphs,
drop what cannot be printed) -> pandoc_ast (pandoc reads the rest) -> convert (with markdown, boxes,
questions) -> writer. command.py is the command.
"""
