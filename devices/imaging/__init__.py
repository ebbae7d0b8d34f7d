"""The page image pipeline (Pillow + numpy), separate from the scan sources.

``load_images`` opens untrusted files with size and pixel limits; ``PagePipeline`` turns a raw page
into a stored page (orientation, border crop, deskew, blank detection, compression preset, thumbnail);
``PipelinedPages`` runs it for a scan batch on worker threads, delivering pages in order.
"""

from devices.imaging.batch import PipelinedPages
from devices.imaging.errors import ImageRefused
from devices.imaging.limits import ImageLimits, load_images
from devices.imaging.pipeline import PagePipeline, PipelineSettings, Preset, ProcessedPage

__all__ = [
    "ImageLimits",
    "ImageRefused",
    "PagePipeline",
    "PipelineSettings",
    "PipelinedPages",
    "Preset",
    "ProcessedPage",
    "load_images",
]
