"""Static and standalone exports of the figures: PNG, SVG, self-contained HTML and an animated GIF.

Images are rendered by kaleido in Debian's Chromium. Starting the browser costs seconds, so one
kaleido session is started lazily on the first export and reused by every later one, from any
thread (Streamlit serves each session in its own thread). It lives on its own event loop in a
daemon thread; callers submit renders to it and wait on futures. We do not use
``kaleido.start_sync_server``: if Chromium is missing its server thread dies on start and every
later call blocks forever, and its request/answer queues are not safe for concurrent callers.

A 3-D figure's SVG holds a raster image of the WebGL scene, not vectors.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import io
import threading
from collections.abc import Callable
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


def render(fig: go.Figure | dict, fmt: str, width: int, height: int, scale: float = 1.0) -> bytes:
    """Renders a figure (object or dict) to ``fmt`` ("png", "svg", "pdf", "jpeg", "webp") bytes."""
    if width <= 0 or height <= 0 or scale <= 0:
        raise ValueError(f"width, height and scale must be positive, got {width=}, {height=}, {scale=}")
    figure = fig.to_dict() if isinstance(fig, go.Figure) else fig
    # The invisible picking grid only serves clicks; it would double a contour's rendering time.
    figure = {**figure, "data": [t for t in figure.get("data", []) if t.get("name") != "pick"]}
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


def to_html(fig: go.Figure) -> str:
    """A self-contained HTML page (plotly.js inline, works offline); animations wait for the play button."""
    return fig.to_html(
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,
        config={"displaylogo": False, "responsive": True},
    )


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
