"""Tags: hotlines, regions and failure categories."""

from analysis.tags.categories import CATEGORIES, categories
from analysis.tags.hotlines import hotlines
from analysis.tags.regions import regions

__all__ = ["CATEGORIES", "categories", "hotlines", "regions"]
