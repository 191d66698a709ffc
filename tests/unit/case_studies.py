"""The report's two case studies, for the unit tests (read from the shipped scenario files)."""

from casetracker.services.training.case_studies import (
    FIGURE_1,
    FIGURE_1_ENDS,
    FIGURE_2,
    FIGURE_2_ENDS,
)

__all__ = ["FIGURE_1", "FIGURE_1_ENDS", "FIGURE_2", "FIGURE_2_ENDS"]
