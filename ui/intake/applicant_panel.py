"""Applicant (or agent) entry: from a chip read, or typed with live validation of the resident ID /
unified social credit code, the record then marked "manually entered"."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton

from clerk_app.errors import ClerkAppError
from clerk_app.identity import validate_resident_id, validate_uscc
from clerk_app.persons import PersonData, PersonView
from ui.typed_qt import QT_TRANSLATE_NOOP

_C = "ApplicantPanel"
# Passive authentication outcomes (ICAO 9303-11 §5.1) as the clerk reads them.
PA_TEXT = {
    "verified": QT_TRANSLATE_NOOP("ApplicantPanel", "chip data verified"),
    "data_altered": QT_TRANSLATE_NOOP("ApplicantPanel", "DATA ALTERED"),
    "issuer_not_trusted": QT_TRANSLATE_NOOP("ApplicantPanel", "issuer not trusted"),
    "not_checked": QT_TRANSLATE_NOOP("ApplicantPanel", "signature not checked"),
}
DOC_TYPES = (
    ("resident_id", QT_TRANSLATE_NOOP("ApplicantPanel", "Resident ID card")),
    ("passport", QT_TRANSLATE_NOOP("ApplicantPanel", "Passport")),
    ("hk_macau_permit", QT_TRANSLATE_NOOP("ApplicantPanel", "HK/Macau travel permit")),
    ("taiwan_permit", QT_TRANSLATE_NOOP("ApplicantPanel", "Taiwan travel permit")),
    ("foreign_prc", QT_TRANSLATE_NOOP("ApplicantPanel", "Foreign permanent residence ID")),
    ("hmt_residence_permit", QT_TRANSLATE_NOOP("ApplicantPanel", "HK/Macao/Taiwan residence permit")),
    ("uscc", QT_TRANSLATE_NOOP("ApplicantPanel", "Unified social credit code")),
)


class ApplicantPanel(QGroupBox):
    submitted = Signal(object)  # PersonData, validated
    read_card_requested = Signal()

    def __init__(self, agent: bool = False) -> None:
        super().__init__()
        self.agent = agent
        self.setObjectName("agentPanel" if agent else "applicantPanel")
        self.kind = QComboBox()
        self.kind.setObjectName("applicantKind")
        self.name = QLineEdit()
        self.name.setObjectName("applicantName")
        self.doc_type = QComboBox()
        self.doc_type.setObjectName("applicantDocType")
        self.number = QLineEdit()
        self.number.setObjectName("applicantNumber")
        self.address = QLineEdit()
        self.address.setObjectName("applicantAddress")
        self.phone = QLineEdit()
        self.phone.setObjectName("applicantPhone")
        self.legal_rep = QLineEdit()
        self.validation = QLabel()
        self.validation.setObjectName("numberValidation")
        self.validation.setWordWrap(True)
        self.source = QLabel()
        self.source.setObjectName("applicantSource")
        self.read_button = QPushButton()
        self.read_button.setObjectName("readCard")
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveApplicant")
        self._labels = [QLabel() for _ in range(7)]
        form = QFormLayout(self)
        for label, field in zip(
            self._labels, (self.kind, self.name, self.doc_type, self.number, self.address, self.phone, self.legal_rep)
        ):
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.validation)
        buttons = QHBoxLayout()
        buttons.addWidget(self.source, 1)
        buttons.addWidget(self.read_button)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        self._chip_record: PersonData | None = None
        self.number.textChanged.connect(self._validate_live)
        self.doc_type.currentIndexChanged.connect(self._validate_live)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        # Enter advances field by field; on the last field it saves.
        for a, b in ((self.name, self.number), (self.number, self.address), (self.address, self.phone)):
            a.returnPressed.connect(b.setFocus)
        self.phone.returnPressed.connect(self.submit)
        self.legal_rep.returnPressed.connect(self.submit)
        self.save_button.clicked.connect(self.submit)
        self.read_button.clicked.connect(self.read_card_requested.emit)
        for w in (self.name, self.number, self.address, self.phone):
            w.textEdited.connect(self._edited)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Agent (委托代理人)") if self.agent else self.tr("Applicant"))
        texts = (
            self.tr("&Type"),
            self.tr("&Name"),
            self.tr("Document"),
            self.tr("N&umber"),
            self.tr("Add&ress"),
            self.tr("P&hone"),
            self.tr("Legal representative"),
        )
        for label, text in zip(self._labels, texts):
            label.setText(text)
        kind = self.kind.currentData()
        self.kind.blockSignals(True)
        self.kind.clear()
        self.kind.addItem(self.tr("Natural person"), "person")
        if not self.agent:
            self.kind.addItem(self.tr("Organisation"), "organisation")
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.kind.blockSignals(False)
        doc = self.doc_type.currentData()
        self.doc_type.blockSignals(True)
        self.doc_type.clear()
        for value, text in DOC_TYPES:
            self.doc_type.addItem(self.tr(text), value)
        self.doc_type.setCurrentIndex(max(0, self.doc_type.findData(doc)))
        self.doc_type.blockSignals(False)
        self.read_button.setText(self.tr("Read card (F6)"))
        self.save_button.setText(self.tr("Save"))
        self._kind_changed()
        self._show_source()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _kind_changed(self) -> None:
        org = self.kind.currentData() == "organisation"
        self.legal_rep.setVisible(org)
        self._labels[6].setVisible(org)
        if org:
            self.doc_type.setCurrentIndex(self.doc_type.findData("uscc"))
        elif self.doc_type.currentData() == "uscc":
            self.doc_type.setCurrentIndex(0)

    def _edited(self) -> None:
        # Typing over a chip record turns it into a manual entry: the chip vouches only for itself.
        if self._chip_record is not None:
            self._chip_record = None
            self._show_source()

    def _validate_live(self) -> bool:
        number, doc = self.number.text().strip(), self.doc_type.currentData()
        if not number:
            self.validation.setText("")
            return False
        try:
            if doc == "resident_id":
                validate_resident_id(number)
            elif doc == "uscc":
                validate_uscc(number)
        except ClerkAppError as exc:
            self.validation.setStyleSheet("color: #b3261e;")
            self.validation.setText(exc.user_message())
            return False
        self.validation.setStyleSheet("color: #1e7e34;")
        self.validation.setText(self.tr("✓ number is valid") if doc in ("resident_id", "uscc") else "")
        return True

    def _show_source(self) -> None:
        if self._chip_record is not None:
            pa = self._chip_record.passive_auth or "not_checked"
            self.source.setText(self.tr("Read from chip (%1)").replace("%1", self.tr(PA_TEXT.get(pa, pa))))
            ok = pa in ("verified", "not_checked")
            self.source.setStyleSheet(
                "color: #1e7e34; font-weight: bold;" if ok else "color: #b3261e; font-weight: bold;"
            )
        else:
            self.source.setText(self.tr("Manually entered"))
            self.source.setStyleSheet("color: #8a6d3b;")

    def record(self) -> PersonData:
        if self._chip_record is not None:
            return self._chip_record
        return PersonData(
            kind=self.kind.currentData(),
            name=self.name.text().strip(),
            document_type=self.doc_type.currentData(),
            document_number=self.number.text().strip(),
            address=self.address.text().strip(),
            phone=self.phone.text().strip(),
            legal_representative=self.legal_rep.text().strip(),
            verified_by="manual",
        )

    def submit(self) -> None:
        record = self.record()
        if not record.name or not record.document_number:
            self.validation.setStyleSheet("color: #b3261e;")
            self.validation.setText(self.tr("Name and document number are required"))
            (self.name if not record.name else self.number).setFocus()
            return
        try:
            record = record.validated()
        except ClerkAppError as exc:
            self.validation.setStyleSheet("color: #b3261e;")
            self.validation.setText(exc.user_message())
            self.number.setFocus()
            return
        self.submitted.emit(record)

    def fill_from_chip(self, record: PersonData) -> None:
        self.kind.setCurrentIndex(self.kind.findData("person"))
        self.name.setText(record.name)
        self.doc_type.setCurrentIndex(max(0, self.doc_type.findData(record.document_type)))
        self.number.setText(record.document_number)
        self.address.setText(record.address)
        self._chip_record = record
        self._show_source()

    def show_saved(self, view: PersonView) -> None:
        """After saving (or opening a draft): show what the store holds, masked for the screen."""
        self._chip_record = None
        self.kind.setCurrentIndex(max(0, self.kind.findData(view.kind)))
        self.name.setText(view.name)
        self.doc_type.setCurrentIndex(max(0, self.doc_type.findData(view.document_type)))
        self.number.setText(view.document_number)
        self.address.setText(view.address)
        self.phone.setText(view.phone)
        self.validation.setStyleSheet("color: #1e7e34;")
        self.validation.setText(self.tr("Saved (shown masked)") if view.masked else self.tr("Saved"))
        pa = view.passive_auth or "not_checked"
        self.source.setText(
            self.tr("Read from chip (%1)").replace("%1", self.tr(PA_TEXT.get(pa, pa)))
            if view.verified_by == "chip"
            else self.tr("Manually entered")
        )

    def clear(self) -> None:
        self._chip_record = None
        for w in (self.name, self.number, self.address, self.phone, self.legal_rep):
            w.clear()
        self.validation.clear()
        self._show_source()
