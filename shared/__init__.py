"""The platform's shared package: the kernel and the bounded contexts every Lambda is made of."""

import os

# We install no pydantic plugins; unless told so, pydantic scans every installed distribution's
# entry points for them when it builds its first model (15-25 ms of every cold start).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
