"""Pressroom: builds a coaching institute's monthly magazine as a print PDF and an EPUB 3."""

__version__ = "0.1.0"
