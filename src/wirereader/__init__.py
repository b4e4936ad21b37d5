"""wirereader: a terminal reader for wire-service dispatches."""

__version__ = "0.1.0"
