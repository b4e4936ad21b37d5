"""The Textual reader. Only this package imports Textual; it talks to `wirereader.service`."""
