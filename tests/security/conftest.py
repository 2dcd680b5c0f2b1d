from tests.teams.botframework_auth import openid_server, signing_key  # noqa: F401 - fixtures
from tests.teams.conftest import connector, make_rig, rig  # noqa: F401 - fixtures
