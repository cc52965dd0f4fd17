"""News and negotiation intelligence: clean scraped articles, extract source-attributed
facts (``SCHEMA.md`` of the labelled news set), reconcile conflicting figures and build a
negotiation timeline. Pure functions, no I/O."""
