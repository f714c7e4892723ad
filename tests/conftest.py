"""Every suite but the unit one talks to the local stack: default the AWS settings to it."""

from __future__ import annotations

import os

from scripts.localenv import AWS_ENV

for _name, _value in AWS_ENV.items():
    os.environ.setdefault(_name, _value)
