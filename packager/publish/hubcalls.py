"""Connecting to the Hub: the client and its token, which failures pass, errors in plain words, never the token."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from packager.model import PushError

if TYPE_CHECKING:
    from huggingface_hub import HfApi

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
NO_TOKEN = "No Hugging Face token: set HF_TOKEN or run `hf auth login`"  # noqa: S105 (a message)
TOKEN_REJECTED = (
    "The Hub rejected the token (401): it is invalid, expired or revoked. "  # noqa: S105 (a message)
    "Set HF_TOKEN to a valid token with write access, or run `hf auth login` again."
)
_TOKEN_LIKE = re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")
T = TypeVar("T")


def hub_endpoint() -> str | None:
    """HF_ENDPOINT as set now (huggingface_hub reads it once, at import); None for the client's default."""
    value = os.environ.get("HF_ENDPOINT", "").strip().rstrip("/")
    return value or None


def make_api(token: str | None) -> HfApi:
    """An HfApi on HF_ENDPOINT with this token (``None``: send no token)."""
    from huggingface_hub import HfApi

    return HfApi(endpoint=hub_endpoint(), token=token or False)


def find_token() -> str | None:
    """HF_TOKEN, else the token saved by ``hf auth login`` (huggingface_hub's own lookup)."""
    from huggingface_hub import get_token

    return get_token()


def is_transient(exc: BaseException) -> bool:
    """Whether an error may pass if tried again: HTTP 408, 429, 5xx, or a connection dropped or timed out."""
    network = _network_errors()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        status = _status(current)
        if status is not None:
            return status in TRANSIENT_STATUS
        if isinstance(current, network):
            return True
        current = current.__cause__ or current.__context__
    return False


def _network_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError]
    for module in ("httpx2", "httpx"):  # huggingface_hub 2.x uses httpx2, 1.x httpx
        try:
            http = __import__(module)
        except ImportError:
            continue
        errors += [http.TimeoutException, http.NetworkError, http.RemoteProtocolError]
    return tuple(errors)


def _status(exc: BaseException) -> int | None:
    from huggingface_hub.errors import HfHubHTTPError

    if isinstance(exc, HfHubHTTPError) and exc.response is not None:
        return int(exc.response.status_code)
    return None


def token_of(api: HfApi) -> str | None:
    if isinstance(api.token, str):
        return api.token or None
    if api.token is False:
        return None
    return find_token()


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` without the given secrets or anything shaped like a Hugging Face token."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _TOKEN_LIKE.sub("hf_***", text)


def _secrets(api: HfApi) -> list[str]:
    found = [api.token] if isinstance(api.token, str) else []
    try:
        token = find_token()
    except Exception:  # e.g. an OIDC exchange failing: nothing more to scrub then
        token = None
    return [*found, token] if token else found


def push_error(api: HfApi, what: str, exc: BaseException, suffix: str = "") -> PushError:
    status = _status(exc)
    if status == 401:
        return PushError(TOKEN_REJECTED)
    if status == 403:
        return PushError(
            f"{what}: the Hub refused (403 Forbidden). The token is read-only or may not write to this "
            "namespace: use a token with write access to it."
        )
    reason = f"{type(exc).__name__}: {_one_line(exc)}"
    cause = exc.__cause__
    if cause is not None and status is None:
        reason += f" ({type(cause).__name__}: {_one_line(cause)})"
    text = f"{what}: {reason}" + (f"\n{suffix}" if suffix else "")
    return PushError(scrub(text, _secrets(api)))


def _one_line(exc: BaseException) -> str:
    """An error's message on one line, without the client's pointer to the HTTP status documentation."""
    lines = [line.strip() for line in str(exc).splitlines()]
    return "; ".join(line for line in lines if line and not line.startswith("For more information check:"))


def hub_call(api: HfApi, what: str, call: Callable[[], T]) -> T:
    """Run a Hub call; turn its errors into a PushError without the token and without the original chained."""
    failure: Exception | None = None
    try:
        return call()
    except PushError:
        raise
    except Exception as exc:
        failure = exc
    raise push_error(api, what, failure)
