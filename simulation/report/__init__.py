"""The business-case evidence pack: ``lco-sim report results/<experiment>/``.

:func:`build_report` reads an experiment folder written by ``lco-sim sweep``
(:mod:`simulation.report.data`), appraises every arm against the do-nothing arm
(:mod:`simulation.finance.appraisal`), and writes to ``<folder>/report/``:

* ``report.html``: a self-contained page (figures embedded as base64 PNG);
* one CSV per table and ``business_case.xlsx`` with one sheet per table;
* ``report_manifest.json``: what produced it (experiment hashes, version, git commit).

Files are written to a temporary folder and moved into place at the end, so an interrupted
report leaves nothing half-written.
"""

from __future__ import annotations

from simulation.report.build import build_report

__all__ = ["build_report"]
