"""The page's own pieces. ``ui.state`` is pure (no Streamlit); ``ui.widgets`` draws controls."""
