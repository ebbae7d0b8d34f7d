"""Receipts and notices as ReportLab documents, and print dispatch (CUPS). No Qt."""
