"""critmin: critical-mineral supply security and trade-agreement analytics.

The Python API is the :mod:`critmin.services` layer (one function per analyst
question); the ``critmin`` command and the reports are thin front ends over it.
"""

__version__ = "0.1.0"
