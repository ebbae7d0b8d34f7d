"""TLS is verified: a station trusts the hall's CA only when configured to; plain http only to loopback."""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import uuid

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from clerk_app.errors import ConfigurationError
from clerk_app.sync import BackOfficeClient, BackOfficeUnavailable, StationCredentials, TransportSettings
from testsupport.backoffice_server import RunningBackOffice
from testsupport.sync import MemoryKeyring, make_station, seed_cases

pytestmark = pytest.mark.postgres


def make_pki(folder):
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "政务服务中心 Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "backoffice.test")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {name: folder / f"{name}.pem" for name in ("ca", "cert", "key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def test_tls_with_configured_ca_and_refused_without(postgres_server, local_store, tmp_path):
    pki = make_pki(tmp_path)
    server = RunningBackOffice(
        postgres_server.create_database("t_" + uuid.uuid4().hex[:12]),
        tls=(str(pki["cert"]), str(pki["key"]), str(pki["ca"])),
    )
    server.start()
    try:
        # Without the hall's CA the server's certificate is not trusted: nothing is sent.
        untrusting = BackOfficeClient(TransportSettings(server.url), StationCredentials("S01", MemoryKeyring()))
        with pytest.raises(BackOfficeUnavailable):
            untrusting.health()
        untrusting.close()
        ids = seed_cases(local_store, tmp_path / "att", 3, random.Random(4))
        keyring = MemoryKeyring()
        registrar = BackOfficeClient(
            TransportSettings(server.url, ca_file=str(pki["ca"])), StationCredentials("S01", keyring)
        )
        registrar.register(server.add_station("S01"))
        registrar.close()
        station = make_station(server.url, local_store, tmp_path / "att", keyring=keyring, ca_file=str(pki["ca"]))
        try:
            assert station.worker.run_once().sent == 3
        finally:
            station.client.close()
        assert sorted(server.case_ids()) == sorted(ids)
    finally:
        server.close()


def test_plain_http_only_to_loopback():
    with pytest.raises(ConfigurationError):
        BackOfficeClient(
            TransportSettings("http://backoffice.example.gov.cn"), StationCredentials("S01", MemoryKeyring())
        )
    with pytest.raises(ConfigurationError):
        BackOfficeClient(
            TransportSettings("https://x", ca_file="/nonexistent/ca.pem"), StationCredentials("S01", MemoryKeyring())
        )
