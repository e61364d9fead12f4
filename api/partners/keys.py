"""Partner API keys: issued once, stored only as SHA-256 hashes, each with a name, the origins
it may be used from and its own rate limit.

Keys come from the file PARTNER_KEYS_FILE (YAML list) and/or the environment variable
PARTNER_KEYS (the same list as JSON). A key is 32 random bytes, so a fast hash is enough: there
is nothing to brute-force, and a stolen keys file does not reveal any key.
"""

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from marshmallow import Schema, ValidationError, fields, validate

KEY_PREFIX = "ck_"


@dataclass(frozen=True)
class Partner:
    name: str
    key_sha256: str
    origins: tuple[str, ...]
    rate_limit: str | None  # limits' syntax, e.g. "6000 per minute"; None: the default
    revoked: bool


def check_rate_limit(value: str) -> None:
    """A bad limit must stop start-up, not fail a request."""
    from limits import parse_many

    try:
        if not parse_many(value):
            raise ValueError
    except ValueError:
        raise ValidationError(f"{value!r} is not a rate limit such as '600 per minute'") from None


class PartnerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    key_sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    origins = fields.List(fields.String(), load_default=list)
    rate_limit = fields.String(load_default=None, allow_none=True, validate=check_rate_limit)
    revoked = fields.Boolean(load_default=False)


class PartnerKeysError(ValueError):
    pass


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _parse(entries, source: str) -> list[Partner]:
    try:
        loaded = PartnerSchema(many=True).load(entries or [])
    except ValidationError as exc:
        raise PartnerKeysError(f"{source}: {exc.messages}") from None
    return [Partner(**{**e, "origins": tuple(e["origins"])}) for e in loaded]


def load_partners(path: str, environment_json: str) -> dict[str, Partner]:
    """key hash → Partner, from the file and the environment; invalid entries stop start-up."""
    import yaml  # only when there is a keys file to read

    partners = []
    if path and Path(path).is_file():
        partners += _parse(yaml.safe_load(Path(path).read_text()), path)
    if environment_json:
        try:
            entries = json.loads(environment_json)
        except ValueError as exc:
            raise PartnerKeysError(f"PARTNER_KEYS is not valid JSON: {exc}") from None
        partners += _parse(entries, "PARTNER_KEYS")
    by_hash = {}
    for partner in partners:
        if partner.key_sha256 in by_hash:
            raise PartnerKeysError(f"two partners share a key hash ({partner.name})")
        by_hash[partner.key_sha256] = partner
    return by_hash


def append_partner(path: str, partner: Partner) -> None:
    """Add a partner to the keys file (written atomically; the key itself is never stored)."""
    import yaml

    file = Path(path)
    entries = yaml.safe_load(file.read_text()) if file.is_file() else []
    entries = entries or []
    entries.append(
        {
            "name": partner.name,
            "key_sha256": partner.key_sha256,
            "origins": list(partner.origins),
            "rate_limit": partner.rate_limit,
            "revoked": partner.revoked,
        }
    )
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_suffix(f".tmp-{os.getpid()}")
    temporary.write_text(yaml.safe_dump(entries, sort_keys=False))
    os.replace(temporary, file)


def revoke_partner(path: str, name: str) -> bool:
    import yaml

    file = Path(path)
    entries = (yaml.safe_load(file.read_text()) if file.is_file() else None) or []
    found = False
    for entry in entries:
        if entry.get("name") == name:
            entry["revoked"] = found = True
    if found:
        temporary = file.with_suffix(f".tmp-{os.getpid()}")
        temporary.write_text(yaml.safe_dump(entries, sort_keys=False))
        os.replace(temporary, file)
    return found
