"""What the CLI and the web page do, as Python: the services behind ``hotwatch``'s commands."""
