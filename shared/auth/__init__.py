"""Authentication: our own RS256 issuer, the verifier, passwords, and the caller's identity."""
