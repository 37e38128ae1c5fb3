"""The error every bad parameter value raises; its own module so that the parameter specs
(``common.params``) and the formula language (``common.formula``) both use it without importing
each other."""


class ParamError(ValueError):
    """A parameter value is not allowed; the message says what is."""
