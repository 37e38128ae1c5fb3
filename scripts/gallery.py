"""Renders docs/gallery/: every surface preset's paper figure, and Fig. 5 in one column and on a slide.

    python scripts/gallery.py [PRESET ...]

The same figures as ``python cli.py render --preset ID --layout paper --dpi 150``, in one export browser;
for the docs each PNG is reduced to 256 colours (about 60 kB instead of 300 kB), its scene still embedded.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
import landscapes  # noqa: E402
from engine.simulate import run  # noqa: E402
from figures import export, layouts, surface_grid  # noqa: E402
from presets import PRESETS  # noqa: E402

OUT = ROOT / "docs" / "gallery"
DPI = 150


def save(preset_id: str, **options) -> Path:
    from PIL import Image

    scene = PRESETS[preset_id].build()
    surface = landscapes.SURFACES[scene.surface.id]
    grid = surface_grid(scene.surface.id, scene.surface.params, surface.window)
    prepared = layouts.prepare(run(scene), grid, surface.log_z, **options)
    name = layouts.file_name(scene, prepared.what, "png", prepared.size)
    about = layouts.describe(scene, prepared, name)
    dpi = prepared.size.dpi if prepared.size else None
    png = export.export_file(prepared.figure, "png", scale=prepared.scale, dpi=dpi, about=about)
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    path = OUT / name
    path.write_bytes(export.embed(buffer.getvalue(), "png", about, dpi=dpi))
    print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} kB", flush=True)
    return path


def main(ids: list[str]) -> None:
    engine.configure()
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        surfaces = [key for key, preset in PRESETS.items() if "task" not in preset.scene]  # a network: its own views
        for preset_id in ids or surfaces:
            save(preset_id, layout="paper", size=layouts.PrintSize.of(dpi=DPI))
        if not ids:
            save("fig5-rosenbrock", layout="paper", size=layouts.PrintSize.of(column="one", dpi=2 * DPI))
            save("fig5-rosenbrock", layout="slide", scale=0.5)
    finally:
        export.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
