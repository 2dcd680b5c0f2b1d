"""The signing rig itself: a token service restarted on the same port with a new key is believed.

Several conftests import the session ``signing_key`` fixture, so one run holds several keys;
botbuilder caches OpenID metadata per URL for a day, and a reused loopback port once made a
valid token fail with ``InvalidSignatureError`` (a flaky 401 in an unrelated Teams test).
"""

from __future__ import annotations

import socket

from botframework.connector.auth import ChannelValidation, SimpleCredentialProvider
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.teams.botframework_auth import APP_ID, serve_openid, token

SERVICE_URL = "https://smba.trafficmanager.net/amer/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _validate(metadata_url: str, key: rsa.RSAPrivateKey) -> str:
    original = ChannelValidation.open_id_metadata_endpoint
    ChannelValidation.open_id_metadata_endpoint = metadata_url
    try:
        identity = await ChannelValidation.authenticate_channel_token_with_service_url(
            f"Bearer {token(key, SERVICE_URL)}", SimpleCredentialProvider(APP_ID, ""), SERVICE_URL, "msteams"
        )
    finally:
        ChannelValidation.open_id_metadata_endpoint = original
    return str(identity.claims["aud"])


async def test_same_port_new_key_is_checked_against_the_new_key() -> None:
    port = _free_port()
    first = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    second = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with serve_openid(first, port) as url:
        assert await _validate(url, first) == APP_ID
    with serve_openid(second, port) as url:
        assert await _validate(url, second) == APP_ID
