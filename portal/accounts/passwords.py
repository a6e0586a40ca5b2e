"""Password hashing with argon2id (argon2-cffi defaults, above ASVS 5.0's minimum)."""
from __future__ import annotations

import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# The test suite alone sets PORTAL_TEST_CHEAP_HASHING=1 (thousands of sign-ins per run);
# everything else uses argon2-cffi's defaults (RFC 9106 low-memory profile).
if os.environ.get("PORTAL_TEST_CHEAP_HASHING") == "1":
    _hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
else:
    _hasher = PasswordHasher()
# A real hash of a random password, so unknown e-mails take as long as wrong passwords.
_DUMMY = _hasher.hash("not-a-password-of-anyone")

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)
