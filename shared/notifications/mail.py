"""One email as MIME (text and HTML alternatives, List-Unsubscribe headers), sent through SES
(v1 ``SendRawEmail``: the only SES call that takes our own headers, and the one LocalStack
stores for reading back at ``/_aws/ses``)."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import lru_cache
from typing import Any, Protocol

from shared.notifications.render import Rendered


@dataclass(frozen=True, slots=True)
class Outgoing:
    sender: str
    sender_name: str
    recipient: str
    content: Rendered
    unsubscribe_url: str | None = None
    # Our message id, in a header, so a delivery can be traced from the mailbox to the log.
    message_id: str | None = None


def to_mime(mail: Outgoing) -> bytes:
    msg = EmailMessage()
    local, _, domain = mail.sender.partition("@")
    msg["From"] = Address(mail.sender_name, local, domain)
    msg["To"] = mail.recipient
    msg["Subject"] = mail.content.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=domain or None)
    if mail.message_id:
        msg["X-Notification-Id"] = mail.message_id
    if mail.unsubscribe_url:
        # RFC 8058: a mail client may unsubscribe with one POST, without opening a page.
        msg["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(mail.content.text)
    msg.add_alternative(mail.content.html, subtype="html")
    return msg.as_bytes()


class Mailer(Protocol):
    def send(self, mail: Outgoing) -> str:  # the provider's message id
        ...


class SendFailed(Exception):
    """The provider refused or could not take the message now (``permanent`` when retrying
    cannot help: a rejected address, say)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


@lru_cache(maxsize=1)
def ses_client() -> Any:
    from shared.dal.aws import new_client  # noqa: PLC0415

    return new_client("ses")


class SesMailer:
    def __init__(self, client: Any = None, configuration_set: str | None = None) -> None:
        self._client = client
        # SES publishes the feedback on mail sent with it (shared/notifications/feedback.py).
        self._configuration_set = configuration_set

    def send(self, mail: Outgoing) -> str:
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        client = self._client or ses_client()
        request: dict[str, Any] = {
            "Source": mail.sender,
            "Destinations": [mail.recipient],
            "RawMessage": {"Data": to_mime(mail)},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            answer = client.send_raw_email(**request)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            permanent = code in {"MessageRejected", "MailFromDomainNotVerifiedException"}
            raise SendFailed(f"SES {code or 'error'}", permanent=permanent) from exc
        except BotoCoreError as exc:
            raise SendFailed(f"SES unreachable ({type(exc).__name__})") from exc
        return str(answer["MessageId"])
