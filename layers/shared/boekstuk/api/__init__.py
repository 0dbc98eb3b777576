"""HTTP mapping shared by every API handler: resolver factory, RFC 9457 problems, caller identity."""
