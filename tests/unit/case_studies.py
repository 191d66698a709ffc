"""The report's two case studies: the data lives in ``casetracker.case_studies`` (the demo
database and the trainer's scenarios load it at run time); tests import it from here."""

from casetracker.case_studies import (  # noqa: F401
    FIGURE_1,
    FIGURE_1_ENDS,
    FIGURE_2,
    FIGURE_2_ENDS,
    IO,
    SYNTHETIC_HIGH_COMMISSION,
    SYNTHETIC_NATIONALITY,
    Step,
)
