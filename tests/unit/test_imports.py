"""Importing the library must not load a model, open a store or pull in the web framework."""

from __future__ import annotations

import subprocess
import sys


def test_importing_assistant_loads_no_model_and_no_fastapi() -> None:
    code = (
        "import sys, assistant, assistant.service, assistant.cli, assistant.reviewer;"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'chromadb', 'fastapi', 'langchain_chroma') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
