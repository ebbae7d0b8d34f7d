"""Receipts and notices as ReportLab documents, and print dispatch (CUPS). No Qt.

The core maps a case to a :class:`DocumentContext`; :func:`build_pdf` / :func:`build_document` make
the PDF; a :class:`PrintDispatcher` queues, prints, retries and reports every print for the audit.
The CUPS backend lives in ``printing.cups_backend`` and is imported only when chosen (it needs pycups).
See docs/printing.md.
"""

from printing.dispatch import (
    FolderPrinter,
    InMemoryPrintJobStore,
    JobStatus,
    JsonFilePrintJobStore,
    PrintAction,
    PrintDispatcher,
    Printer,
    PrinterStatus,
    PrintEvent,
    PrintJob,
    PrintJobStore,
    PrintWorker,
)
from printing.documents import PrintableDocument, build_document, build_pdf
from printing.errors import FontMissingError, PrinterUnavailable, PrintFailed, PrintingError, PrintJobNotFound
from printing.model import (
    DeliveryInfo,
    DeliveryMethod,
    DocumentContext,
    DocumentKind,
    HallHeader,
    LineStatus,
    MaterialForm,
    MaterialLine,
    PageLayout,
    RejectionInfo,
)

__all__ = [
    "DeliveryInfo",
    "DeliveryMethod",
    "DocumentContext",
    "DocumentKind",
    "FolderPrinter",
    "FontMissingError",
    "HallHeader",
    "InMemoryPrintJobStore",
    "JobStatus",
    "JsonFilePrintJobStore",
    "LineStatus",
    "MaterialForm",
    "MaterialLine",
    "PageLayout",
    "PrintAction",
    "PrintDispatcher",
    "PrintEvent",
    "PrintFailed",
    "PrintJob",
    "PrintJobNotFound",
    "PrintJobStore",
    "PrintWorker",
    "PrintableDocument",
    "Printer",
    "PrinterStatus",
    "PrinterUnavailable",
    "PrintingError",
    "RejectionInfo",
    "build_document",
    "build_pdf",
]
