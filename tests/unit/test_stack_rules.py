"""Local deploys put rule patterns with their intrinsics resolved, never raw."""

from __future__ import annotations

from scripts.stack import _resolved


def test_import_values_and_refs_are_resolved_and_anything_else_refuses() -> None:
    pattern = {
        "detail": {"bucket": {"name": [{"Fn::ImportValue": "Stage-MediaBucketName"}]}},
        "resources": [{"Ref": "Queue"}],
        "source": ["aws.s3"],
    }
    exports = {"Stage-MediaBucketName": "media-bucket"}
    physical = {"Queue": "queue-1"}

    assert _resolved(pattern, physical, exports) == {
        "detail": {"bucket": {"name": ["media-bucket"]}},
        "resources": ["queue-1"],
        "source": ["aws.s3"],
    }
    # An export that does not exist, or another intrinsic: nothing to put (never the raw JSON)
    assert _resolved({"a": [{"Fn::ImportValue": "missing"}]}, physical, exports) is None
    assert _resolved({"a": {"Fn::GetAtt": ["Queue", "Arn"]}}, physical, exports) is None
    assert _resolved({"ScheduleExpression": "rate(1 minute)"}, {}, {}) == {
        "ScheduleExpression": "rate(1 minute)"
    }
