"""Alembic front end: revision files read statically (Python `ast`), never imported.

`project` finds the projects and their version folders, `revision` reads one revision
file's identifiers and functions, `graph` orders the revisions, `walker` turns the
`upgrade()` / `downgrade()` bodies into the Ops the SQL front end produces, and
`front_end` puts it together: project → ordered revisions → up and down Ops.
"""
