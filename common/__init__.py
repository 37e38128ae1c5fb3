"""Pieces shared by every layer: parameter specs and the safe formula language."""
