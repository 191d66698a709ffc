"""Terminal sizes the screens fit themselves to: 80×24 is the smallest laid out for.

The app sets the classes ``-narrow``/``-wide`` and ``-short``/``-tall`` on every screen from
these (Textual's breakpoints), so app.tcss can lay out for them; the screens that also change
what they draw (short queue names, a case and its actions taking turns) read them here.
"""

from __future__ import annotations

NARROW = 100  # columns: below this a screen is "-narrow"
SHORT = 32  # rows: below this a screen is "-short"
