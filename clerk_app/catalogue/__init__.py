"""The service catalogue (事项清单): items, their material requirements and intake questions."""

from clerk_app.catalogue.loader import CatalogueError, CatalogueIssue, load_catalogue, parse_catalogue
from clerk_app.catalogue.model import Catalogue, IntakeQuestion, MaterialRequirement, Necessity, ServiceItem

__all__ = [
    "Catalogue",
    "CatalogueError",
    "CatalogueIssue",
    "IntakeQuestion",
    "MaterialRequirement",
    "Necessity",
    "ServiceItem",
    "load_catalogue",
    "parse_catalogue",
]
