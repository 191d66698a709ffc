"""The domain rules of the inspection report as pure, explainable functions.

Each rule reads plain values or a ``CaseView`` and returns its verdict together with the reasons
behind it, so a screen or an auditor can show *why* and not only *whether*.  Nothing here touches
a database or a clock of its own.
"""
