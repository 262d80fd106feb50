"""This database's own keys for sync: an Ed25519 key to sign the packages it
sends and an X25519 key to open the packages sent to it.

The private halves live in the ``settings`` table of this database and are
never written anywhere else (not into packages, not into logs): a laptop
makes its own pair when it is set up and only its public halves travel (see
``roles.py``). Keys are stored as base64 of the raw 32 bytes.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from ..storage import Store

SIGN_PRIVATE = "sync_sign_private"
BOX_PRIVATE = "sync_box_private"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def sign_public_from(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(unb64(text))


def box_public_from(text: str) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(unb64(text))


def fingerprint(sign_public_b64: str) -> str:
    """A short, stable name for a public key (the county's identity in packages)."""
    return hashlib.sha256(unb64(sign_public_b64)).hexdigest()[:20]


def has_keys(store: Store) -> bool:
    return store.get_setting(SIGN_PRIVATE) is not None


def create_keys(store: Store) -> tuple[str, str]:
    """Make this database's key pairs (once); return the public halves (b64)."""
    if has_keys(store):
        return public_keys(store)
    sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    store.set_setting(SIGN_PRIVATE, b64(raw_private(sign)))
    store.set_setting(BOX_PRIVATE, b64(raw_private(box)))
    return public_keys(store)


def signing_key(store: Store) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(unb64(store.get_setting(SIGN_PRIVATE)))


def box_key(store: Store) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(unb64(store.get_setting(BOX_PRIVATE)))


def public_keys(store: Store) -> tuple[str, str]:
    return (b64(raw_public(signing_key(store).public_key())), b64(raw_public(box_key(store).public_key())))
