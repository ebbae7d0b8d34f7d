"""PySide6 user interface of the workstation. The only package that imports Qt."""
