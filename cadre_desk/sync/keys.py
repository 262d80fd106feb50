"""This database's own keys for sync: an Ed25519 key to sign the packages it
sends and an X25519 key to open the packages sent to it.

The private halves live in this database (``settings``; the rotated
receiving keys in ``sync_box_keys``, see below) and are never written anywhere else (not into packages, not into logs): a laptop
makes its own pair when it is set up and only its public halves travel (see
``roles.py``). Keys are stored as base64 of the raw 32 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import os

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
    _protect(store)
    return public_keys(store)


def signing_key(store: Store) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(unb64(store.get_setting(SIGN_PRIVATE)))


def box_key(store: Store) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(unb64(store.get_setting(BOX_PRIVATE)))


def public_keys(store: Store) -> tuple[str, str]:
    return (b64(raw_public(signing_key(store).public_key())), b64(raw_public(box_key(store).public_key())))


# ---------------------------------------------------------------- receiving keys, rotated
#
# Each side opens the packages sent to it with a receiving (X25519) key of
# its own for that peer. Every package announces the sender's newest
# receiving key for the receiver (manifest ``next_key``); the receiver
# encrypts its next packages for it and names it in the header (``rk``).
# When a package arrives under a key, the older keys for that peer are
# deleted (the peer has moved on: that is the acknowledgement) and, if it
# was the newest, a fresh one is made to announce. So a device holds at
# most two receiving keys per peer, and whoever takes it later can open
# only packages still in flight. The enrolment key (``BOX_PRIVATE``) stays
# at the county office for laptops' first packages and for a laptop
# restored from a backup (it falls back to it, see importer); on a laptop
# it is deleted once the county uses a rotated key.


def key_id(box_public_b64: str) -> str:
    return hashlib.sha256(unb64(box_public_b64)).hexdigest()[:20]


def _protect(store: Store) -> None:
    # Until the database is encrypted (the protect-the-register work), its
    # file holds private keys: readable by this user only.
    try:
        os.chmod(store.path, 0o600)
    except (OSError, TypeError):
        pass


def announce(store: Store, peer: str) -> dict:
    """This side's newest receiving key for ``peer`` (made when there is none)."""
    row = store.db.execute("SELECT id, public FROM sync_box_keys WHERE peer = ? ORDER BY created_at DESC, rowid DESC "
                           "LIMIT 1", [peer]).fetchone()
    if row is None:
        row = _new_box_key(store, peer)
    return {"id": row[0], "box_public": row[1]}


def _new_box_key(store: Store, peer: str) -> tuple[str, str]:
    key = X25519PrivateKey.generate()
    public = b64(raw_public(key.public_key()))
    kid = key_id(public)
    store.db.execute("INSERT INTO sync_box_keys(id, peer, private, public, created_at) VALUES (?, ?, ?, ?, "
                     "strftime('%Y-%m-%dT%H:%M:%f', 'now'))", [kid, peer, b64(raw_private(key)), public])
    _protect(store)
    return kid, public


def box_key_for(store: Store, rk: str | None) -> X25519PrivateKey | None:
    """The private key a package names (``rk``), the enrolment key for a
    package that names none (older programs) or names it; None when that key
    is no longer here."""
    enrol_private = store.get_setting(BOX_PRIVATE)
    if enrol_private is not None:
        enrol_key = X25519PrivateKey.from_private_bytes(unb64(enrol_private))
        if not rk or rk == key_id(b64(raw_public(enrol_key.public_key()))):
            return enrol_key
    elif not rk:
        return None
    row = store.db.execute("SELECT private FROM sync_box_keys WHERE id = ?", [rk]).fetchone()
    return X25519PrivateKey.from_private_bytes(unb64(row[0])) if row else None


def after_import(store: Store, peer: str, rk: str | None, *, laptop: bool) -> None:
    """A package from ``peer`` opened under ``rk``: delete the keys for
    ``peer`` older than it, and make a new one to announce if it was the newest."""
    row = store.db.execute("SELECT created_at, rowid FROM sync_box_keys WHERE id = ? AND peer = ?",
                           [rk, peer]).fetchone() if rk else None
    if row is None:
        return  # opened with the enrolment key: the peer has not moved to a rotated key yet
    store.db.execute("DELETE FROM sync_box_keys WHERE peer = ? AND (created_at < ? OR (created_at = ? AND rowid < ?))",
                     [peer, row[0], row[0], row[1]])
    if laptop:
        store.db.execute("DELETE FROM settings WHERE key = ?", [BOX_PRIVATE])
    newest = store.db.execute("SELECT id FROM sync_box_keys WHERE peer = ? ORDER BY created_at DESC, rowid DESC "
                              "LIMIT 1", [peer]).fetchone()
    if newest[0] == rk:
        _new_box_key(store, peer)
