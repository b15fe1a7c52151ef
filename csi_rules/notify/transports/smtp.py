"""E-mail over SMTP: STARTTLS (default, port 587), implicit TLS (465) or, to a loopback relay
only, none. Credentials from `password_env`/`password_file`.

An e-mail cannot be recalled or de-duplicated by the server, so SMTP is not retry-safe: a send
interrupted after the DATA command is reported as uncertain and never repeated.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from csi_rules.errors import UsageError
from csi_rules.notify.secrets import read_secret, secret_schema
from csi_rules.notify.transport import Delivery, Message, TransportType
from csi_rules.notify.transports.common import TIMEOUT_SCHEMA, is_loopback, obj

SCHEMA = obj({
    "host": {"type": "string", "minLength": 1},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535,
             "description": "default 587 (starttls), 465 (tls), 25 (none)"},
    "security": {"enum": ["starttls", "tls", "none"], "description":
                 "starttls (default), tls (implicit), none (loopback relays only)"},
    "from": {"type": "string", "minLength": 3, "description": "sender address"},
    "to": {"type": "array", "items": {"type": "string", "minLength": 3}, "minItems": 1,
           "description": "recipients when the action names none"},
    "username": {"type": "string", "minLength": 1},
    **secret_schema("password", "SMTP password"),
    "ca_file": {"type": "string", "minLength": 1,
                "description": "CA bundle to trust (default: the system's)"},
    "timeout": TIMEOUT_SCHEMA,
}, ["host", "from"])
PORTS = {"starttls": 587, "tls": 465, "none": 25}


class SmtpTransport:
    retry_safe = False

    def __init__(self, settings: Mapping[str, Any], environ: Mapping[str, str]):
        self.host = settings["host"]
        self.security = settings.get("security", "starttls")
        if self.security == "none" and not is_loopback(self.host):
            raise UsageError("security: none is only allowed for a loopback SMTP relay")
        self.port = int(settings.get("port", PORTS[self.security]))
        self.sender = settings["from"]
        self.default_to = tuple(settings.get("to", ()))
        self.username = settings.get("username", "")
        self.password = read_secret(settings, "password", environ) if self.username else ""
        self.timeout = float(settings.get("timeout", 10))
        self.context = ssl.create_default_context(cafile=settings.get("ca_file"))

    def _email(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = ", ".join(message.recipients or self.default_to)
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        key = "".join(c if c.isalnum() else "." for c in message.idempotency_key)[:120]
        email["Message-ID"] = make_msgid(idstring=key or None, domain="csi-rules")
        email["X-CSI-Rules-Key"] = message.idempotency_key
        email.set_content(message.text)
        return email

    def render(self, message: Message) -> Mapping[str, Any]:
        return {"smtp": f"{self.host}:{self.port} ({self.security})", "from": self.sender,
                "to": list(message.recipients or self.default_to), "subject": message.subject,
                "text": message.text}

    def send(self, message: Message) -> Delivery:
        recipients = list(message.recipients or self.default_to)
        if not recipients:
            return Delivery("failed", "smtp: no recipient (give to: in the action or the channel)")
        what = f"smtp {self.host}:{self.port}"
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            return Delivery("failed", f"{what}: cannot connect ({_why(exc)})", transient=True)
        try:
            try:
                self._login(client)
            except (OSError, smtplib.SMTPException) as exc:
                return Delivery("failed", f"{what}: {_why(exc)}",
                                transient=not isinstance(exc, smtplib.SMTPAuthenticationError))
            try:
                refused = client.send_message(self._email(message), self.sender, recipients)
            except smtplib.SMTPRecipientsRefused as exc:
                return Delivery("failed", f"{what}: every recipient refused: "
                                f"{_refusals(exc.recipients)}")
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                return Delivery("failed", f"{what}: {_why(exc)}", transient=exc.smtp_code < 500)
            except (OSError, smtplib.SMTPException) as exc:
                return Delivery("uncertain", f"{what}: connection lost during the send "
                                f"({_why(exc)})")
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
        sent = [r for r in recipients if r not in refused]
        detail = f"e-mailed {', '.join(sent)} via {what}"
        if refused:
            detail += f"; refused: {_refusals(refused)}"
        return Delivery("sent", detail, ref=", ".join(sent))

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=self.context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            client.starttls(context=self.context)
        return client

    def _login(self, client: smtplib.SMTP) -> None:
        if self.username:
            client.login(self.username, self.password)

    def close(self) -> None:
        pass


def _why(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return type(exc).__name__ + (f": {exc}" if str(exc) else "")


def _refusals(refused: Mapping[str, Any]) -> str:
    return ", ".join(f"{r} ({code} {text.decode(errors='replace') if isinstance(text, bytes) else text})"
                     for r, (code, text) in refused.items())


SMTP = TransportType("smtp", "E-mail over SMTP (STARTTLS, implicit TLS)", SCHEMA,
                     SmtpTransport, retry_safe=False, uses_recipients=True)
