"""RetrieveAndGenerate(Stream) and InvokeAgent answerers: citations, sessions, identity, guardrails."""

from __future__ import annotations

import pytest

from adapters.bedrock.agent import agent_session_id
from adapters.bedrock.factory import build_bedrock
from bot.answering.prompts import NOT_FOUND_MESSAGE, RAG_PROMPT_TEMPLATE
from bot.errors import BackendError, ConfigError, GuardrailIntervened, KbotError
from bot.models import Answer, Asker, Question
from bot.ports import AnswerDelta
from tests.bedrock.fake_bedrock import Fault, Gate, Json, Stream, StreamFault
from tests.bedrock.replies import agent_chunk, rag_citation, reference

ANSWER = "New hires get a laptop on day one. Badges are picked up at reception."
LAPTOP = reference(
    "IT ships laptops so they arrive on the first day.", "https://it/onboarding", "Onboarding IT"
)
BADGE = reference("Collect your badge from reception.", "https://fac/badges", "Badges")


@pytest.fixture
def rag_settings(bedrock_settings):
    return bedrock_settings.model_copy(update={"bedrock_answer_mode": "retrieve_and_generate"})


@pytest.fixture
def agent_settings(bedrock_settings):
    return bedrock_settings.model_copy(
        update={
            "bedrock_answer_mode": "agent",
            "bedrock_agent_id": "AGENT12345",
            "bedrock_agent_alias_id": "ALIAS12345",
        }
    )


def rag_reply(text: str = ANSWER, session: str = "sess-1", **extra) -> Json:
    return Json(
        {
            "output": {"text": text},
            "sessionId": session,
            "citations": [
                rag_citation(text, "New hires get a laptop on day one.", LAPTOP),
                rag_citation(text, "Badges are picked up at reception.", BADGE, LAPTOP),
            ],
            **extra,
        }
    )


async def test_retrieve_and_generate_maps_citations_and_keeps_the_thread_session(fake_bedrock, rag_settings):
    fake_bedrock.script("RetrieveAndGenerate", rag_reply(), rag_reply(session="sess-1"))
    answerer = build_bedrock(rag_settings).answerer
    question = Question(
        "what happens on day one?", asker=Asker("U1", groups=["staff"]), conversation_id="T-7"
    )

    answer = await answerer.answer(question)
    await answerer.answer(question)

    assert answer.text == ("New hires get a laptop on day one.[1] Badges are picked up at reception.[1][2]")
    assert [(c.title, c.uri) for c in answer.citations] == [
        ("Onboarding IT", "https://it/onboarding"),
        ("Badges", "https://fac/badges"),
    ]
    assert answer.grounded and answer.session_id == "sess-1"
    first, second = fake_bedrock.calls("RetrieveAndGenerate")
    assert "sessionId" not in first and second["sessionId"] == "sess-1"
    kb = first["retrieveAndGenerateConfiguration"]["knowledgeBaseConfiguration"]
    assert kb["knowledgeBaseId"] == "KBTEST1234" and kb["modelArn"] == rag_settings.bedrock_model_id
    assert kb["generationConfiguration"]["promptTemplate"] == {"textPromptTemplate": RAG_PROMPT_TEMPLATE}
    assert kb["retrievalConfiguration"]["vectorSearchConfiguration"]["filter"]["orAll"][1] == {
        "listContains": {"key": "acl_groups", "value": "staff"}
    }


async def test_expired_session_starts_a_new_one(fake_bedrock, rag_settings):
    fake_bedrock.script(
        "RetrieveAndGenerate",
        rag_reply(session="old"),
        Fault("ValidationException", "Session old is expired or invalid sessionId", 400),
        rag_reply(session="new"),
    )
    answerer = build_bedrock(rag_settings).answerer
    await answerer.answer(Question("q1", conversation_id="T"))
    answer = await answerer.answer(Question("q2", conversation_id="T"))
    assert answer.session_id == "new"
    assert [c.get("sessionId") for c in fake_bedrock.calls("RetrieveAndGenerate")] == [None, "old", None]


async def test_retrieve_and_generate_guardrail_and_abstention(fake_bedrock, rag_settings):
    settings = rag_settings.model_copy(
        update={"bedrock_guardrail_id": "gr9", "bedrock_guardrail_version": "DRAFT"}
    )
    fake_bedrock.script(
        "RetrieveAndGenerate",
        Json(
            {
                "output": {"text": "Sorry, the model cannot answer this question."},
                "sessionId": "s1",
                "guardrailAction": "INTERVENED",
            }
        ),
        Json({"output": {"text": "NO_ANSWER_IN_SOURCES"}, "sessionId": "s2"}),
    )
    answerer = build_bedrock(settings).answerer
    with pytest.raises(GuardrailIntervened) as err:
        await answerer.answer(Question("bad"))
    assert err.value.user_message == "Sorry, the model cannot answer this question."
    request = fake_bedrock.calls("RetrieveAndGenerate")[0]
    generation = request["retrieveAndGenerateConfiguration"]["knowledgeBaseConfiguration"][
        "generationConfiguration"
    ]
    assert generation["guardrailConfiguration"] == {"guardrailId": "gr9", "guardrailVersion": "DRAFT"}
    answer = await answerer.answer(Question("unknown"))
    assert (answer.grounded, answer.text) == (False, NOT_FOUND_MESSAGE)


async def test_retrieve_and_generate_stream(fake_bedrock, rag_settings):
    gate = Gate()
    cite = rag_citation(ANSWER, "New hires get a laptop on day one.", LAPTOP)
    fake_bedrock.script(
        "RetrieveAndGenerateStream",
        Stream(
            [
                ("output", {"text": "New hires get a laptop on day one."}),
                gate,
                ("output", {"text": " Badges are picked up at reception."}),
                ("citation", cite),
            ],
            headers={"x-amzn-bedrock-knowledge-base-session-id": "stream-sess"},
        ),
    )
    items = []
    async for item in build_bedrock(rag_settings).answerer.stream(Question("day one?", conversation_id="C")):
        items.append(item)
        gate.event.set()
    assert [i.text for i in items if isinstance(i, AnswerDelta)] == [
        "New hires get a laptop on day one.",
        " Badges are picked up at reception.",
    ]
    final = items[-1]
    assert isinstance(final, Answer) and final.session_id == "stream-sess"
    assert final.text == "New hires get a laptop on day one.[1] Badges are picked up at reception."
    assert [c.uri for c in final.citations] == ["https://it/onboarding"]


async def test_agent_streams_chunks_with_attribution_and_passes_identity(fake_bedrock, agent_settings):
    gate = Gate()
    text1, text2 = "Laptops arrive on day one.", " Badges are at reception."
    fake_bedrock.script(
        "InvokeAgent",
        Stream(
            [
                (
                    "trace",
                    {
                        "agentId": "AGENT12345",
                        "trace": {
                            "orchestrationTrace": {
                                "modelInvocationOutput": {
                                    "metadata": {"usage": {"inputTokens": 900, "outputTokens": 60}}
                                }
                            }
                        },
                    },
                ),
                agent_chunk(text1, [rag_citation(text1, text1, LAPTOP)]),
                gate,
                agent_chunk(text2, [rag_citation(text2, text2.strip(), BADGE)]),
            ],
            headers={
                "x-amzn-bedrock-agent-content-type": "application/json",
                "x-amz-bedrock-agent-session-id": "kbot-session",
            },
        ),
    )
    asker = Asker("U42", email="ana@example.com", groups=["eng", "staff"], display_name="Ana")
    question = Question("day one?", asker=asker, conversation_id="slack:C1:1700000000.1", sources=["it-wiki"])
    items = []
    async for item in build_bedrock(agent_settings).answerer.stream(question):
        items.append(item)
        gate.event.set()

    assert [i.text for i in items if isinstance(i, AnswerDelta)] == [text1, text2]
    final = items[-1]
    assert isinstance(final, Answer) and final.grounded
    assert final.text == "Laptops arrive on day one.[1] Badges are at reception.[2]"
    assert [c.uri for c in final.citations] == ["https://it/onboarding", "https://fac/badges"]
    assert [(u.input_tokens, u.output_tokens) for u in final.usage] == [(900, 60)]
    request = fake_bedrock.calls("InvokeAgent")[0]
    assert request["sessionId"] == agent_session_id(question)
    assert request["sessionState"]["sessionAttributes"] == {
        "userId": "U42",
        "email": "ana@example.com",
        "displayName": "Ana",
        "groups": "eng,staff",
    }
    kb_config = request["sessionState"]["knowledgeBaseConfigurations"][0]
    assert kb_config["knowledgeBaseId"] == "KBTEST1234"
    assert kb_config["retrievalConfiguration"]["vectorSearchConfiguration"]["filter"]["andAll"][1] == {
        "in": {"key": "source", "value": ["it-wiki"]}
    }
    # the same chat thread keeps its agent session, another thread gets another one
    assert agent_session_id(question) == agent_session_id(
        Question("x", conversation_id=question.conversation_id)
    )
    assert agent_session_id(question) != agent_session_id(Question("x", conversation_id="other"))


async def test_agent_guardrail_intervention(fake_bedrock, agent_settings):
    fake_bedrock.script(
        "InvokeAgent",
        Stream(
            [
                ("trace", {"trace": {"guardrailTrace": {"action": "INTERVENED"}}}),
                agent_chunk("Sorry, I can't help with that."),
            ],
            headers={
                "x-amzn-bedrock-agent-content-type": "application/json",
                "x-amz-bedrock-agent-session-id": "s",
            },
        ),
    )
    with pytest.raises(GuardrailIntervened) as err:
        await build_bedrock(agent_settings).answerer.answer(Question("bad"))
    assert err.value.user_message == "Sorry, I can't help with that."


async def test_every_agent_stream_fault_becomes_a_kbot_error(fake_bedrock, agent_settings):
    """Every exception event the installed SDK's InvokeAgent ResponseStream declares."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("bedrock-agent-runtime")
    stream = model.operation_model("InvokeAgent").output_shape.members["completion"]
    faults = [name for name, shape in stream.members.items() if shape.name.endswith("Exception")]
    assert len(faults) >= 8
    answerer = build_bedrock(agent_settings).answerer
    seen = {}
    for name in faults:
        fake_bedrock.script(
            "InvokeAgent",
            Stream(
                [agent_chunk("Par"), StreamFault(name, f"{name} happened")],
                headers={
                    "x-amzn-bedrock-agent-content-type": "application/json",
                    "x-amz-bedrock-agent-session-id": "s",
                },
            ),
        )
        with pytest.raises(KbotError) as err:
            await answerer.answer(Question("q"))
        seen[name] = type(err.value).__name__
        assert isinstance(err.value, BackendError | ConfigError)
    assert seen["throttlingException"] == "ThrottledError"
    assert seen["accessDeniedException"] == "AccessDeniedError"
    assert seen["modelNotReadyException"] == "BackendTimeout"
    assert seen["validationException"] == "ConfigError"


def test_agent_mode_needs_agent_ids(bedrock_settings):
    with pytest.raises(ConfigError, match="BEDROCK_AGENT_ID"):
        build_bedrock(bedrock_settings.model_copy(update={"bedrock_answer_mode": "agent"}))


async def test_a_follow_up_on_another_replica_continues_the_bedrock_session(fake_bedrock, rag_settings, tmp_path):
    """Two replicas' answerers on one state store (the KBOT_DB file): the session follows the thread."""
    from adapters.state.sqlite_state import SqliteConversationState

    fake_bedrock.script("RetrieveAndGenerate", rag_reply(session="sess-A"), rag_reply(session="sess-A"))
    replica_a = build_bedrock(rag_settings, state=SqliteConversationState(tmp_path / "shared.db")).answerer
    replica_b = build_bedrock(rag_settings, state=SqliteConversationState(tmp_path / "shared.db")).answerer
    await replica_a.answer(Question("day one?", conversation_id="T-9"))
    await replica_b.answer(Question("and badges?", conversation_id="T-9"))
    first, second = fake_bedrock.calls("RetrieveAndGenerate")
    assert "sessionId" not in first and second["sessionId"] == "sess-A"
