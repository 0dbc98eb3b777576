"""The reply's envelope: raw content through SES v2, marked as an automatic reply and threaded under the message."""

from __future__ import annotations

import email
import email.policy
from typing import Any

from boekstuk.adapters.ses import SesMailer


class Client:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def send_email(self, **kwargs: Any) -> dict[str, str]:
        self.calls.append(kwargs)
        return {"MessageId": "1"}


def test_the_reply_is_auto_submitted_and_answers_the_message() -> None:
    client = Client()
    SesMailer(client, "no-reply@boekstuk.nl").send_auto_reply(
        "jan@leverancier.nl", "Niet verwerkt / Not processed:  Facturen\n maart", "Goedendag,\n\nÜber\n",
        "<m1@leverancier.nl>")
    [call] = client.calls
    assert call["FromEmailAddress"] == "no-reply@boekstuk.nl"
    assert call["Destination"] == {"ToAddresses": ["jan@leverancier.nl"]}
    reply = email.message_from_bytes(call["Content"]["Raw"]["Data"], policy=email.policy.default)
    assert reply["Auto-Submitted"] == "auto-replied" and reply["X-Auto-Response-Suppress"] == "All"
    assert reply["In-Reply-To"] == reply["References"] == "<m1@leverancier.nl>"
    assert reply["Subject"] == "Niet verwerkt / Not processed: Facturen maart"
    assert reply["To"] == "jan@leverancier.nl" and reply["Message-ID"].endswith("@boekstuk.nl>")
    assert reply.get_content().replace("\r\n", "\n") == "Goedendag,\n\nÜber\n"


def test_a_strange_message_id_is_not_repeated() -> None:
    client = Client()
    SesMailer(client, "no-reply@boekstuk.nl").send_auto_reply("jan@x.nl", "s", "b", "not a message id")
    reply = email.message_from_bytes(client.calls[0]["Content"]["Raw"]["Data"], policy=email.policy.default)
    assert reply["In-Reply-To"] is None and reply["References"] is None
