"""JAX's process-wide settings for this project: the persistent compilation cache and the CPU device count.

Nothing here runs at import. The page, the command line, the benchmark and the tests call
:func:`configure` once, before their first computation. JAX is imported inside the functions, so
that ``engine`` (and with it the Scene) imports without it.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "LR_LANDSCAPES_JAX_CACHE"


def configure(*, cpu_devices: int | None = None) -> Path | None:
    """Turns on the persistent compilation cache; with ``cpu_devices``, also asks for that many CPU devices.

    ``cpu_devices=0`` asks for one per core (see :func:`use_cpu_cores`); None leaves JAX's default.
    Never raises. Returns the cache directory in use, or None (see :func:`enable_compilation_cache`).
    """
    directory = enable_compilation_cache()
    if cpu_devices is not None:
        use_cpu_cores(cpu_devices)
    return directory


def compilation_cache_dir() -> Path | None:
    """Where compiled programs persist: ``$LR_LANDSCAPES_JAX_CACHE``, else ``~/.cache/lr-landscapes/jax``.

    ``off``, ``0``, ``none`` or an empty value turn the cache off.
    """
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return None if value.strip().lower() in ("", "0", "off", "none", "false") else Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lr-landscapes" / "jax"


def enable_compilation_cache() -> Path | None:
    """Turns on JAX's persistent compilation cache (see ``compilation_cache_dir``); never raises.

    Leaves a cache directory that the process already configured alone. Returns the directory
    in use, or None when there is none (turned off, not writable, or JAX refused).
    """
    try:
        import jax

        configured = jax.config.jax_compilation_cache_dir
        if configured:
            return Path(configured)
        directory = compilation_cache_dir()
        if directory is None:
            return None
        directory.mkdir(parents=True, exist_ok=True)
        if not os.access(directory, os.W_OK | os.X_OK):
            return None
        jax.config.update("jax_compilation_cache_dir", str(directory))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
        return directory
    except Exception:  # a read-only home, an old JAX: run without the cache
        return None


def use_cpu_cores(count: int | None = None) -> int:
    """Asks JAX for one CPU device per core (``count``, default all), so that large groups shard over them.

    Works only before JAX starts its backends (the first computation); afterwards, and on a
    GPU or TPU host, it changes nothing. Returns the number of devices of the default backend.
    """
    import jax

    count = count or os.cpu_count() or 1
    if count > 1:
        try:
            jax.config.update("jax_num_cpu_devices", count)
        except Exception:  # backends already started: keep what there is
            pass
    return len(jax.devices())
