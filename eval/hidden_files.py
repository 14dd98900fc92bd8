"""Real .docx and .pdf files that hide text from readers, for the AI-instruction benchmark and tests.

Hiding modes: ``vanish`` (w:vanish), ``white`` (white font) and ``tiny`` (1-pt) in .docx;
``pdf_invisible`` (text render mode 3) and ``pdf_white`` (white fill) in PDF.
"""

from __future__ import annotations

import io

DOCX_MODES = ("vanish", "white", "tiny")
PDF_MODES = ("pdf_invisible", "pdf_white")


def docx_hiding(visible: str, hidden: str, mode: str) -> bytes:
    """One paragraph: the visible text, then a run hidden in the given way (``none`` leaves it visible)."""
    import docx
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    run = document.add_paragraph(visible + " ").add_run(hidden)
    if mode == "vanish":
        run.font.hidden = True
    elif mode == "white":
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    elif mode == "tiny":
        run.font.size = Pt(1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_hiding(visible_lines: list[str], hidden: str, mode: str) -> bytes:
    """A one-page PDF: the visible lines, then a line drawn invisibly or in white."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    text = pdf.beginText(72, 760)
    for line in visible_lines:
        text.textLine(line)
    if mode == "pdf_invisible":
        text.setTextRenderMode(3)
    else:
        text.setFillColorRGB(1, 1, 1)
    text.textLine(hidden)
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
