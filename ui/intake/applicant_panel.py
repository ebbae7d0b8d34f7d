"""Applicant (or agent) entry: from a chip read, or typed with live validation of the resident ID /
unified social credit code, the record then marked "manually entered"."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout

from clerk_app import i18n
from clerk_app.errors import ClerkAppError
from clerk_app.intake_desk import DOCUMENT_TYPES, entered_person, number_check, record_source
from clerk_app.persons import PersonData, PersonView
from ui.widgets.common import Retranslating, add, button, label, line_edit, refill

OK, BAD = "color: #1e7e34;", "color: #b3261e;"
SOURCE_STYLES = {"typed": "color: #8a6d3b;", "ok": OK + " font-weight: bold;", "bad": BAD + " font-weight: bold;"}


class ApplicantPanel(Retranslating, QGroupBox):
    submitted = Signal(object)  # PersonData, validated
    read_card_requested = Signal()

    def __init__(self, agent: bool = False) -> None:
        super().__init__()
        self.agent = agent
        self.setObjectName("agentPanel" if agent else "applicantPanel")
        self.kind, self.doc_type = QComboBox(), QComboBox()
        self.kind.setObjectName("applicantKind")
        self.doc_type.setObjectName("applicantDocType")
        self.name, self.number = line_edit("applicantName"), line_edit("applicantNumber")
        self.address, self.phone = line_edit("applicantAddress"), line_edit("applicantPhone")
        self.legal_rep = line_edit("legalRepresentative", on_enter=self.submit)
        self.validation = label(name="numberValidation", wrap=True)
        self.source = label(name="applicantSource")
        self.read_button = button("readCard", self.read_card_requested.emit)
        self.save_button = button("saveApplicant", self.submit)
        self._labels = [label() for _ in range(7)]
        fields = (self.kind, self.name, self.doc_type, self.number, self.address, self.phone, self.legal_rep)
        form = QFormLayout(self)
        for text, field in zip(self._labels, fields):
            text.setBuddy(field)
            form.addRow(text, field)
        form.addRow("", self.validation)
        form.addRow(add(QHBoxLayout(), (self.source, 1), self.read_button, self.save_button))
        self._chip_record: PersonData | None = None  # a chip read not yet typed over
        self._source: PersonData | PersonView | None = None  # the record the source line speaks of
        self.number.textChanged.connect(self._validate_live)
        self.doc_type.currentIndexChanged.connect(self._validate_live)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        # Enter advances field by field; on the last field it saves.
        for a, b in ((self.name, self.number), (self.number, self.address), (self.address, self.phone)):
            a.returnPressed.connect(b.setFocus)
        self.phone.returnPressed.connect(self.submit)
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
        for widget, text in zip(self._labels, texts):
            widget.setText(text)
        kinds = [(self.tr("Natural person"), "person")]
        if not self.agent:
            kinds.append((self.tr("Organisation"), "organisation"))
        refill(self.kind, kinds)
        refill(self.doc_type, [(i18n.text(key), value) for value, key in DOCUMENT_TYPES.items()])
        self.read_button.setText(self.tr("Read card (F6)"))
        self.save_button.setText(self.tr("Save"))
        self._kind_changed()
        self._show_source(self._source)

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
            self._show_source(None)

    def _say(self, text: str, style: str = BAD) -> None:
        self.validation.setStyleSheet(style)
        self.validation.setText(text)

    def _validate_live(self) -> None:
        text, ok = number_check(self.doc_type.currentData(), self.number.text())
        self._say(text, OK if ok else BAD)

    def _show_source(self, person: PersonData | PersonView | None) -> None:
        """Where the record comes from: the chip (and its passive authentication), or typed."""
        self._source = person
        text, tone = record_source(person)
        self.source.setText(text)
        self.source.setStyleSheet(SOURCE_STYLES[tone])

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
        try:
            record = entered_person(self.record())
        except ClerkAppError as exc:
            self._say(exc.user_message())
            (self.number if self.name.text().strip() else self.name).setFocus()
            return
        self.submitted.emit(record)

    def fill_from_chip(self, record: PersonData) -> None:
        self._show(record)
        self._chip_record = record
        self._show_source(record)

    def show_saved(self, view: PersonView) -> None:
        """After saving (or opening a draft): show what the store holds, masked for the screen."""
        self._chip_record = None
        self._show(view)
        self.phone.setText(view.phone)
        self._say(self.tr("Saved (shown masked)") if view.masked else self.tr("Saved"), OK)
        self._show_source(view)

    def _show(self, person: PersonData | PersonView) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(person.kind)))
        self.name.setText(person.name)
        self.doc_type.setCurrentIndex(max(0, self.doc_type.findData(person.document_type)))
        self.number.setText(person.document_number)
        self.address.setText(person.address)

    def clear(self) -> None:
        self._chip_record = None
        for w in (self.name, self.number, self.address, self.phone, self.legal_rep):
            w.clear()
        self.validation.clear()
        self._show_source(None)
