"""The Teams rig's fixtures, for tests that drive every front end."""

from tests.teams.botframework_auth import openid_server, signing_key  # noqa: F401 - fixtures
from tests.teams.conftest import connector, make_rig  # noqa: F401 - fixtures
