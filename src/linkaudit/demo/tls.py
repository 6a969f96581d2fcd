"""Certificates for the simulated web: a throw-away authority for the sites that moved to https, and a
self-signed certificate for the site no client trusts.

Both exist only in memory and in a temporary directory for the moment ``ssl`` loads them, so the demo and the
tests show a working https site and a ``tls_error`` without touching the system's trust store.
"""

from __future__ import annotations

import ssl
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

AUTHORITY_NAME = "linkaudit demo authority"
VALIDITY = timedelta(days=30)

PrivateKey = ec.EllipticCurvePrivateKey


def _key() -> PrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _server_certificate(
    host: str, key: PrivateKey, issuer: x509.Name, issuer_key: PrivateKey
) -> x509.Certificate:
    now = datetime.now(timezone.utc)
    authority = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(authority, critical=False)  # strict verification (Python 3.13+) asks for it
        .sign(issuer_key, hashes.SHA256())
    )


def _server_context(chain: bytes, key: PrivateKey) -> ssl.SSLContext:
    """A server context for ``chain`` (PEM, leaf first); ``ssl`` loads certificates from files only."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory(prefix="linkaudit-tls-") as directory:
        chain_path = Path(directory) / "chain.pem"
        key_path = Path(directory) / "key.pem"
        chain_path.write_bytes(chain)
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context.load_cert_chain(chain_path, key_path)
    return context


def self_signed_context(host: str) -> ssl.SSLContext:
    """A server context whose certificate for ``host`` signs itself: no client trusts it."""
    key = _key()
    return _server_context(_pem(_server_certificate(host, key, _name(host), key)), key)


@dataclass(frozen=True)
class CertificateAuthority:
    """A fresh authority: ``server_context(host)`` for a site, ``client_context()`` for whoever visits it."""

    certificate: x509.Certificate
    key: PrivateKey

    @classmethod
    def create(cls, name: str = AUTHORITY_NAME) -> CertificateAuthority:
        key = _key()
        now = datetime.now(timezone.utc)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(certificate=certificate, key=key)

    @property
    def pem(self) -> str:
        return _pem(self.certificate).decode("ascii")

    def server_context(self, host: str) -> ssl.SSLContext:
        """A server context with a certificate for ``host`` signed by this authority."""
        key = _key()
        leaf = _server_certificate(host, key, self.certificate.subject, self.key)
        return _server_context(_pem(leaf) + _pem(self.certificate), key)

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this authority alone, verifying names as browsers do."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname and CERT_REQUIRED by default
        context.load_verify_locations(cadata=self.pem)
        return context
