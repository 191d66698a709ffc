"""The terminal UI: a thin Textual layer over ``casetracker.services.cases``."""
