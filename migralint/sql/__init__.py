"""SQL front end: split files into statements, parse them, and describe them as Ops."""
