"""Large answers through API Gateway: a multipart upload (initiate, presigned part URLs,
complete) straight to S3, then answered; an aborted one is gone; a retried upload request with
its Idempotency-Key gets the same upload."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.interviews.media_fixtures import (
    CONSENT,
    Interview,
    make_interview,
    small_answer_webm,
)


def _started(api: httpx.Client) -> Interview:
    interview = make_interview(api)
    started = api.post(
        "v1/candidate/interview/start", json=CONSENT, headers=interview.candidate_headers()
    )
    assert started.status_code == 200, started.text
    return interview


def test_a_multipart_upload_goes_straight_to_s3_and_answers_the_question(
    api: httpx.Client, tmp_path: Path
) -> None:
    # Given a started interview and a recorded answer
    interview = _started(api)
    link = interview.candidate_headers()
    video = small_answer_webm(tmp_path / "answer.webm")
    base = f"v1/candidate/interview/questions/{interview.questions['video']}/uploads"

    # When the candidate initiates a multipart upload, PUTs the part to its presigned URL and
    # completes it
    started = api.post(
        f"{base}/multipart",
        json={"content_type": "video/webm", "size_bytes": len(video)},
        headers=link,
    )
    assert started.status_code == 201, started.text
    upload_id = started.json()["upload_id"]
    parts = api.post(f"{base}/{upload_id}/parts", json={"part_numbers": [1]}, headers=link)
    assert parts.status_code == 200, parts.text
    put = httpx.put(parts.json()["parts"][0]["url"], content=video, timeout=60.0)
    assert put.status_code == 200, put.text
    done = api.post(
        f"{base}/{upload_id}/complete",
        json={"parts": [{"part_number": 1, "etag": put.headers["ETag"]}]},
        headers=link,
    )

    # Then the object has the recorded size and answers the question
    assert done.status_code == 200, done.text
    assert done.json()["size_bytes"] == len(video)
    answered = api.post(
        f"v1/candidate/interview/questions/{interview.questions['video']}/answer",
        json={"upload_id": upload_id},
        headers=link,
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["kind"] == "media"


def test_an_aborted_multipart_upload_is_gone(api: httpx.Client) -> None:
    interview = _started(api)
    link = interview.candidate_headers()
    base = f"v1/candidate/interview/questions/{interview.questions['video']}/uploads"
    started = api.post(
        f"{base}/multipart", json={"content_type": "video/mp4", "size_bytes": 10}, headers=link
    )
    assert started.status_code == 201, started.text
    upload_id = started.json()["upload_id"]

    aborted = api.delete(f"{base}/{upload_id}", headers=link)

    assert aborted.status_code == 204, aborted.text
    parts = api.post(f"{base}/{upload_id}/parts", json={"part_numbers": [1]}, headers=link)
    assert parts.status_code == 404, parts.text


def test_a_retried_upload_request_gets_the_same_upload(api: httpx.Client) -> None:
    interview = _started(api)
    headers = {**interview.candidate_headers(), "Idempotency-Key": "upload-retry-1"}
    base = f"v1/candidate/interview/questions/{interview.questions['video']}/uploads"
    body = {"content_type": "video/webm", "size_bytes": 1000}

    first = api.post(base, json=body, headers=headers)
    again = api.post(base, json=body, headers=headers)

    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["upload_id"] == again.json()["upload_id"]
