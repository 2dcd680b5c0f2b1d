"""Message activities through the real botbuilder endpoint: replies on the fake Bot Connector."""

from __future__ import annotations

from urllib.parse import unquote

from adapters.teams.render import ABSTRACT_MAX, AI_LABEL, MESSAGE_ENTITY_TYPE

from .conftest import FakeStreamingAnswerer, TeamsRig


def _message_entity(body: dict) -> dict:
    roots = [e for e in body.get("entities", []) if e.get("type") == MESSAGE_ENTITY_TYPE]
    assert len(roots) == 1, "Teams rejects zero or several root message entities"
    return roots[0]


async def test_channel_mention_reply_in_thread_with_citations_label_feedback(rig: TeamsRig) -> None:
    inbound = rig.activity(
        "message_channel_thread_reply_mention.json", text="<at>kbotdev</at> how do I file expenses?"
    )
    resp = await rig.post(inbound)
    assert resp.status == 200
    posts = await rig.connector.wait_posts(2)  # typing, then the answer
    typing, answer = posts
    assert typing.body["type"] == "typing"
    # reply goes to the thread: same conversation id (with ;messageid=) and replyToId = inbound id
    assert unquote(answer.match["conversation"]) == inbound["conversation"]["id"]
    assert answer.match["activity"] == inbound["id"]
    assert answer.body["replyToId"] == inbound["id"]
    assert answer.body["type"] == "message"
    assert answer.body["from"]["id"] == inbound["recipient"]["id"]
    # the bot mention was stripped before the core saw the question
    assert rig.answerer.questions[-1].text == "how do I file expenses?"
    assert rig.answerer.questions[-1].asker.user_id == inbound["from"]["aadObjectId"]
    text = answer.body["text"]
    assert "[1]" in text and "[2]" in text
    entity = _message_entity(answer.body)
    assert entity["@type"] == "Message" and entity["additionalType"] == [AI_LABEL]
    claims = entity["citation"]
    assert [c["position"] for c in claims] == [1, 2]
    assert claims[0]["@type"] == "Claim"
    assert claims[0]["appearance"]["name"] == "Expense policy"
    assert claims[0]["appearance"]["url"] == "https://intranet.example.com/finance/expenses"
    assert 0 < len(claims[0]["appearance"]["abstract"]) <= ABSTRACT_MAX
    assert answer.body["channelData"]["feedbackLoopEnabled"] is True
    assert not [e for e in answer.body["entities"] if e.get("type") == "streaminfo"]  # no streaming in channels


async def test_previous_turns_are_passed_to_the_core(rig: TeamsRig) -> None:
    first = rig.activity("message_channel_thread_reply_mention.json", text="<at>kbotdev</at> expenses?")
    await rig.post(first)
    await rig.connector.wait_posts(2)
    second = rig.activity(
        "message_channel_thread_reply_mention.json",
        id="1759944781999",
        text="<at>kbotdev</at> and for travel?",
    )
    await rig.post(second)
    await rig.connector.wait_posts(4)
    history = rig.answerer.questions[-1].history
    assert [t.role for t in history] == ["user", "assistant"]
    assert history[0].text == "expenses?"
    assert history[1].text.startswith("For 'expenses?'")
    assert rig.answerer.questions[-1].conversation_id == first["conversation"]["id"]


async def test_personal_chat_without_streaming_answerer_sends_full_message(rig: TeamsRig) -> None:
    inbound = rig.activity("message_personal.json", text="Where is the expense policy?")
    assert (await rig.post(inbound)).status == 200
    posts = await rig.connector.wait_posts(2)
    assert posts[-1].body["type"] == "message"
    assert _message_entity(posts[-1].body)["citation"]
    assert rig.answerer.questions[-1].text == "Where is the expense policy?"


async def test_personal_chat_streams_informative_updates_then_final(make_rig) -> None:
    # Deltas in pairs, bursts further apart than the rig's 0.05 s interval: however slow the machine,
    # the second delta of a pair comes right after the first was sent, so it is never sent on its own.
    answerer = FakeStreamingAnswerer(pieces=8, delay=0.06, burst=2)
    rig: TeamsRig = await make_rig(answerer=answerer)
    inbound = rig.activity("message_personal.json", text="How do expenses work?")
    assert (await rig.post(inbound)).status == 200
    await rig.connector.wait_posts(3)
    posts = await _until_final(rig)
    first, updates, final = posts[0], posts[1:-1], posts[-1]

    info = first.body["entities"][0]
    assert first.body["type"] == "typing"
    assert info == {"type": "streaminfo", "streamType": "informative", "streamSequence": 1}
    stream_id = "bot-msg-1"  # the fake connector's id for the first activity
    assert updates, "expected at least one streaming update"
    sequences = []
    previous = ""
    for update in updates:
        entity = update.body["entities"][0]
        assert update.body["type"] == "typing"
        assert entity["streamType"] == "streaming" and entity["streamId"] == stream_id
        sequences.append(entity["streamSequence"])
        assert update.body["text"].startswith(previous.strip())  # each update carries the whole text so far
        previous = update.body["text"]
    assert sequences == list(range(2, 2 + len(updates)))
    assert len(updates) < answerer.deltas  # throttled: fewer updates than deltas

    assert final.body["type"] == "message"
    stream_entity = [e for e in final.body["entities"] if e["type"] == "streaminfo"][0]
    assert stream_entity == {"type": "streaminfo", "streamType": "final", "streamId": stream_id}
    assert _message_entity(final.body)["additionalType"] == [AI_LABEL]
    assert len(_message_entity(final.body)["citation"]) == 2
    assert final.body["channelData"]["feedbackLoopEnabled"] is True


async def _until_final(rig: TeamsRig) -> list:
    return await rig.connector.wait_final()


async def test_streaming_interval_limits_update_rate(make_rig) -> None:
    answerer = FakeStreamingAnswerer(pieces=20, delay=0.01)
    rig: TeamsRig = await make_rig(answerer=answerer)
    await rig.post(rig.activity("message_personal.json", text="How do expenses work?"))
    await rig.connector.wait_posts(2)
    posts = await _until_final(rig)
    typing = [p for p in posts if p.body["type"] == "typing"]  # informative first, then updates
    assert 1 <= len(typing) - 1 < 20  # never one update per delta
    gaps = [later.at - earlier.at for earlier, later in zip(typing, typing[1:], strict=False)]
    assert min(gaps) >= 0.04  # the rig's interval is 0.05 s: at most one update per interval


async def test_web_chat_channel_gets_adaptive_card_fallback(rig: TeamsRig) -> None:
    inbound = rig.activity("message_personal.json", channelId="webchat", text="expenses?")
    await rig.post(inbound)
    posts = await rig.connector.wait_posts(2)
    card = posts[-1].body["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [b.get("text", "") for b in card["content"]["body"]]
    assert any("[1] [Expense policy](https://intranet.example.com/finance/expenses)" in t for t in texts)
    assert [a["verb"] for a in card["content"]["actions"]] == ["feedback", "feedback"]


async def test_empty_text_gets_help_and_core_is_not_called(rig: TeamsRig) -> None:
    inbound = rig.activity("message_channel_thread_reply_mention.json", text="<at>kbotdev</at>   ")
    assert (await rig.post(inbound)).status == 200
    posts = await rig.connector.wait_posts(1)
    assert "Ask me anything" in posts[0].body["text"]
    assert rig.answerer.questions == []


async def test_bot_added_to_personal_chat_says_hello(rig: TeamsRig) -> None:
    inbound = rig.activity("conversation_update_bot_added_personal.json")
    inbound["membersAdded"][0]["id"] = inbound["recipient"]["id"]
    assert (await rig.post(inbound)).status == 200
    posts = await rig.connector.wait_posts(1)
    assert posts[0].body["text"].startswith("Hi! I'm kbot")


async def test_member_removed_is_acknowledged_silently(rig: TeamsRig) -> None:
    assert (await rig.post(rig.activity("conversation_update_member_removed.json"))).status == 200
    assert (await rig.post(rig.activity("conversation_update_channel_created.json"))).status == 200
    await rig.connector.settle()
    assert rig.connector.posts() == []


async def test_group_chat_gets_a_full_message_even_with_a_streaming_answerer(make_rig) -> None:
    rig: TeamsRig = await make_rig(answerer=FakeStreamingAnswerer())
    inbound = rig.activity("message_personal.json", text="<at>kbot Dev</at> expenses?")
    inbound["conversation"] = {"conversationType": "groupChat", "isGroup": True, "id": "19:abc@thread.v2"}
    inbound["entities"] = [{"type": "mention", "text": "<at>kbot Dev</at>", "mentioned": inbound["recipient"]}]
    await rig.post(inbound)
    posts = await rig.connector.wait_posts(2)
    assert [p.body["type"] for p in posts] == ["typing", "message"]
    assert not [e for e in posts[1].body["entities"] if e["type"] == "streaminfo"]
    assert rig.answerer.questions[-1].text == "expenses?"


async def test_docs_channel_mention_of_someone_else_is_not_for_the_bot(rig: TeamsRig) -> None:
    """The docs example: a channel message mentioning a person, not the bot (delivered with RSC)."""
    assert (await rig.post(rig.activity("message_channel_mention_docs.json"))).status == 200
    await rig.connector.settle()
    assert rig.answerer.questions == [] and rig.connector.posts() == []


async def test_other_mentions_keep_their_names_in_the_question(rig: TeamsRig) -> None:
    inbound = rig.activity("message_channel_mention_docs.json")
    inbound["text"] = f"<at>{inbound['recipient']['name']}</at> ask <at>Pranav Smith</at> or answer?"
    inbound["entities"].append({"type": "mention", "text": f"<at>{inbound['recipient']['name']}</at>",
                                "mentioned": inbound["recipient"]})
    await rig.post(inbound)
    posts = await rig.connector.wait_posts(2)
    assert rig.answerer.questions[-1].text == "ask @Pranav Smith or answer?"
    assert [p.body["type"] for p in posts] == ["typing", "message"]  # channel: no streaming


async def test_two_quick_questions_in_a_chat_stream_one_after_the_other(make_rig) -> None:
    rig: TeamsRig = await make_rig(answerer=FakeStreamingAnswerer(pieces=4, delay=0.03))
    first = rig.activity("message_personal.json", text="first?")
    second = rig.activity("message_personal.json", id="1485983408999", text="second?")
    await rig.post(first)
    await rig.post(second)
    posts = await rig.connector.wait_for(lambda: sum(p.body["type"] == "message" for p in rig.connector.posts()) == 2)
    kinds = [(p.body["type"], p.match["activity"]) for p in posts]
    first_final = kinds.index(("message", first["id"]))
    assert all(activity == first["id"] for _, activity in kinds[: first_final + 1])  # no interleaving
    assert rig.answerer.questions[1].history[0].text == "first?"
