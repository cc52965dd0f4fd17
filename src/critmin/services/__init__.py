"""One function per analyst question, used by every front end (CLI, reports, web)."""
