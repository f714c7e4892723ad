"""Rules of notifications that need no database: templates, tokens, MIME, the event mapping."""

from __future__ import annotations

import email
import email.policy
import uuid

import pytest

from shared.appkey import AppKey, SealBroken
from shared.models.events.analysis import AnalysisCompleted, AnalysisHumanReview
from shared.notifications.kinds import KIND_OF_EVENT, KINDS
from shared.notifications.mail import Outgoing, to_mime
from shared.notifications.planning import HUMAN_REVIEW_RESULT, ready_params
from shared.notifications.render import TEMPLATES_DIR, render
from shared.notifications.unsubscribe import read_token, token_for

KEY = AppKey(b"k" * 40)
VALUES = {
    "company": "Acme <Corp>",
    "candidate_name": "Grace & Co",
    "template_title": "Backend engineer",
    "expires": "01 December 2026, 10:00 UTC",
    "link": "https://app.example.com/interview/tok",
    "hr_name": "Ada",
    "invitation_url": "https://app.example.com/hr/invitations/1",
    "retry_url": "https://app.example.com/hr/invitations/1?retry=analysis",
    "overall": "80/100",
    "recommendation": "advance",
    "result": "The AI analysis is done. Overall score: 80/100. Recommendation: hire.",
    "url": "https://ats.example.com/hooks",
    "reason": "the receiver answered 410 Gone",
    "product": "Interview <Platform>",
    "reset_url": "https://app.example.com/forgot-password",
    "new_email": "grace@new.example.com",
    # Billing's dunning mail.
    "plan": "Plus",
    "grace_until": "08 May 2026, 12:00 UTC",
    "billing_url": "https://app.example.com/hr/billing",
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_its_three_files_and_renders(kind: str) -> None:
    version = KINDS[kind].version
    for part in ("subject.txt", "txt", "html"):
        assert (TEMPLATES_DIR / f"{kind}.v{version}.{part}").is_file()
    out = render(kind, version, VALUES)
    assert out.subject
    assert "\n" not in out.subject
    if KINDS[kind].audience == "account":
        # Account mail names the product, never a company (there may be none yet).
        assert "Interview <Platform>" in out.text
        assert "Interview &lt;Platform&gt;" in out.html
        assert "Interview <Platform>" not in out.html
    elif kind in {"payment_failed", "plan_downgraded"}:
        # Billing's mail to the owner: the plan and where to act, no candidate.
        assert VALUES["billing_url"] in out.text
        assert f'href="{VALUES["billing_url"]}"' in out.html
    elif kind != "webhook_disabled":
        assert "Grace & Co" in out.text
        assert "Grace &amp; Co" in out.html
    else:
        assert VALUES["url"] in out.text
        assert VALUES["reason"] in out.text
    if KINDS[kind].audience != "account":
        # Values are escaped in HTML, never markup of their own.
        assert "Acme &lt;Corp&gt;" in out.html
        assert "Acme <Corp>" not in out.html
    if KINDS[kind].carries_link or KINDS[kind].account_link:
        assert VALUES["link"] in out.text
        assert f'href="{VALUES["link"]}"' in out.html


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(KeyError):
        render("invitation", 1, {k: v for k, v in VALUES.items() if k != "link"})


def test_optional_mail_carries_the_unsubscribe_footer() -> None:
    url = "https://api.example.com/v1/notifications/unsubscribe?token=abc"
    out = render("analysis_ready", 1, VALUES, url)
    assert url in out.text
    assert "Unsubscribe" in out.html


def test_seal_opens_only_with_the_same_key_purpose_and_invitation() -> None:
    invitation = uuid.uuid4()
    sealed = KEY.seal("link-seal", b"token-value", invitation.bytes)
    assert b"token-value" not in sealed
    assert KEY.open("link-seal", sealed, invitation.bytes) == b"token-value"
    with pytest.raises(SealBroken):
        KEY.open("link-seal", sealed, uuid.uuid4().bytes)  # moved to another invitation
    with pytest.raises(SealBroken):
        KEY.open("unsubscribe", sealed, invitation.bytes)  # another purpose's key
    with pytest.raises(SealBroken):
        AppKey(b"x" * 40).open("link-seal", sealed, invitation.bytes)
    assert KEY.key("link-seal") != KEY.key("unsubscribe")


def test_unsubscribe_tokens_are_bound_to_address_and_kind() -> None:
    token = token_for(KEY, "Ada@Example.com", "analysis_ready")
    target = read_token(KEY, token)
    assert target is not None
    assert (target.email, target.kind) == (
        "ada@example.com",
        "analysis_ready",
    )
    _encoded, signature = token.split(".")
    forged = token_for(KEY, "eve@example.com", "analysis_ready").split(".")[0] + "." + signature
    assert read_token(KEY, forged) is None
    assert read_token(AppKey(b"y" * 40), token) is None
    assert read_token(KEY, "not-a-token") is None


def _parsed(mail: Outgoing) -> email.message.EmailMessage:
    message = email.message_from_bytes(to_mime(mail), policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_mime_has_both_bodies_and_rfc8058_headers_only_for_optional_mail() -> None:
    content = render("analysis_ready", 1, VALUES, "https://api.example.com/u?token=t")
    optional = _parsed(
        Outgoing(
            "no-reply@example.com",
            "Interview Platform",
            "ada@example.com",
            content,
            unsubscribe_url="https://api.example.com/u?token=t",
        )
    )
    assert optional["List-Unsubscribe"] == "<https://api.example.com/u?token=t>"
    assert optional["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert {p.get_content_type() for p in optional.walk()} >= {"text/plain", "text/html"}
    transactional = _parsed(
        Outgoing(
            "no-reply@example.com",
            "Interview Platform",
            "ada@example.com",
            render("invitation", 1, VALUES),
        )
    )
    assert transactional["List-Unsubscribe"] is None


def test_hr_hears_a_human_only_review_is_ready_as_an_analysis_would_be() -> None:
    # Given the event of a human-only review (the candidate declined AI analysis)
    analysis, invitation = uuid.uuid4(), uuid.uuid4()
    human = AnalysisHumanReview(analysis_id=analysis, invitation_id=invitation, reason="declined")

    # When its message is planned and rendered
    params = ready_params("analysis.human_review", human)
    out = render("analysis_ready", KINDS["analysis_ready"].version, {**VALUES, **params})

    # Then it is the same kind (and preference) as a finished AI analysis, saying no AI scored it
    assert KIND_OF_EVENT["analysis.human_review"] == KIND_OF_EVENT["analysis.completed"]
    assert out.subject == 'Ready for review: Grace & Co, "Backend engineer"'
    assert HUMAN_REVIEW_RESULT in out.text
    assert "declined AI analysis" in out.text
    assert "Overall score" not in out.text


def test_a_finished_ai_analysis_still_says_its_score_and_recommendation() -> None:
    completed = AnalysisCompleted(
        analysis_id=uuid.uuid4(),
        invitation_id=uuid.uuid4(),
        attempt=1,
        engine="offline",
        model="heuristic-v1",
        overall=81.4,
        recommendation="hire",
        answers_scored=3,
        answers_unscorable=0,
    )
    params = ready_params("analysis.completed", completed)
    out = render("analysis_ready", KINDS["analysis_ready"].version, {**VALUES, **params})
    assert "Overall score: 81/100. Recommendation: hire." in out.text
    # A message queued before version 2 still renders with its own template.
    assert "Overall score: 81/100" in render("analysis_ready", 1, {**VALUES, **params}).text
