"""The two errors the core raises: one for unusable input files, one for bad settings."""


class InputError(ValueError):
    """The input file cannot be used; the message is one sentence a person can act on."""


class ConfigError(ValueError):
    """The settings document is invalid; the message names the field and the problem."""
