"""The package file: one file that carries a signed manifest and the changed
rows from one device to another, encrypted for the receiver.

Layout (all integers big-endian)::

    MAGIC (16 bytes) | format (u16) | header length (u32) | header (JSON) | ciphertext

The header is readable without keys and says only who and how: package kind,
the county's key id, sender and receiver device ids, and the encryption
parameters. It is bound to the ciphertext as AES-GCM associated data, so
changing one byte of it makes the package fail to open.

The ciphertext opens (AES-256-GCM) to the envelope::

    manifest length (u32) | manifest (JSON) | signature (64 bytes) | body

The Ed25519 signature covers the manifest bytes; the manifest holds the
SHA-256 of the body, so the signature covers the rows too. The body is the
rows as zlib-compressed JSON. Change packages are encrypted with an X25519
key agreement between a one-off key and the receiver's key, stretched by
HKDF-SHA256 (ECIES); a setup package is encrypted with a key derived by
scrypt from the one-time enrolment code the county clerk hands over, because
the new laptop has no key yet. Only primitives from ``cryptography`` are used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..errors import CadreDeskError
from . import schema
from .keys import b64, raw_public, unb64

MAGIC = b"CADRE-DESK-SYNC\n"
FORMAT = 1
KIND_CHANGES = "changes"
KIND_SETUP = "setup"
_PREFIX = struct.Struct(">HI")
_HKDF_INFO = b"cadre-desk sync package v1"
SCRYPT_N = 2 ** 15
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone

# Why a package was refused. Every message says that nothing was imported and what to do.
CORRUPT = "corrupt"
WRONG_COUNTY = "county"
UNKNOWN_DEVICE = "device"
RETIRED_DEVICE = "retired"
NEWER_VERSION = "version"
WRONG_RECEIVER = "receiver"
BAD_CODE = "code"
CLONED = "cloned"
OLD_KEY = "oldkey"
_MESSAGES = {
    CORRUPT: "文件已损坏或被篡改，没有导入任何内容。请让对方重新导出一个数据包，再导入新文件",
    WRONG_COUNTY: "不是本县的数据包（它来自另一个县就业办或另一套数据），没有导入任何内容。请确认文件的来源",
    UNKNOWN_DEVICE: "数据包来自未登记的设备，没有导入任何内容。请先在县就业办为这台电脑生成启用包（同步 → 为帮扶干部生成启用包）",
    RETIRED_DEVICE: "数据包来自已被县就业办停用的电脑，没有导入任何内容。如果这台电脑并没有丢失、是误停用，"
                    "请先在县就业办恢复它（同步 → 设备与记录 → 恢复所选电脑），再导入",
    NEWER_VERSION: "数据包由更新版本的程序生成，本机的程序读不了，没有导入任何内容。请先升级帮扶工作台，再导入",
    WRONG_RECEIVER: "这个数据包是发给另一台设备的，没有导入任何内容。请确认拿到的是发给本机的文件",
    BAD_CODE: "启用码不对，启用包没有打开。请核对县就业办给的启用码（16 个字母或数字）后重试",
    OLD_KEY: "这个数据包是用本机已经作废的密钥加密的（是很早以前的数据包，或本机或对方从备份恢复过），"
             "没有导入任何内容。请在本机导出一个数据包交给对方，对方导入后再重新导出给本机",
    CLONED: "这个数据包来自另一台电脑：它和县就业办已登记的电脑用同一个启用包启用，没有导入任何内容。"
            "一个启用包只能启用一台电脑；请查明启用包和启用码是否外泄，需要时为这位帮扶干部重新生成启用包",
}


class PackageRejected(CadreDeskError):
    """A package that is refused before anything is read from it; ``reason``
    is one of the constants above (stable, for tests and the UI)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(_MESSAGES[reason] + (f"（{detail}）" if detail else ""))
        self.reason = reason


@dataclass(frozen=True)
class Sealed:
    """A package split at its outer layer, before decryption."""

    format: int
    header: dict[str, Any]
    header_bytes: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class Envelope:
    manifest_bytes: bytes
    signature: bytes
    body: bytes

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest, checked against its schema (``PackageRejected`` if not)."""
        try:
            return schema.manifest(schema.loads(self.manifest_bytes, limit=schema.MAX_MANIFEST))
        except schema.Malformed as exc:
            raise PackageRejected(CORRUPT, exc.detail) from None


# ---------------------------------------------------------------- body

def encode_body(obj: Any) -> bytes:
    return zlib.compress(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)


def decode_body(body: bytes) -> Any:
    """The rows of a package, bounded in size and checked against the body
    schema (``PackageRejected`` as damaged if they do not fit)."""
    try:
        return schema.body(schema.loads(schema.decompress(body), limit=schema.MAX_BODY))
    except schema.Malformed as exc:
        raise PackageRejected(CORRUPT, exc.detail or "内容无法读取") from None


def content_hash(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


# ---------------------------------------------------------------- writing

def new_code() -> str:
    """A one-time enrolment code: 16 characters (80 bits), shown as XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def normalize_code(code: str) -> str:
    """The code as typed, read the same whatever the input method: full-width
    letters and digits (ＡＢ１２), lower case, dashes and spaces of any width."""
    text = unicodedata.normalize("NFKC", str(code)).upper()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def _code_check(key: bytes) -> str:
    # Tells a wrong code from a damaged file; reveals no more about the code
    # than the ciphertext already does (both need the scrypt key to test).
    return b64(hmac.new(key, b"cadre-desk code check", hashlib.sha256).digest()[:8])


def _code_key(code: str, salt: bytes, n: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(normalize_code(code).encode("ascii"))


def _ecies_key(shared: bytes, ephemeral_public: bytes, receiver_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public + receiver_public,
                info=_HKDF_INFO).derive(shared)


def seal(header: dict[str, Any], manifest: dict[str, Any], body: bytes, sign_key: Ed25519PrivateKey, *,
         receiver_box: X25519PublicKey | None = None, code: str | None = None,
         format_version: int = FORMAT) -> bytes:
    """Sign and encrypt a package. ``manifest`` gets the body's content hash.
    Exactly one of ``receiver_box`` (change package) or ``code`` (setup)."""
    manifest = {**manifest, "content_hash": content_hash(body)}
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
    signature = sign_key.sign(manifest_bytes)
    envelope = struct.pack(">I", len(manifest_bytes)) + manifest_bytes + signature + body
    nonce = os.urandom(12)
    header = dict(header)
    if receiver_box is not None:
        ephemeral = X25519PrivateKey.generate()
        epk = raw_public(ephemeral.public_key())
        key = _ecies_key(ephemeral.exchange(receiver_box), epk, raw_public(receiver_box))
        header["enc"] = {"alg": "X25519-HKDF-SHA256-AES256GCM", "epk": b64(epk), "nonce": b64(nonce)}
    elif code is not None:
        salt = os.urandom(16)
        key = _code_key(code, salt, SCRYPT_N)
        header["enc"] = {"alg": "scrypt-AES256GCM", "salt": b64(salt), "n": SCRYPT_N, "nonce": b64(nonce),
                         "check": _code_check(key)}
    else:
        raise ValueError("a package is encrypted for a receiver key or with an enrolment code")
    header_bytes = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ciphertext = AESGCM(key).encrypt(nonce, envelope, header_bytes)
    return MAGIC + _PREFIX.pack(format_version, len(header_bytes)) + header_bytes + ciphertext


# ---------------------------------------------------------------- reading

def read_outer(data: bytes) -> Sealed:
    """Split a package file at its outer layer. Refuses files that are not
    packages, are cut short, or come from a newer program."""
    if len(data) < len(MAGIC) + _PREFIX.size or not data.startswith(MAGIC):
        raise PackageRejected(CORRUPT, "不是帮扶工作台的数据包，或文件不完整")
    fmt, header_len = _PREFIX.unpack_from(data, len(MAGIC))
    if fmt > FORMAT:
        raise PackageRejected(NEWER_VERSION, f"数据包格式 {fmt}，本机只认识到 {FORMAT}")
    if header_len > schema.MAX_HEADER:
        raise PackageRejected(CORRUPT, "封面过大")
    start = len(MAGIC) + _PREFIX.size
    header_bytes = data[start:start + header_len]
    ciphertext = data[start + header_len:]
    if fmt < 1 or len(header_bytes) != header_len or len(ciphertext) < 16:
        raise PackageRejected(CORRUPT, "文件不完整")
    try:
        header = schema.header(schema.loads(header_bytes, limit=schema.MAX_HEADER))
    except schema.Malformed as exc:
        raise PackageRejected(CORRUPT, exc.detail) from None
    return Sealed(fmt, header, header_bytes, ciphertext)


def open_sealed(sealed: Sealed, *, box_key: X25519PrivateKey | None = None, code: str | None = None) -> Envelope:
    """Decrypt. Any change to header or ciphertext fails the AES-GCM tag."""
    enc = sealed.header["enc"]
    try:
        nonce = unb64(enc["nonce"])
        if enc.get("alg") == "X25519-HKDF-SHA256-AES256GCM" and box_key is not None:
            epk = unb64(enc["epk"])
            shared = box_key.exchange(X25519PublicKey.from_public_bytes(epk))
            key = _ecies_key(shared, epk, raw_public(box_key.public_key()))
        elif enc.get("alg") == "scrypt-AES256GCM" and code is not None:
            n = int(enc["n"])
            if n != SCRYPT_N:
                raise ValueError("unexpected scrypt cost")
            key = _code_key(code, unb64(enc["salt"]), n)
            if "check" in enc and not hmac.compare_digest(str(enc["check"]), _code_check(key)):
                raise PackageRejected(BAD_CODE)
        else:
            raise ValueError("unexpected encryption")
        plain = AESGCM(key).decrypt(nonce, sealed.ciphertext, sealed.header_bytes)
    except InvalidTag:
        # With a code check in the header, a right code that fails the tag means a damaged file.
        wrong_code = code is not None and "check" not in enc
        raise PackageRejected(BAD_CODE if wrong_code else CORRUPT) from None
    except (KeyError, ValueError, TypeError):
        raise PackageRejected(CORRUPT) from None
    if len(plain) < 4:
        raise PackageRejected(CORRUPT)
    (manifest_len,) = struct.unpack_from(">I", plain, 0)
    manifest_bytes = plain[4:4 + manifest_len]
    signature = plain[4 + manifest_len:4 + manifest_len + 64]
    if len(manifest_bytes) != manifest_len or len(signature) != 64:
        raise PackageRejected(CORRUPT)
    return Envelope(manifest_bytes, signature, plain[4 + manifest_len + 64:])


def verify(envelope: Envelope, sign_public: Ed25519PublicKey) -> dict[str, Any]:
    """Check the sender's signature and the body's hash; return the manifest."""
    try:
        sign_public.verify(envelope.signature, envelope.manifest_bytes)
    except InvalidSignature:
        raise PackageRejected(CORRUPT, "签名不符") from None
    manifest = envelope.manifest
    if manifest.get("content_hash") != content_hash(envelope.body):
        raise PackageRejected(CORRUPT, "内容校验不符")
    return manifest
