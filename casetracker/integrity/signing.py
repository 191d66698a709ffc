"""Ed25519 signatures over tree heads and bundle headers (issue 15).

A checkpoint kept elsewhere proves nothing if whoever holds the database can write another one:
signed with a key the database never holds, a tree head is evidence that stands outside it.
The keys are Ed25519 (RFC 8032) through the ``cryptography`` package; the private key is a PKCS#8
PEM file readable only by its owner, the public key a SubjectPublicKeyInfo PEM file that an
auditor copies.  docs/event-format.md gives every byte, so that a verifier needs no casetracker.

What is signed is always UTF-8 text that starts with a format tag: a tree head is signed as
``"casetracker/tree-head-signature/1" US canonical JSON of the head without key_id and
signature``, a bundle header as ``"casetracker/bundle-signature/1" US header_digest``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from casetracker.integrity.encoding import SEPARATOR, canonical_json

PrivateKey = Ed25519PrivateKey
PublicKey = Ed25519PublicKey
HEAD_SIGNATURE = "casetracker/tree-head-signature/1"
BUNDLE_SIGNATURE = "casetracker/bundle-signature/1"
SIGNATURE_KEYS = ("key_id", "signature")


class BadKey(ValueError):
    """A key file that is not an Ed25519 key of the form casetracker writes."""


def new_key_pair() -> tuple[bytes, bytes]:
    """A fresh key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    private = Ed25519PrivateKey.generate()
    return (
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        _public_pem(private.public_key()),
    )


def _public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_key(pem: bytes) -> Ed25519PrivateKey:
    """The private key a PEM file holds; ``BadKey`` unless it is an unencrypted Ed25519 key."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise BadKey(f"not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadKey("not an Ed25519 private key")
    return key


def public_key(pem: bytes) -> Ed25519PublicKey:
    """The public key a PEM file holds; ``BadKey`` unless it is an Ed25519 public key."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise BadKey(f"not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadKey("not an Ed25519 public key")
    return key


def raw_hex(public: Ed25519PublicKey) -> str:
    """The 32 raw bytes of a public key as lowercase hex, as a bundle carries it."""
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def public_from_hex(value: object) -> Ed25519PublicKey | None:
    """The public key whose raw bytes ``value`` spells in hex, or None if it spells none."""
    if not isinstance(value, str) or len(value) != 64:
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))
    except ValueError:
        return None


def key_id(public: Ed25519PublicKey) -> str:
    """Lowercase hex SHA-256 of the 32 raw bytes of the public key: names the key in a head."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def head_message(head: dict[str, Any]) -> bytes:
    """The bytes a tree head's signature covers: its tag, US, and the canonical JSON of the
    head without ``key_id`` and ``signature``."""
    unsigned = {k: v for k, v in head.items() if k not in SIGNATURE_KEYS}
    return (HEAD_SIGNATURE + SEPARATOR + canonical_json(unsigned)).encode("utf-8")


def bundle_message(header_digest: str) -> bytes:
    """The bytes a bundle header's signature covers."""
    return (BUNDLE_SIGNATURE + SEPARATOR + header_digest).encode("utf-8")


def sign(private: Ed25519PrivateKey, message: bytes) -> str:
    """The Ed25519 signature of ``message`` as lowercase hex (128 digits)."""
    return private.sign(message).hex()


def sign_head(head: dict[str, Any], private: Ed25519PrivateKey) -> dict[str, Any]:
    """The head with ``key_id`` and ``signature`` added."""
    unsigned = {k: v for k, v in head.items() if k not in SIGNATURE_KEYS}
    return {
        **unsigned,
        "key_id": key_id(private.public_key()),
        "signature": sign(private, head_message(unsigned)),
    }


def signature_problem(public: Ed25519PublicKey, message: bytes, signature: object) -> str:
    """Why ``signature`` is not this key's over ``message`` ('' when it is)."""
    if not isinstance(signature, str) or len(signature) != 128:
        return "it carries no signature"
    try:
        public.verify(bytes.fromhex(signature), message)
    except (ValueError, InvalidSignature):
        return "its signature is not this key's"
    return ""


def head_signature_problem(head: dict[str, Any], public: Ed25519PublicKey) -> str:
    """Why a signed tree head does not verify under ``public`` ('' when it does)."""
    if head.get("key_id") != key_id(public):
        if "signature" not in head:
            return "it is not signed"
        return "it was signed by another key"
    return signature_problem(public, head_message(head), head.get("signature"))
