"""asyncsnip: a terminal reference for asyncio with verified, runnable snippets."""

__version__ = "0.1.0"
