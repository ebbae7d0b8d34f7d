"""Result delivery (出件, F4): find by number or receipt scan, check the collector, record the handover."""

from ui.delivery.page import DeliveryPage

__all__ = ["DeliveryPage"]
