"""Emulated eMRTD/ID cards (vpcd), their test PKI and documents, and a private pcscd."""
