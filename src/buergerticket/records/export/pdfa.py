"""PDF/A-2b renditions through Ghostscript, where it is installed.

Ghostscript is an optional system tool (Debian package ``ghostscript``); the
export says in its manifest which files could be converted. It runs with
``-dSAFER`` and may read only the colour profile it is given.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

ICC_CANDIDATES = (
    "/usr/share/color/icc/ghostscript/srgb.icc",
    "/usr/share/color/icc/sRGB.icc",
    "/usr/share/color/icc/colord/sRGB.icc",
)
TIMEOUT_SECONDS = 120

_PREFIX = """%!
/ICCProfile ({icc}) def
[/_objdef {{icc_PDFA}} /type /stream /OBJ pdfmark
[{{icc_PDFA}} << /N 3 >> /PUT pdfmark
[{{icc_PDFA}} ICCProfile (r) file /PUT pdfmark
[/_objdef {{OutputIntent_PDFA}} /type /dict /OBJ pdfmark
[{{OutputIntent_PDFA}} << /Type /OutputIntent /S /GTS_PDFA1
  /DestOutputProfile {{icc_PDFA}} /OutputConditionIdentifier (sRGB) >> /PUT pdfmark
[{{Catalog}} << /OutputIntents [ {{OutputIntent_PDFA}} ] >> /PUT pdfmark
"""


def ghostscript() -> str | None:
    return shutil.which(getattr(settings, "GHOSTSCRIPT", "gs"))


def icc_profile() -> str | None:
    for candidate in ICC_CANDIDATES:
        path = Path(candidate)
        if path.exists():
            return str(path.resolve())
    return None


def available() -> bool:
    return ghostscript() is not None and icc_profile() is not None


def to_pdfa(pdf: bytes) -> bytes | None:
    """The PDF converted to PDF/A-2b, or None when Ghostscript cannot do it."""
    gs, icc = ghostscript(), icc_profile()
    if gs is None or icc is None or "(" in icc or ")" in icc:
        return None
    with tempfile.TemporaryDirectory(prefix="bt-pdfa-") as tmp:
        source, target, prefix = Path(tmp, "in.pdf"), Path(tmp, "out.pdf"), Path(tmp, "pdfa.ps")
        source.write_bytes(pdf)
        prefix.write_text(_PREFIX.format(icc=icc), encoding="ascii")
        try:
            result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [
                    gs,
                    "-q",
                    "-dPDFA=2",
                    "-dBATCH",
                    "-dNOPAUSE",
                    "-dSAFER",
                    f"--permit-file-read={icc}",
                    "-sColorConversionStrategy=RGB",
                    "-sDEVICE=pdfwrite",
                    "-dPDFACompatibilityPolicy=1",
                    f"-sOutputFile={target}",
                    str(prefix),
                    str(source),
                ],
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            return None
        return target.read_bytes()
