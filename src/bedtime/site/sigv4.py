"""AWS Signature Version 4 on hashlib and hmac: signed request headers and presigned
query strings, for the web function, which must not pay botocore's import at bedtime.

The steps are those of the IAM User Guide, "Create a signed AWS API request" (canonical
request, string to sign, derived signing key); for URLs, the Amazon S3 API
Reference, "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)";
for a browser's upload form, its "Authenticating Requests: Browser-Based Uploads Using
POST (AWS Signature Version 4)", where the string to sign is the base64 POST policy.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    token: str | None = None


@dataclass(frozen=True)
class Scope:
    region: str
    service: str


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.digest(key, text.encode(), "sha256")  # one call into OpenSSL: a page makes three


def _encode(text: str, safe: str = "-_.~") -> str:
    return quote(text, safe=safe)


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))


def credential_scope(scope: Scope, stamp: str) -> str:
    return f"{stamp[:8]}/{scope.region}/{scope.service}/aws4_request"


@lru_cache(maxsize=8)
def _signing_key(secret_key: str, day: str, scope: Scope) -> bytes:
    """The day's key for the scope: the same for every request that day, so four of a
    signature's five HMACs are made once (AWS's signature documentation, "Calculate the
    signature": the signing key is derived from the date, Region and service)."""
    key = _hmac(("AWS4" + secret_key).encode(), day)
    for part in (scope.region, scope.service, "aws4_request"):
        key = _hmac(key, part)
    return key


def signature(credentials: Credentials, scope: Scope, stamp: str, canonical_request: str) -> str:
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    to_sign = "\n".join((ALGORITHM, stamp, credential_scope(scope, stamp), digest))
    return _hmac_hex(_signing_key(credentials.secret_key, stamp[:8], scope), to_sign)


def _hmac_hex(key: bytes, text: str) -> str:
    return _hmac(key, text).hex()


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def signed_headers(
    credentials: Credentials,
    scope: Scope,
    moment: datetime,
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    body: bytes,
) -> dict[str, str]:
    """`headers` (which must hold Host) with X-Amz-Date, the session token and
    Authorization added, every header signed."""
    stamp = timestamp(moment)
    headers = {**headers, "X-Amz-Date": stamp}
    if credentials.token:
        headers["X-Amz-Security-Token"] = credentials.token
    lowered = sorted((name.lower(), " ".join(value.split())) for name, value in headers.items())
    names = ";".join(name for name, _ in lowered)
    canonical = "\n".join(
        (
            method,
            path,
            canonical_query(query),
            "".join(f"{name}:{value}\n" for name, value in lowered),
            names,
            hashlib.sha256(body).hexdigest(),
        )
    )
    credential = f"{credentials.access_key}/{credential_scope(scope, stamp)}"
    headers["Authorization"] = (
        f"{ALGORITHM} Credential={credential}, SignedHeaders={names}, "
        f"Signature={signature(credentials, scope, stamp, canonical)}"
    )
    return headers


def presigned_query(
    credentials: Credentials,
    scope: Scope,
    moment: datetime,
    host: str,
    path: str,
    expires: int,
    method: str = "GET",
) -> str:
    """The query string that makes a `method` request (a GET unless told) of
    https://host/path valid for `expires` seconds (the Host header alone signed, the
    payload unsigned, as S3 expects)."""
    stamp = timestamp(moment)
    params = {
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": f"{credentials.access_key}/{credential_scope(scope, stamp)}",
        "X-Amz-Date": stamp,
        "X-Amz-Expires": str(expires),
        "X-Amz-SignedHeaders": "host",
    }
    if credentials.token:
        params["X-Amz-Security-Token"] = credentials.token
    query = canonical_query(params)
    canonical = "\n".join((method, path, query, f"host:{host}\n", "host", UNSIGNED_PAYLOAD))
    return f"{query}&X-Amz-Signature={signature(credentials, scope, stamp, canonical)}"


def post_policy_fields(
    credentials: Credentials,
    scope: Scope,
    moment: datetime,
    expires: int,
    conditions: list[Any],
) -> dict[str, str]:
    """The signing fields of a browser upload form (POST Object): the policy, which allows
    what `conditions` allow until `expires` seconds from `moment`, and its signature. The
    signing fields are conditions too, as S3 requires."""
    stamp = timestamp(moment)
    fields = {
        "x-amz-algorithm": ALGORITHM,
        "x-amz-credential": f"{credentials.access_key}/{credential_scope(scope, stamp)}",
        "x-amz-date": stamp,
    }
    if credentials.token:
        fields["x-amz-security-token"] = credentials.token
    policy = {
        "expiration": (moment + timedelta(seconds=expires)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conditions": [*conditions, *({name: value} for name, value in fields.items())],
    }
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    signed = _hmac_hex(_signing_key(credentials.secret_key, stamp[:8], scope), encoded)
    return {**fields, "policy": encoded, "x-amz-signature": signed}


def object_path(key: str) -> str:
    """An S3 object key as a URI path: each byte but the unreserved ones and '/' encoded
    once (S3 alone among services does not encode the path twice)."""
    return "/" + _encode(key, safe="-_.~/")
