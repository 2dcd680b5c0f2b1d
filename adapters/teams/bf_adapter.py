"""The ONLY module that imports botbuilder / botframework: HTTP request -> authenticated turn -> dict handler.

Everything else in ``adapters/teams`` works on plain activity dicts through :class:`~.ports.Replier`,
so moving to the Microsoft 365 Agents SDK (``microsoft-agents-hosting-aiohttp``) means rewriting this
module only.

* Inbound JWTs are validated by botbuilder's ``ConfigurationBotFrameworkAuthentication`` (Bot Framework
  OpenID metadata, issuer, audience = ``MICROSOFT_APP_ID``, ``serviceurl`` claim). Without an app id the
  endpoint refuses to start unless ``KBOT_TEAMS_EMULATOR=1`` asks for the local emulator mode, whose
  callers are anonymous (never admins, never in a group) and which ``kbot serve`` binds to loopback.
* Every activity's ``serviceUrl`` must be a trusted Teams connector (:mod:`.service_url`).
* Authentication runs before the turn, so a bad token is a clean 401 and a bot bug is never one.
* Message turns run in the background after a 200 (Teams redelivers a message whose POST takes longer
  than ~15 s); ``invoke`` turns run inline because their HTTP response *is* the answer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import jwt
import requests
from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes, ConversationParameters, Entity
from botframework.connector.auth import ServiceClientCredentialsFactory
from botframework.connector.models import ErrorResponseException
from botframework.connector.teams import TeamsConnectorClient

from bot.errors import ConfigError
from bot.settings import Settings

from .ports import InvokeReply, TurnHandler
from .service_url import service_url_problem
from .streaming import StreamStopped

log = logging.getLogger(__name__)


class _OpenEntity(Entity):
    """msrest drops unknown entity fields on serialization; citations and streaminfo need them kept."""

    _attribute_map = {
        "type": {"key": "type", "type": "str"},
        "additional_properties": {"key": "", "type": "{object}"},
    }


def to_activity(data: dict[str, Any]) -> Activity:
    activity = Activity().deserialize({k: v for k, v in data.items() if k != "entities"})
    if data.get("entities"):
        activity.entities = [
            _OpenEntity(type=e.get("type"), additional_properties={k: v for k, v in e.items() if k != "type"})
            for e in data["entities"]
        ]
    return activity


class _BotConfig:
    """The attribute names ``ConfigurationBotFrameworkAuthentication`` reads."""

    def __init__(self, settings: Settings) -> None:
        _check_credentials(settings)
        self.APP_ID = settings.microsoft_app_id or ""
        password = settings.microsoft_app_password
        self.APP_PASSWORD = password.get_secret_value() if password else ""
        # no app id = the loopback emulator: botbuilder's anonymous mode only exists for MultiTenant
        self.APP_TYPE = settings.microsoft_app_type if settings.microsoft_app_id else "MultiTenant"
        self.APP_TENANTID = settings.microsoft_app_tenant_id or ""


class _TurnReplier:
    def __init__(self, turn_context: TurnContext) -> None:
        self._context = turn_context

    async def send(self, activity: dict[str, Any]) -> str | None:
        try:
            response = await self._context.send_activity(to_activity(activity))
        except ErrorResponseException as exc:
            if _stream_stopped(exc, activity):
                raise StreamStopped(str(exc)) from exc
            raise
        return response.id if response is not None and response.id else None

    async def team_group_id(self, team_id: str) -> str | None:
        connector = self._context.turn_state.get(self._context.adapter.BOT_CONNECTOR_CLIENT_KEY)
        if connector is None:
            return None
        client = TeamsConnectorClient(connector.config.credentials, self._context.activity.service_url)
        details = await asyncio.to_thread(client.teams.get_team_details, team_id)  # sync msrest client
        return getattr(details, "aad_group_id", None)

    async def start_thread(self, channel_id: str, activity: dict[str, Any]) -> str | None:
        """A new post in a Teams channel (Bot Connector ``POST /v3/conversations`` with the channel
        in ``channelData``); returns its conversation id (``<channel>;messageid=<id>``).
        https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages"""
        connector = self._context.turn_state.get(self._context.adapter.BOT_CONNECTOR_CLIENT_KEY)
        if connector is None:
            return None
        inbound = self._context.activity
        data = inbound.channel_data if isinstance(inbound.channel_data, dict) else {}
        tenant = (data.get("tenant") or {}).get("id")
        params = ConversationParameters(
            is_group=True,
            bot=inbound.recipient,
            channel_data={"channel": {"id": channel_id}, **({"tenant": {"id": tenant}} if tenant else {})},
            activity=to_activity(activity),
            tenant_id=tenant,
        )
        created = await connector.conversations.create_conversation(params)
        return created.id or None

    async def send_to(self, conversation_id: str, activity: dict[str, Any]) -> str | None:
        """Send into another conversation of the same tenant (e.g. tell an asker in their chat)."""
        connector = self._context.turn_state.get(self._context.adapter.BOT_CONNECTOR_CLIENT_KEY)
        if connector is None:
            return None
        outbound = to_activity(activity)
        outbound.from_property = self._context.activity.recipient
        sent = await connector.conversations.send_to_conversation(conversation_id, outbound)
        return sent.id if sent is not None else None

    async def members(self, conversation_id: str, limit: int) -> list[dict[str, Any]] | None:
        connector = self._context.turn_state.get(self._context.adapter.BOT_CONNECTOR_CLIENT_KEY)
        if connector is None:
            return None
        found: list[dict[str, Any]] = []
        token = None
        while len(found) <= limit:
            page = await connector.conversations.get_conversation_paged_members(
                conversation_id, page_size=500, continuation_token=token
            )
            for member in page.members or []:
                extra = getattr(member, "additional_properties", None) or {}
                found.append(
                    {
                        "id": member.id,
                        "aadObjectId": member.aad_object_id,
                        "name": member.name,
                        "email": extra.get("email") or extra.get("userPrincipalName"),
                    }
                )
            token = page.continuation_token
            if not token:
                return found
        return None


class BotFrameworkEndpoint:
    def __init__(
        self,
        settings: Settings,
        handler: TurnHandler,
        *,
        credentials_factory: ServiceClientCredentialsFactory | None = None,
    ) -> None:
        self.handler = handler
        self.auth_enabled = bool(settings.microsoft_app_id)
        self.trusted_hosts = settings.teams_service_hosts()
        if not self.auth_enabled:
            if not settings.kbot_teams_emulator:
                raise ConfigError(
                    "Teams needs MICROSOFT_APP_ID (and its password) to authenticate callers; "
                    "set KBOT_TEAMS_EMULATOR=1 only for local testing with the Bot Framework Emulator"
                )
            log.warning(
                "KBOT_TEAMS_EMULATOR=1: /api/messages accepts UNAUTHENTICATED requests from loopback "
                "(Bot Framework Emulator); callers are anonymous: no admin rights, no groups."
            )
        self.adapter = CloudAdapter(
            ConfigurationBotFrameworkAuthentication(_BotConfig(settings), credentials_factory=credentials_factory)
        )
        self._background: set[asyncio.Task[Any]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        if "json" not in (request.content_type or ""):
            return _error(415, "expected an application/json Bot Framework activity")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "request body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
            return _error(400, "not a Bot Framework activity (missing 'type')")
        try:
            activity = Activity().deserialize(body)
        except Exception:  # noqa: BLE001 - msrest raises several types for bad shapes
            return _error(400, "malformed activity")
        if not activity.service_url:
            return _error(400, "activity has no serviceUrl")
        header = request.headers.get("Authorization", "")
        if self.auth_enabled and not header.startswith("Bearer "):
            return _error(401, "missing bearer token")
        try:
            auth = await self.adapter.bot_framework_authentication.authenticate_request(activity, header)
        except requests.RequestException as exc:
            log.error("teams: cannot fetch Bot Framework signing keys: %s", exc)
            return _error(503, "token validation unavailable")
        except (PermissionError, jwt.PyJWTError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("teams: rejected request: %s", type(exc).__name__)
            return _error(401, "invalid token")
        problem = service_url_problem(activity.service_url, self.trusted_hosts, emulator=not self.auth_enabled)
        if problem:
            # Replies carry the bot's token to serviceUrl: never to a host or path a caller made up.
            log.warning("teams: refused activity: %s", problem)
            return _error(403, problem)
        if body.get("value") is not None and not isinstance(body["value"], dict):
            return _error(400, "activity 'value' must be a JSON object")  # card actions and invokes carry objects
        if not self.auth_enabled:
            body = anonymous(body)

        async def logic(turn_context: TurnContext) -> None:
            reply = await self.handler(body, _TurnReplier(turn_context))
            if body["type"] == ActivityTypes.invoke:
                reply = reply or InvokeReply(501)
                response = InvokeResponse(status=reply.status, body=reply.body)
                await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))

        if body["type"] != ActivityTypes.invoke:
            task = asyncio.create_task(self._run(auth, activity, logic))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return web.Response(status=200)
        invoke = await self._run(auth, activity, logic)
        status = invoke.status if invoke is not None else 500
        if invoke is None or invoke.body is None:
            return web.Response(status=status)
        return web.json_response(invoke.body, status=status)

    async def _run(self, auth: Any, activity: Activity, logic: Any) -> InvokeResponse | None:
        try:
            return await self.adapter.process_activity(auth, activity, logic)
        except Exception:  # noqa: BLE001 - e.g. the connector refused a reply; the server keeps serving
            log.exception("teams: turn failed for %s activity", activity.type)
            return None

    async def drain(self, seconds: float = 10.0) -> None:
        """Wait (at most ``seconds``) for background turns: server shutdown, tests."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=seconds)


def _check_credentials(settings: Settings) -> None:
    """Fail at start with the env names, not at the first reply with a botbuilder message."""
    if not settings.microsoft_app_id:
        return
    kind = settings.microsoft_app_type
    if kind != "UserAssignedMSI" and settings.microsoft_app_password is None:
        raise ConfigError(f"MICROSOFT_APP_TYPE={kind} needs MICROSOFT_APP_PASSWORD (the bot's client secret)")
    if kind != "MultiTenant" and not settings.microsoft_app_tenant_id:
        raise ConfigError(f"MICROSOFT_APP_TYPE={kind} needs MICROSOFT_APP_TENANT_ID")


def _stream_stopped(exc: ErrorResponseException, activity: dict[str, Any]) -> bool:
    """403 ``ContentStreamNotAllowed`` on a streamed activity: the user pressed Stop
    (https://learn.microsoft.com/microsoftteams/platform/bots/streaming-ux)."""
    channel_data = activity.get("channelData")
    if not (isinstance(channel_data, dict) and (channel_data.get("streamId") or channel_data.get("streamType"))):
        return False
    error = getattr(getattr(exc, "error", None), "error", None)
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return getattr(error, "code", None) == "ContentStreamNotAllowed" or status == 403


def anonymous(body: dict[str, Any]) -> dict[str, Any]:
    """An unauthenticated caller's claimed identity, scoped so it matches no admin, group or e-mail."""
    sent = body.get("from")
    who: dict[str, Any] = sent if isinstance(sent, dict) else {}
    claimed = str(who.get("id") or "anonymous")
    return {**body, "from": {"id": f"emulator:{claimed}", "name": who.get("name") or "Emulator user"}}


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
