"""Services: city. (Exported through services/__init__.py by __all__.)"""

__all__: list[str] = []
