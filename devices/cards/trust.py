"""Trust material for passive authentication: CSCA certificates, ICAO CSCA master lists (signature
checked) and CRLs, loaded from configured folders and files, plus material pushed by the back office
(validated as a whole, then swapped in atomically).

ICAO 9303-12: a CSCA certificate is the trust anchor of one issuing state (§5.5); a master list is a
CMS SignedData over a CscaMasterList signed by a master list signer whose certificate the issuing
CSCA issued (§8); CRLs are issued by CSCAs and revoke document signer certificates (§7.1.4).

Policy (docs/cards.md):
- certificates in the CSCA folder (``*.pem``, ``*.crt``, ``*.cer``, ``*.der``) are trusted as they are —
  whoever may write the folder decides whom the workstation trusts;
- a master list (``*.ml`` in the folder, or a configured file) is trusted only if its CMS signature
  verifies and its signer certificate was issued by one of those folder certificates (typically the
  hall's own country's CSCA, which signs the country's master list) and is valid now; otherwise it is
  skipped and the reason recorded;
- a CRL (``*.crl``, DER or PEM) counts only if a trusted CSCA signed it; a CRL past its next update
  is still honoured (revocation does not expire) and reported as stale.
Nothing here carries personal data; problems name files and reasons.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes

from clerk_app import i18n
from clerk_app.errors import DeviceError
from devices.cards.passive_auth import (
    ID_CSCA_MASTER_LIST,
    CscaMasterList,
    _signer_certificate,
    _verify_signature,
)

log = logging.getLogger(__name__)

CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
MASTER_LIST_SUFFIX = ".ml"
CRL_SUFFIX = ".crl"
MAX_FILE_BYTES = 32 * 1024 * 1024  # the German master list is ~1 MB; leave room, refuse absurd files


class TrustMaterialError(DeviceError):
    key = i18n.register(
        "cards.trust_material",
        "证件验证信任材料（CSCA 证书、主列表或吊销列表）有误，未启用：{problem}。原有信任材料继续有效。",
        "Trust material (CSCA certificates, master list or CRL) refused: {problem}; the previous material stays",
    )


@dataclass(frozen=True)
class TrustAnchors:
    """One immutable snapshot of what passive authentication trusts."""

    cscas: tuple[x509.Certificate, ...] = ()
    crls: tuple[x509.CertificateRevocationList, ...] = ()  # each verified against a trusted CSCA
    problems: tuple[str, ...] = ()  # files skipped and why (for the diagnostics dialog and the log)
    master_lists: int = 0  # master lists accepted
    version: str = ""  # the pushed bundle in use ("" = none)

    def is_revoked(self, csca: x509.Certificate, cert: x509.Certificate) -> bool:
        for crl in self.crls:
            if crl.issuer == csca.subject and crl.is_signature_valid(csca.public_key()):  # type: ignore[arg-type]
                if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
                    return True
        return False


# --- parsing and verification ------------------------------------------------------------------------


def parse_certificates(raw: bytes) -> list[x509.Certificate]:
    """PEM (several allowed) or DER certificates; ValueError when it is neither."""
    if b"-----BEGIN CERTIFICATE-----" in raw:
        return x509.load_pem_x509_certificates(raw)
    return [x509.load_der_x509_certificate(raw)]


def parse_crl(raw: bytes) -> x509.CertificateRevocationList:
    if b"-----BEGIN X509 CRL-----" in raw:
        return x509.load_pem_x509_crl(raw)
    return x509.load_der_x509_crl(raw)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


class _Refused(ValueError):
    """A master list check that failed, with a message of ours (no library text)."""


def verify_master_list(
    raw: bytes, anchors: Sequence[x509.Certificate], now: dt.datetime | None = None
) -> list[x509.Certificate]:
    """The CSCA certificates of a master list whose CMS signature verifies and whose signer was issued
    by one of ``anchors``; otherwise ValueError naming the failed check (ICAO 9303-12 §8)."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        info = cms.ContentInfo.load(raw)
        if info["content_type"].native != "signed_data":
            raise _Refused("not CMS SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].dotted != ID_CSCA_MASTER_LIST:
            raise _Refused("not a CSCA master list")
        content = encap["content"].contents
        signers = signed["signer_infos"]
        if not len(signers):
            raise _Refused("master list is not signed")
        signer = signers[0]
        signer_cert = _signer_certificate(signed, signer)
        attrs = signer["signed_attrs"]
        if attrs.native is not None and len(attrs):
            digest = hashlib.new(signer["digest_algorithm"]["algorithm"].native, content).digest()
            message_digest = next((a["values"][0].native for a in attrs if a["type"].native == "message_digest"), None)
            if message_digest is None or not hmac.compare_digest(message_digest, digest):
                raise _Refused("master list message digest does not match its content")
            to_verify = b"\x31" + attrs.dump()[1:]
        else:
            to_verify = content
        try:
            _verify_signature(signer_cert, signer, to_verify)
        except InvalidSignature:
            raise _Refused("master list signature does not verify") from None
        certs = [x509.load_der_x509_certificate(c.dump()) for c in CscaMasterList.load(content)["cert_list"]]
    except _Refused:
        raise
    except Exception as exc:  # asn1crypto/cryptography raise many types for bad input
        raise _Refused(f"master list unreadable ({type(exc).__name__})") from None
    if not any(_issued_by(signer_cert, anchor) for anchor in anchors):
        raise _Refused("master list signer not issued by a CSCA certificate of the folder")
    if not signer_cert.not_valid_before_utc <= now <= signer_cert.not_valid_after_utc:
        raise _Refused("master list signer certificate expired or not yet valid")
    return certs


def _files(folder: Path | None, suffixes: Iterable[str]) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    wanted = tuple(suffixes)
    return [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in wanted]


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError("file too large")
    return path.read_bytes()


def load_trust(
    csca_dir: Path | str | None,
    master_list_files: Sequence[Path | str] = (),
    crl_dir: Path | str | None = None,
    *,
    extra_dirs: Sequence[Path] = (),
    now: dt.datetime | None = None,
    version: str = "",
) -> TrustAnchors:
    """Everything configured, checked; what fails is skipped and named in ``problems``.
    ``extra_dirs`` (pushed bundles) hold certificates, master lists and CRLs side by side."""
    now = now or dt.datetime.now(dt.UTC)
    folders = [Path(csca_dir)] if csca_dir else []
    folders += list(extra_dirs)
    problems: list[str] = []
    explicit: list[x509.Certificate] = []
    for folder in folders:
        for path in _files(folder, CERT_SUFFIXES):
            try:
                explicit.extend(parse_certificates(_read(path)))
            except ValueError:
                problems.append(f"{path.name}: not a certificate")
    ml_paths = [p for f in folders for p in _files(f, (MASTER_LIST_SUFFIX,))] + [Path(p) for p in master_list_files]
    cscas = list(explicit)
    accepted = 0
    for path in ml_paths:
        try:
            cscas.extend(verify_master_list(_read(path), explicit, now))
            accepted += 1
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: {exc}")
    crl_paths = [p for f in folders for p in _files(f, (CRL_SUFFIX,))]
    if crl_dir:
        crl_paths += _files(Path(crl_dir), (CRL_SUFFIX, ".pem", ".der"))
    crls = []
    for path in crl_paths:
        try:
            crl = parse_crl(_read(path))
        except (OSError, ValueError):
            problems.append(f"{path.name}: not a CRL")
            continue
        if not any(c.subject == crl.issuer and crl.is_signature_valid(c.public_key()) for c in cscas):  # type: ignore[arg-type]
            problems.append(f"{path.name}: CRL not signed by a trusted CSCA")
            continue
        if crl.next_update_utc is not None and crl.next_update_utc < now:
            problems.append(f"{path.name}: CRL is stale (next update passed); still honoured")
        crls.append(crl)
    for problem in problems:
        log.warning("trust material: %s", problem)
    return TrustAnchors(tuple(_unique(cscas)), tuple(crls), tuple(problems), accepted, version)


def _unique(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    seen: set[bytes] = set()
    out = []
    for c in certs:
        fp = c.fingerprint(hashes.SHA256())
        if fp not in seen:
            seen.add(fp)
            out.append(c)
    return out


# --- the store ------------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}")


@dataclass(frozen=True)
class TrustInstallReport:
    version: str
    cscas: int
    crls: int
    master_lists: int
    problems: tuple[str, ...] = field(default_factory=tuple)


class TrustStore:
    """The trust anchors a reader uses, kept current.

    ``current()`` is cheap: it returns the cached snapshot and reloads only when a configured file
    changed (names, sizes and modification times), so adding a certificate to the folder needs no
    restart. ``install(files)`` takes material pushed by the back office: every file is checked
    (names, types, master list signatures, CRL signers) before anything changes; then the bundle is
    written to a new folder under ``pushed_dir`` and the ``current`` pointer file (naming that folder)
    is replaced atomically (``os.replace``, atomic on POSIX and Windows alike, unlike symlinks which
    need privileges on Windows), so a crash leaves either the old or the new bundle, never half of one."""

    def __init__(
        self,
        csca_dir: Path | str | None = None,
        master_list_files: Sequence[Path | str] = (),
        crl_dir: Path | str | None = None,
        pushed_dir: Path | str | None = None,
    ) -> None:
        self.csca_dir = Path(csca_dir) if csca_dir else None
        self.master_list_files = [Path(p) for p in master_list_files]
        self.crl_dir = Path(crl_dir) if crl_dir else None
        self.pushed_dir = Path(pushed_dir) if pushed_dir else None
        self._lock = threading.Lock()
        self._snapshot: TrustAnchors | None = None
        self._fingerprint: tuple[object, ...] = ()

    @property
    def configured(self) -> bool:
        return bool(self.csca_dir or self.master_list_files or self.crl_dir or self._pushed_current())

    def _pushed_current(self) -> Path | None:
        if self.pushed_dir is None:
            return None
        pointer = self.pushed_dir / "current"
        try:
            name = pointer.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        folder = self.pushed_dir / name
        return folder if _NAME.fullmatch(name) and folder.is_dir() else None

    def _state(self) -> tuple[object, ...]:
        paths: list[Path] = []
        for folder in (self.csca_dir, self.crl_dir, self._pushed_current()):
            if folder is not None and folder.is_dir():
                paths.append(folder)
                paths.extend(sorted(folder.iterdir()))
        paths.extend(self.master_list_files)
        out: list[object] = []
        for p in paths:
            try:
                st = p.stat()
                out.append((str(p), st.st_size, st.st_mtime_ns))
            except OSError:
                out.append((str(p), None))
        return tuple(out)

    def current(self) -> TrustAnchors:
        state = self._state()
        with self._lock:
            if self._snapshot is None or state != self._fingerprint:
                pushed = self._pushed_current()
                self._snapshot = load_trust(
                    self.csca_dir,
                    self.master_list_files,
                    self.crl_dir,
                    extra_dirs=[pushed] if pushed else [],
                    version=pushed.name if pushed else "",
                )
                self._fingerprint = state
            return self._snapshot

    def install(self, files: Mapping[str, bytes], version: str | None = None) -> TrustInstallReport:
        """Validate ``files`` (name → bytes) as one bundle, then make it the pushed material.
        Raises TrustMaterialError naming the first bad file; the previous material stays."""
        if self.pushed_dir is None:
            raise TrustMaterialError(problem="no folder for pushed trust material is configured")
        if not files:
            raise TrustMaterialError(problem="the bundle is empty")
        now = dt.datetime.now(dt.UTC)
        for name, raw in files.items():
            if not _NAME.fullmatch(name) or Path(name).suffix.lower() not in (
                *CERT_SUFFIXES,
                MASTER_LIST_SUFFIX,
                CRL_SUFFIX,
            ):
                raise TrustMaterialError(problem=f"{name!r}: not an allowed file name", detail="bad name")
            if len(raw) > MAX_FILE_BYTES:
                raise TrustMaterialError(problem=f"{name}: too large")
        # anchors for master lists: the configured folder's certificates and the bundle's own
        configured = load_trust(self.csca_dir, self.master_list_files, None, now=now)
        explicit = _explicit_certificates(self.csca_dir)
        cscas = list(configured.cscas)
        for name, raw in sorted(files.items()):
            if Path(name).suffix.lower() in CERT_SUFFIXES:
                try:
                    certs = parse_certificates(raw)
                except ValueError:
                    raise TrustMaterialError(problem=f"{name}: not a certificate") from None
                explicit.extend(certs)
                cscas.extend(certs)
        master_lists = 0
        for name, raw in sorted(files.items()):
            if Path(name).suffix.lower() == MASTER_LIST_SUFFIX:
                try:
                    cscas.extend(verify_master_list(raw, explicit, now))
                except ValueError as exc:
                    raise TrustMaterialError(problem=f"{name}: {exc}") from None
                master_lists += 1
        crls = 0
        for name, raw in sorted(files.items()):
            if Path(name).suffix.lower() == CRL_SUFFIX:
                try:
                    crl = parse_crl(raw)
                except ValueError:
                    raise TrustMaterialError(problem=f"{name}: not a CRL") from None
                if not any(c.subject == crl.issuer and crl.is_signature_valid(c.public_key()) for c in cscas):  # type: ignore[arg-type]
                    raise TrustMaterialError(problem=f"{name}: CRL not signed by a trusted CSCA")
                crls += 1
        version = version or now.strftime("%Y%m%dT%H%M%S%fZ")
        if not _NAME.fullmatch(version):
            raise TrustMaterialError(problem="bad bundle version name")
        with self._lock:
            self._swap_in(files, version)
            self._snapshot = None
        anchors = self.current()
        log.info("trust material %s installed: %d CSCAs, %d CRLs", version, len(anchors.cscas), len(anchors.crls))
        return TrustInstallReport(version, len(anchors.cscas), len(anchors.crls), master_lists, anchors.problems)

    def _swap_in(self, files: Mapping[str, bytes], version: str) -> None:
        assert self.pushed_dir is not None
        self.pushed_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.pushed_dir))
        for name, raw in files.items():
            with open(staging / name, "wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
        target = self.pushed_dir / f"bundle-{version}"
        if target.exists():
            shutil.rmtree(target)
        os.rename(staging, target)
        previous = self._pushed_current()
        pointer_tmp = self.pushed_dir / f".current-{os.getpid()}-{threading.get_ident()}"
        with open(pointer_tmp, "w", encoding="ascii") as f:
            f.write(target.name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(pointer_tmp, self.pushed_dir / "current")  # the atomic step
        _fsync_dir(self.pushed_dir)
        # keep the bundle in use and the one before it (for a look after the fact); drop older ones
        keep = {target.name, previous.name if previous else ""}
        for old in self.pushed_dir.glob("bundle-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)


def _explicit_certificates(folder: Path | None) -> list[x509.Certificate]:
    out: list[x509.Certificate] = []
    for path in _files(folder, CERT_SUFFIXES):
        try:
            out.extend(parse_certificates(_read(path)))
        except (OSError, ValueError):
            pass  # reported by load_trust
    return out


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
