"""Static and standalone exports of the figures: PNG, SVG, PDF, self-contained HTML and an animated GIF.

Images are rendered by kaleido in Debian's Chromium. Starting the browser costs seconds, so one
kaleido session is started lazily on the first export and reused by every later one, from any
thread (Streamlit serves each session in its own thread). It lives on its own event loop in a
daemon thread; callers submit renders to it and wait on futures. We do not use
``kaleido.start_sync_server``: if Chromium is missing its server thread dies on start and every
later call blocks forever, and its request/answer queues are not safe for concurrent callers.

A 3-D figure's SVG and PDF hold a raster image of the WebGL scene, not vectors; 2-D views and
heatmaps are vectors (Plotly draws a heatmap's cells as one embedded image already). Traces that
only serve clicks on the page (invisible markers) are left out of every image.

Every image can carry the Scene it shows (:func:`embed`): a PNG in iTXt chunks, an SVG in its
``<metadata>``, a PDF in its document information, an HTML page in a JSON script.
:func:`embedded_scene` reads it back, so ``python cli.py run --scene figure.png`` runs it again.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import html
import io
import re
import struct
import threading
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

from engine.simulate import Result
from figures.paths import SurfaceGrid, contour_figure, decimate, run_colors, shared_label

CHROMIUM_MISSING = (
    "Image export needs a Chromium browser and none was found; install Debian's chromium: apt-get install -y chromium"
)
TABS = 2  # renders in parallel (a GIF's frames use both)
START_TIMEOUT_S = 60.0
RENDER_TIMEOUT_S = 120.0
DEFAULT_SIZE = (1000, 600)


class ExportError(RuntimeError):
    """An image could not be made; the message says why and what to do."""


class _Renderer:
    """One kaleido session (a headless Chromium with ``TABS`` tabs), started on first use and shared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def _start(self) -> None:
        import kaleido
        from choreographer.errors import ChromeNotFoundError

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kaleido-renderer", daemon=True)
        thread.start()

        async def open_browser() -> Any:
            # Built on the loop that will drive it: kaleido's queues belong to that loop.
            browser = _kaleido_class(kaleido)(n=TABS, mathjax=False)
            await browser.open()
            return browser

        try:
            browser = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(START_TIMEOUT_S)
        except BaseException as error:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            if isinstance(error, ChromeNotFoundError):
                raise ExportError(CHROMIUM_MISSING) from error
            if isinstance(error, concurrent.futures.TimeoutError):
                raise ExportError(f"Chromium did not start within {START_TIMEOUT_S:g} s for image export") from None
            raise ExportError(f"could not start Chromium for image export: {error}") from error
        self._loop, self._thread, self._kaleido = loop, thread, browser

    def submit(self, figure: dict, opts: dict) -> concurrent.futures.Future:
        with self._lock:
            if self._kaleido is None:
                self._start()
            assert self._loop is not None
            return asyncio.run_coroutine_threadsafe(self._kaleido.calc_fig(figure, opts=opts), self._loop)

    def wait(self, future: concurrent.futures.Future) -> bytes:
        try:
            return future.result(RENDER_TIMEOUT_S)
        except concurrent.futures.TimeoutError:
            future.cancel()
            self.close()  # a hung browser: start afresh next time
            raise ExportError(f"rendering an image took longer than {RENDER_TIMEOUT_S:g} s") from None
        except Exception as error:
            if type(error).__module__.startswith("choreographer"):  # the browser went away
                self.close()
                raise ExportError(f"the export browser failed ({error}); try again") from error
            raise

    def close(self) -> None:
        with self._lock:
            loop, thread, browser = self._loop, self._thread, self._kaleido
            self._loop = self._thread = self._kaleido = None
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(browser.close(), loop).result(10)
        except Exception:
            pass  # closing a broken browser may fail; its process ends with the loop's thread and ours
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def _kaleido_class(kaleido: Any) -> type:
    """Kaleido, except that a used tab reloads in the background instead of before the image is returned.

    Kaleido reloads a tab's page after every image (clean state for the next one, WebGL contexts
    freed); waiting for it added about 0.3 s to every export here. The reload still happens
    before the tab is used again. Falls back to stock kaleido if its internals change.
    """
    base = kaleido.Kaleido
    if not hasattr(base, "_return_kaleido_tab"):
        return base

    class BackgroundReload(base):
        _reloads: set

        async def _return_kaleido_tab(self, tab: Any) -> None:
            if not hasattr(self, "_reloads"):
                self._reloads = set()
            task = asyncio.ensure_future(base._return_kaleido_tab(self, tab))
            self._reloads.add(task)  # keep a reference until it is done
            task.add_done_callback(self._reloads.discard)

    return BackgroundReload


_renderer = _Renderer()
atexit.register(_renderer.close)


def shutdown() -> None:
    """Closes the shared export browser (it restarts on the next export)."""
    _renderer.close()


def _size(fig: go.Figure, width: int | None, height: int | None) -> tuple[int, int]:
    return (
        int(width or fig.layout.width or DEFAULT_SIZE[0]),
        int(height or fig.layout.height or DEFAULT_SIZE[1]),
    )


def _drawn(trace: dict) -> bool:
    """Whether a trace shows on an image: not the invisible markers that only catch clicks on the page (a
    contour's picking grid, a map's cell grid: 16,000 invisible markers made a basin map's SVG 4 MB)."""
    if trace.get("name") == "pick" or trace.get("visible") is False:
        return False
    marker = trace.get("marker") or {}
    return not (trace.get("mode") == "markers" and marker.get("opacity") == 0)


MIN_PLOT_PX = 60  # the least room for a plot once the margins (titles, legend band) are taken


def room_needed(figure: Mapping[str, Any]) -> tuple[int, int]:
    """The least width and height a figure needs: its margins (titles, tick labels, the legend's band) plus
    ``MIN_PLOT_PX`` for the plot itself. Below it Plotly cannot scale the axes at all."""
    margin = (figure.get("layout") or {}).get("margin") or {}
    horizontal = int(margin.get("l", 80) or 0) + int(margin.get("r", 80) or 0)
    vertical = int(margin.get("t", 100) or 0) + int(margin.get("b", 80) or 0)
    return horizontal + MIN_PLOT_PX, vertical + MIN_PLOT_PX


def render(fig: go.Figure | dict, fmt: str, width: int, height: int, scale: float = 1.0) -> bytes:
    """Renders a figure (object or dict) to ``fmt`` ("png", "svg", "pdf", "jpeg", "webp") bytes."""
    if width <= 0 or height <= 0 or scale <= 0:
        raise ValueError(f"width, height and scale must be positive, got {width=}, {height=}, {scale=}")
    figure = fig.to_dict() if isinstance(fig, go.Figure) else fig
    least_width, least_height = room_needed(figure)
    if width < least_width or height < least_height:
        raise ValueError(
            f"{width} × {height} px leaves no room for the plot once its titles, ticks and legend are placed; "
            f"use at least {least_width} × {least_height} px"
        )
    figure = {**figure, "data": [t for t in figure.get("data", []) if _drawn(t)]}
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    return _renderer.wait(_renderer.submit(figure, opts))


def to_png(fig: go.Figure, width: int | None = None, height: int | None = None, scale: float = 1.0) -> bytes:
    """PNG bytes of ``width·scale × height·scale`` pixels (defaults: the figure's size, else 1000 × 600).

    Use ``scale`` 2–3 for print (a 1000-px-wide figure at scale 3 is 10 inches at 300 dpi).
    """
    w, h = _size(fig, width, height)
    return render(fig, "png", w, h, scale)


def to_svg(fig: go.Figure, width: int | None = None, height: int | None = None) -> bytes:
    """SVG bytes (UTF-8). A 3-D scene is embedded as a raster image inside the SVG."""
    w, h = _size(fig, width, height)
    return render(fig, "svg", w, h)


def to_pdf(fig: go.Figure, width: int | None = None, height: int | None = None) -> bytes:
    """PDF bytes, one page of ``width × height`` CSS pixels (0.75 pt each); text in embedded fonts, 2-D views
    as vectors, a 3-D scene as an image."""
    w, h = _size(fig, width, height)
    return render(fig, "pdf", w, h)


def to_html(fig: go.Figure, about: About | None = None) -> str:
    """A self-contained HTML page (plotly.js inline, works offline); animations wait for the play button.
    ``about`` puts the scene in the page (a JSON script that :func:`embedded_scene` reads)."""
    page = fig.to_html(
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,
        config={"displaylogo": False, "responsive": True},
    )
    return page if about is None else _embed_html(page, about)


# --- the scene inside the file ----------------------------------------------------------------------------

SCENE_KEY = "Scene"  # the PNG keyword, the PDF information key and the SVG element's name
SCENE_NAMESPACE = "urn:x-lr-landscapes:scene"
SOFTWARE = "LR landscapes (python cli.py render)"
IMAGE_FORMATS = ("png", "svg", "pdf")


class About(NamedTuple):
    """What an exported figure says about itself: the Scene that makes it again, and how."""

    scene: str  # the Scene's JSON
    title: str  # e.g. "fig5-rosenbrock, paper layout"
    command: str = ""  # the command that makes the same file


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _itxt(keyword: str, text: str) -> bytes:
    """A compressed international text chunk (UTF-8), as PNG 1.2 §4.2.3.3 defines it."""
    return _png_chunk(b"iTXt", keyword.encode("latin-1") + b"\0\1\0\0\0" + zlib.compress(text.encode("utf-8")))


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """``(type, payload)`` of every chunk of a PNG. Raises ValueError if it is not one."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    chunks, at = [], 8
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        chunks.append((kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
        if kind == b"IEND":
            break
    return chunks


def _embed_png(data: bytes, about: About | None, dpi: float | None) -> bytes:
    chunks = [(k, p) for k, p in _png_chunks(data) if not (k == b"pHYs" and dpi) and k not in (b"tEXt", b"iTXt")]
    extra = []
    if about is not None:
        extra += [_itxt("Title", about.title), _itxt("Software", SOFTWARE), _itxt(SCENE_KEY, about.scene)]
        if about.command:
            extra.append(_itxt("Comment", about.command))
    if dpi:
        per_metre = round(dpi / 0.0254)
        extra.append(_png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
    out = [data[:8]]
    for kind, payload in chunks:
        if kind == b"IDAT" and extra:  # ancillary chunks go before the image data
            out += extra
            extra = []
        out.append(_png_chunk(kind, payload))
    return b"".join(out)


def _embed_svg(data: bytes, about: About, width_mm: float | None) -> bytes:
    text = data.decode("utf-8")
    opening = re.search(r"<svg\b[^>]*>", text)
    if opening is None:
        raise ValueError("not an SVG file")
    tag = opening.group(0)
    if width_mm is not None:  # printed size: keep the pixel viewBox, state the size in millimetres
        width = re.search(r'\bwidth="([\d.]+)"', tag)
        height = re.search(r'\bheight="([\d.]+)"', tag)
        if width and height:
            height_mm = width_mm * float(height.group(1)) / float(width.group(1))
            tag = tag.replace(width.group(0), f'width="{width_mm:.2f}mm"', 1)
            tag = tag.replace(height.group(0), f'height="{height_mm:.2f}mm"', 1)
    inside = (
        f"<title>{html.escape(about.title, quote=False)}</title>"
        f'<metadata><{SCENE_KEY.lower()} xmlns="{SCENE_NAMESPACE}" command="{html.escape(about.command)}">'
        f"{html.escape(about.scene, quote=False)}</{SCENE_KEY.lower()}></metadata>"
    )
    if tag.endswith("/>"):  # an empty <svg/>
        tag, inside = tag[:-2].rstrip() + ">", inside + "</svg>"
    return (text[: opening.start()] + tag + inside + text[opening.end() :]).encode("utf-8")


def _pdf_text(text: str) -> bytes:
    """A PDF text string in UTF-16BE with its byte-order mark, as hex (PDF 1.7 §7.9.2.2)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _embed_pdf(data: bytes, about: About) -> bytes:
    """A new document information dictionary, appended as an incremental update (PDF 1.7 §7.5.6): the file's
    bytes stay as they are; readers take the last trailer. Needs a classic cross-reference table (Skia's)."""
    trailers = list(re.finditer(rb"trailer\s*<<(.*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$", data, re.S))
    size = re.search(rb"/Size\s+(\d+)", trailers[-1].group(1)) if trailers else None
    root = re.search(rb"/Root\s+(\d+\s+\d+\s+R)", trailers[-1].group(1)) if trailers else None
    if not (trailers and size and root):
        raise ValueError("this PDF has no plain cross-reference table to add the scene to")
    ids = re.search(rb"/ID\s*\[[^\]]*\]", trailers[-1].group(1))
    number = int(size.group(1))
    body = data if data.endswith(b"\n") else data + b"\n"
    offset = len(body)
    info = (
        f"{number} 0 obj\n<<".encode()
        + b"/Title "
        + _pdf_text(about.title)
        + b"\n/Subject "
        + _pdf_text(about.command or about.title)
        + b"\n/Creator "
        + _pdf_text(SOFTWARE)
        + b"\n/Producer (Skia/PDF via kaleido)\n/"
        + SCENE_KEY.encode()
        + b" <"
        + about.scene.encode("utf-8").hex().encode("ascii")
        + b">>>\nendobj\n"
    )
    xref = len(body) + len(info)
    trailer = (
        f"xref\n0 1\n0000000000 65535 f\r\n{number} 1\n{offset:010d} 00000 n\r\n"
        f"trailer\n<</Size {number + 1} /Root ".encode()
        + root.group(1)
        + f" /Info {number} 0 R /Prev {int(trailers[-1].group(2))}".encode()
        + (b" " + ids.group(0) if ids else b"")
        + f">>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return body + info + trailer


def _embed_html(page: str, about: About) -> str:
    script = (
        f'<script type="application/json" id="scene" data-title="{html.escape(about.title)}">'
        + about.scene.replace("</", "<\\/")
        + "</script>"
    )
    return page.replace("</body>", script + "</body>", 1) if "</body>" in page else page + script


def embed(data: bytes, fmt: str, about: About, *, dpi: float | None = None, width_mm: float | None = None) -> bytes:
    """``data`` (an image of format ``fmt``) carrying ``about``: a PNG also gets its ``dpi`` (pHYs), an SVG
    its printed width ``width_mm`` (its pixel viewBox kept)."""
    if fmt == "png":
        return _embed_png(data, about, dpi)
    if fmt == "svg":
        return _embed_svg(data, about, width_mm)
    if fmt == "pdf":
        return _embed_pdf(data, about)
    if fmt == "html":
        return _embed_html(data.decode("utf-8"), about).encode("utf-8")
    raise ValueError(f"cannot put a scene into a {fmt!r} file; allowed: png, svg, pdf, html")


def _png_text(payload: bytes, kind: bytes) -> tuple[str, str]:
    keyword, _, rest = payload.partition(b"\0")
    if kind == b"tEXt":
        return keyword.decode("latin-1"), rest.decode("latin-1")
    if kind == b"zTXt":
        return keyword.decode("latin-1"), zlib.decompress(rest[1:]).decode("latin-1")
    compressed, rest = rest[0], rest[2:]
    _language, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    return keyword.decode("latin-1"), (zlib.decompress(text) if compressed else text).decode("utf-8")


def embedded_scene(data: bytes, name: str = "the file") -> str:
    """The Scene JSON that :func:`embed` put into an exported PNG, SVG, PDF or HTML file.

    Raises ValueError naming ``name`` when the file holds none (a figure exported before scenes were
    embedded, or by another program)."""
    found: str | None = None
    head = data[:4096].lstrip()
    if head.startswith(b"\x89PNG"):
        for kind, payload in _png_chunks(data):
            if kind in (b"tEXt", b"zTXt", b"iTXt"):
                keyword, text = _png_text(payload, kind)
                if keyword == SCENE_KEY:
                    found = text
    elif head.startswith(b"%PDF"):
        matches = re.findall(rb"/" + SCENE_KEY.encode() + rb"\s*<([0-9A-Fa-f\s]*)>", data)
        if matches:
            found = bytes.fromhex(matches[-1].decode("ascii")).decode("utf-8")
    elif b"<svg" in head:
        try:
            element = ET.fromstring(data).find(f".//{{{SCENE_NAMESPACE}}}{SCENE_KEY.lower()}")
        except ET.ParseError as error:
            raise ValueError(f"{name} is not a readable SVG file ({error})") from None
        found = None if element is None else element.text
    elif b"<html" in head.lower() or b"<!doctype html" in head.lower():
        match = re.search(rb'<script type="application/json" id="scene"[^>]*>(.*?)</script>', data, re.S)
        found = None if match is None else match.group(1).decode("utf-8").replace("<\\/", "</")
    else:
        raise ValueError(f"{name} is neither a scene JSON file nor an exported PNG, SVG, PDF or HTML figure")
    if not found:
        raise ValueError(
            f"{name} holds no scene: export it again from this version (python cli.py render …), "
            "or pass the scene JSON file (its side-car NAME.scene.json)"
        )
    return found


FILE_FORMATS = ("png", "svg", "pdf", "html")


def export_file(
    fig: go.Figure,
    fmt: str,
    *,
    scale: float = 1.0,
    dpi: float | None = None,
    width_mm: float | None = None,
    about: About | None = None,
) -> bytes:
    """The bytes of a file of format ``fmt`` (``png``, ``svg``, ``pdf``, ``html``) showing ``fig`` at its own
    size: a PNG ``scale`` times as many pixels and marked ``dpi``; an SVG ``width_mm`` wide when printed;
    every one carrying ``about`` (the scene) when given."""
    if fmt not in FILE_FORMATS:
        raise ValueError(f"format must be one of {', '.join(FILE_FORMATS)}, got {fmt=}")
    if fmt == "html":
        return to_html(fig, about).encode("utf-8")
    width, height = _size(fig, None, None)
    data = render(fig, fmt, width, height, scale if fmt == "png" else 1.0)
    if fmt == "png" and about is None and dpi:
        return _embed_png(data, None, dpi)
    if about is None:
        return data
    return embed(data, fmt, about, dpi=dpi if fmt == "png" else None, width_mm=width_mm if fmt == "svg" else None)


class PlotArea(NamedTuple):
    """Where the axes sit in a GIF frame, in pixels (fixed margins, so it is known before rendering)."""

    left: float
    top: float
    width: float
    height: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def to_pixels(self, xy: np.ndarray) -> np.ndarray:
        """Data coordinates ``[..., 2]`` to pixel centres ``[..., 2]`` (x right, y down)."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        px = self.left + (xy[..., 0] - x0) / (x1 - x0) * self.width
        py = self.top + (y1 - xy[..., 1]) / (y1 - y0) * self.height
        return np.stack([px, py], axis=-1)


class GifFrames(NamedTuple):
    steps: list[int]  # [F]
    positions: np.ndarray  # [B, F, 2] marker positions
    background: dict  # the static figure: contour, paths, special points
    area: PlotArea


GIF_MARKER_DIAMETER = 14  # px, with a 2-px white outline: the playback figure's marker
GIF_COLORBAR_PX = 115  # the right margin, for the contour's colour bar
GIF_MIN_PLOT_PX = 120  # the least height left for the contour once the title and the legend are placed


def gif_frames(
    result: Result, grid: SurfaceGrid, frames: int = 40, size: tuple[int, int] = (800, 500), log_z: bool = False
) -> GifFrames:
    """The data of a GIF: ``frames`` steps spread evenly over the run, their marker positions, and the
    static contour figure at ``size`` (its legend under it, as on the page) with margins fixed (``autoexpand``
    off) so that its plot area is known in pixels.
    """
    if frames < 1:
        raise ValueError(f"a GIF needs at least one frame, got {frames=}")
    width, height = size
    if width < 300 or height < 200:
        raise ValueError(f"a GIF must be at least 300 × 200 pixels, got {size=}")
    figure = contour_figure(result, grid, log_z=log_z)
    margin = figure.layout.margin
    left, top, bottom = int(margin.l), int(margin.t), int(margin.b)
    if height - top - bottom < GIF_MIN_PLOT_PX:  # a small GIF: the legend would leave no room for the contour
        figure = contour_figure(result, grid, log_z=log_z, legend=False)
        bottom = int(figure.layout.margin.b)
    area = PlotArea(
        left=left,
        top=top,
        width=width - left - GIF_COLORBAR_PX,
        height=height - top - bottom,
        x_range=(float(grid.x[0]), float(grid.x[-1])),
        y_range=(float(grid.y[0]), float(grid.y[-1])),
    )
    title = figure.layout.title.text
    if shared_label(result) and result.num_runs > 1:
        title += " — " + shared_label(result)
        figure.update_layout(legend={"title": {"text": ""}})
    figure.update_layout(
        width=width,
        height=height,
        margin={"l": left, "r": GIF_COLORBAR_PX, "t": top, "b": bottom, "autoexpand": False},
        title={"text": title},
    )
    figure.update_traces(colorbar={"len": 1.0, "x": 1.02, "xanchor": "left"}, selector={"type": "contour"})
    steps = decimate(result.positions.shape[1], frames)
    return GifFrames(
        [int(k) for k in steps], np.asarray(result.positions[:, steps], np.float64), figure.to_dict(), area
    )


def _marker_figure(data: GifFrames, frame: int, colors: list[str]) -> dict:
    """The background figure plus Plotly's own markers at one frame's step (``overlay=False``)."""
    markers = [
        {
            "type": "scatter",
            "x": [float(data.positions[i, frame, 0])],
            "y": [float(data.positions[i, frame, 1])],
            "mode": "markers",
            "showlegend": False,
            "marker": {"color": colors[i], "size": GIF_MARKER_DIAMETER, "line": {"color": "white", "width": 2}},
        }
        for i in range(len(colors))
    ]
    return {"data": [*data.background["data"], *markers], "layout": data.background["layout"]}


def _draw_markers(image: Any, points: np.ndarray, colors: list[str], area: PlotArea) -> Any:
    """Pastes anti-aliased markers (drawn 4× larger, then reduced) at pixel centres inside the plot area."""
    from PIL import Image, ImageDraw

    supersample = 4
    radius = GIF_MARKER_DIAMETER / 2 + 1  # the outline straddles the edge, as in Plotly
    half = int(np.ceil(radius)) + 1
    frame = image.convert("RGBA")
    for (px, py), color in zip(points, colors, strict=True):
        inside = area.left <= px <= area.left + area.width and area.top <= py <= area.top + area.height
        if not (np.isfinite(px) and np.isfinite(py) and inside):
            continue  # Plotly clips markers at the axes too
        ox, oy = int(np.floor(px)) - half, int(np.floor(py)) - half
        size = 2 * half + 1
        patch = Image.new("RGBA", (size * supersample, size * supersample), (0, 0, 0, 0))
        draw = ImageDraw.Draw(patch)
        cx, cy = (px - ox + 0.5) * supersample, (py - oy + 0.5) * supersample
        for r, fill in ((radius, "white"), (radius - 2, color)):
            draw.ellipse(
                [cx - r * supersample, cy - r * supersample, cx + r * supersample, cy + r * supersample], fill=fill
            )
        frame.alpha_composite(patch.resize((size, size), Image.Resampling.LANCZOS), (ox, oy))
    return frame.convert("RGB")


def _draw_step(image: Any, step: int, total: int) -> Any:
    from PIL import ImageDraw, ImageFont

    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=17)
    text = f"step k = {step} / {total}"
    right = image.width - 12
    draw.text((right - draw.textlength(text, font=font), 14), text, fill=(42, 63, 95), font=font)
    return image


def to_gif(
    result: Result,
    grid: SurfaceGrid,
    frames: int = 40,
    size: tuple[int, int] = (800, 500),
    log_z: bool = False,
    progress: Callable[[int, int], None] | None = None,
    *,
    overlay: bool = True,
    frame_ms: int = 100,
    hold_ms: int = 1500,
) -> bytes:
    """An animated GIF of the playback on the contour: ``frames`` steps spread evenly over the run, looping.

    The contour with its paths is rendered once by the shared kaleido session; each frame then
    gets one marker per run (the playback figure's style) and the step counter, drawn with Pillow
    at pixel positions known from the fixed margins. ``overlay=False`` renders every frame through
    kaleido instead (Plotly's own markers, same look): about 0.5–1 s a frame against a few ms,
    and it holds the shared browser meanwhile.

    Frames share one palette (taken from the first, so colours do not flicker).
    ``progress(i, n)`` is called in the caller's thread once frame ``i`` of ``n`` (1-based) is ready.
    The last frame is held for ``hold_ms``.
    """
    from PIL import Image

    data = gif_frames(result, grid, frames, size, log_z)
    colors = run_colors(result)
    total = result.positions.shape[1] - 1
    opts = {"format": "png", "width": size[0], "height": size[1], "scale": 1}
    count = len(data.steps)
    images = []
    if overlay:
        background = Image.open(io.BytesIO(render(data.background, "png", *size))).convert("RGB")
        pixels = data.area.to_pixels(data.positions)  # [B, F, 2]
        for f in range(count):
            images.append(_draw_markers(background, pixels[:, f], colors, data.area))
            if progress is not None:
                progress(f + 1, count)
    else:
        futures = [_renderer.submit(_marker_figure(data, f, colors), opts) for f in range(count)]
        try:
            for f, future in enumerate(futures):
                images.append(Image.open(io.BytesIO(_renderer.wait(future))).convert("RGB"))
                if progress is not None:
                    progress(f + 1, count)
        finally:
            for future in futures:
                future.cancel()
    images = [_draw_step(image, step, total) for image, step in zip(images, data.steps, strict=True)]
    palette = images[0].quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    frames_p = [palette] + [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images[1:]]
    durations = [frame_ms] * (count - 1) + [hold_ms]
    buffer = io.BytesIO()
    frames_p[0].save(
        buffer, format="GIF", save_all=True, append_images=frames_p[1:], duration=durations, loop=0, disposal=1
    )
    return buffer.getvalue()
