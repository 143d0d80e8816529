"""Statement text is data: escaped into the page, never evaluated."""

from __future__ import annotations

from conftest import make_workspace, pdf_text, run_cli


def test_markup_and_jinja_in_a_headline_print_literally(tmp_path):
    workspace = make_workspace(tmp_path, headline="<b>{{ 7*7 }}</b>", kicker="{% if true %}x{% endif %} & <i>")
    result = run_cli("poster", "--size", "a4", "--out", "out", cwd=workspace)
    assert result.returncode == 0, result.stderr
    # Line breaks may fall anywhere in the headline: compare without spaces.
    text = pdf_text(next((workspace / "out").rglob("*.pdf"))).replace(" ", "")
    assert "<B>{{7*7}}</B>" in text  # the design sets headlines in capitals
    assert "{%IFTRUE%}X{%ENDIF%}&<I>" in text
    assert "49" not in text
