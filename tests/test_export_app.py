"""The page's export tab offers the layouts and print sizes, and names every download after the scene."""

from __future__ import annotations

import pytest

from tests.test_app import _app, _open

pytestmark = pytest.mark.xdist_group("app")  # one Streamlit script at a time, as test_app.py


def _downloads(at) -> dict[str, str]:
    """Download buttons by label: their help, which begins with the file's name."""
    return {button.proto.label: button.proto.help for button in at.get("download_button")}


def test_export_tab_names_files_and_offers_paper_and_slide_layouts():
    at = _open(_app().run(), "Export & share")
    files = _downloads(at)
    assert files["PNG"].startswith("fig5-rosenbrock_3d.png") and files["PDF"].startswith("fig5-rosenbrock_3d.pdf")
    assert files["Scene (JSON)"].startswith("Open it here again") and "Trajectories (CSV)" in files
    at.selectbox(key="export_view").set_value("contour").run()
    assert _downloads(at)["SVG"].startswith("fig5-rosenbrock_contour.svg")

    at.selectbox(key="export_layout").set_value("paper").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="export_view").disabled
    files = _downloads(at)
    assert files["PDF"].startswith("fig5-rosenbrock_paper-175mm.pdf") and "300 dpi" in files["PNG"]
    at.selectbox(key="export_size.paper").set_value("one").run()
    at.number_input(key="export_dpi").set_value(600).run()
    assert _downloads(at)["PNG"].startswith("fig5-rosenbrock_paper-85mm.png — 600 dpi")

    at.text_input(key="export_camera").set_value("1,1").run()
    assert not at.exception and "expected an eye" in at.error[0].value
    at.text_input(key="export_camera").set_value("1.8,-1.2,0.8").run()
    assert not at.error

    at.selectbox(key="export_layout").set_value("slide").run()
    assert _downloads(at)["PNG"].startswith("fig5-rosenbrock_slide.png")

    at.number_input(key="lr").set_value(0.01).run()  # edited: no longer the preset
    assert _downloads(at)["PNG"].startswith("custom-rosenbrock_slide.png")
