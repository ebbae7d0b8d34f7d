"""Keys and ciphers for personal data and attachments at rest, password hashing."""
