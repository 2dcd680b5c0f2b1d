"""Span choice, pure pieces: inline lists split into items, answer types read from the question's
frame, a follow-up carrying the previous question's frame."""

from __future__ import annotations

from bot.answering.structure import spans
from bot.models import Passage


def passage(text: str, heading: str = "Standard schedule") -> Passage:
    return Passage(
        chunk_id="c", doc_id="d", source="s", title="Schedules", uri="s.md", text=text, score=1.0, heading=heading
    )


def test_a_list_the_parser_ran_into_its_paragraph_is_split_into_items() -> None:
    text = (
        "You work 8 hours every day. By default, new staff are on a standard schedule. "
        "- Overtime: Yes - Can be approved for more than 8 hours. - Credit hours: No - Not available with this schedule"
    )
    found = spans(passage(text), 0)
    texts = [s.text for s in found]
    assert "By default, new staff are on a standard schedule." in texts
    assert "Credit hours: No - Not available with this schedule" in texts  # "No - Not" is not a bullet
    items = [s for s in found if s.kind == "item"]
    assert len(items) == 2 and all(s.label == "Standard schedule" for s in items)


def test_an_inline_list_after_a_colon_becomes_a_lead_in_with_its_items() -> None:
    text = "To be eligible, you must have all of the following: - Used all leave - A negative balance of 24 hours"
    found = spans(passage(text, "Eligibility"), 0)
    lists = [s for s in found if s.kind == "list"]
    assert len(lists) == 1 and lists[0].text.endswith("- A negative balance of 24 hours"), lists
    assert "A negative balance of 24 hours" in [s.text for s in found if s.kind == "item"]


def test_a_range_is_not_a_list() -> None:
    found = spans(passage("The help desk is open 9 a.m. - 5 p.m. on weekdays."), 0)
    assert [s.text for s in found] == ["The help desk is open 9 a.m. - 5 p.m. on weekdays."]


def test_front_matter_lists_stay_metadata() -> None:
    found = spans(passage("title: Moving keywords: move redirect_from: - /moving/\nEmail PeopleOps first."), 0)
    assert [s.text for s in found] == ["Email PeopleOps first."]


def test_the_answer_type_comes_from_the_clause_that_asks() -> None:
    from bot.answering.answer_types import answer_type

    def kind(q: str) -> str | None:
        t = answer_type(q)
        return t.name if t else None

    assert kind("I need to sign up for health insurance - how long do I have after starting?") == "duration"
    assert kind("what schedule am I on by default when I join?") is None  # "when I join" does not ask
    assert kind("I'm moving to another state next month, who do I tell?") == "contact"
    assert kind("how negative can my balance get?") == "quantity"
    assert kind("do I have to pay with the card when I travel?") is None
    assert kind("what form do I fill out?") == "identifier"
    assert kind("what do I need to do before going on vacation?") == "steps"
    assert kind("what about for an adoption?") is None  # elliptical: no frame of its own


def test_answer_type_fit_is_graded() -> None:
    from bot.answering.answer_types import answer_type

    how_long = answer_type("how long are messages kept?")
    assert how_long is not None
    assert how_long.fit("Messages are retained forever.") == 1.0
    assert how_long.fit("You can edit a message for 5 minutes.") == 1.0
    assert how_long.fit("Keep 2 copies.") == 0.5  # a number, not a duration
    assert how_long.fit("Messages are retained.") == 0.0
    form = answer_type("what form do I fill out to receive donated leave?")
    assert form is not None
    assert form.fit("Complete OPM Form 630 and send it to your supervisor.") == 1.0
    assert form.fit("Register with MAX.gov to donate leave.") == 0.5  # an identifier, but not a form
    assert form.fit("Your supervisor can help you fill out the form.") == 0.0
    steps = answer_type("how do I sign up for the transit subsidy?")
    assert steps is not None and steps.fit("Enroll first:\n- Register", "list") == 1.0
    assert steps.fit("Submit a request in the portal.") == 1.0  # an instruction
    assert steps.fit("The subsidy covers transit passes.") == 0.5
    who = answer_type("who do I tell?")
    assert who is not None and who.fit("email TTS-PeopleOps@gsa.gov first") == 1.0 > who.fit("Please provide:", "list")


def test_an_elliptical_follow_up_asks_what_the_previous_question_asked() -> None:
    from bot.answering.followup import asked_frame

    previous = "how much time off do I get to go vote?"
    assert asked_frame("and for volunteering as a poll worker (time go vote)?", previous) == previous
    assert asked_frame("what about for an adoption?", previous) == previous
    own = "when are the anchor days?"
    assert asked_frame(own, previous) == own
    unrelated = "Northwind's policy on bringing a dog to the office"
    assert asked_frame(unrelated, previous) == unrelated


def test_a_sentence_that_qualifies_the_one_before_brings_it() -> None:
    from bot.answering.extractive import choose_spans
    from bot.answering.reader import Reading

    text = (
        "Staff are hired on term appointments for a maximum of four or eight years. "
        "However, term appointments need to be renewed every two years."
    )
    found = spans(passage(text, "Terms"), 0)
    first, however = found
    however.score, first.score = 0.7, 0.6
    chosen = choose_spans(Reading([however, first], 0.7, 1.0, found))
    assert [s.text for s in chosen] == [first.text, however.text]  # in reading order


def test_abbreviations_and_un_forms_of_negated_words_count_when_scoring_spans() -> None:
    from bot.answering.reader import lexical, negated_terms

    code = {"org": 2.0, "code": 1.0}
    span = "Use T-TECH TRANSFORMATION SERVICE as your organizational code."
    assert lexical(code, span, negated=frozenset()) > lexical(code, span) == 1 / 3
    assert lexical({"org": 1.0}, "Check the organ donor page.", negated=frozenset()) == 0.0  # not an abbreviation
    asked = "what happens to donated hours I didn't use?"
    negated = negated_terms(asked)
    assert negated == {"use"} and negated_terms("I want to use my badge") == frozenset()
    terms = {"donated": 1.0, "hours": 1.0, "use": 1.0}
    span = "All unused VLTP hours will be returned."
    assert lexical(terms, span, negated=negated) > lexical(terms, span, negated=frozenset())


def test_an_inline_lettered_list_is_split_into_items() -> None:
    # A plain-text procedure whose steps the parser ran into one paragraph: the step that answers
    # ("b) Security review … 5 business days") must be one item, not three loose sentences.
    from bot.answering.structure import passage_lines

    line = (
        "The request then goes through three steps: a) Manager approval (in the ticket). "
        "b) Security review by the Security team. The standard turnaround is 5 business days. "
        "c) Procurement. Anything over $5,000 needs Finance."
    )
    assert passage_lines(line) == [
        "The request then goes through three steps:",
        "- Manager approval (in the ticket).",
        "- Security review by the Security team. The standard turnaround is 5 business days.",
        "- Procurement. Anything over $5,000 needs Finance.",
    ]
    # not a run that starts elsewhere, nor letters out of order
    assert passage_lines("See note b) above: c) is wrong. d) too.") == ["See note b) above: c) is wrong. d) too."]


async def test_the_answering_passage_counts_in_coverage_however_far_down_it_ranks() -> None:
    from bot.answering.reader import SpanReader
    from tests.fakes import HashEmbedder

    def p(text: str, title: str) -> Passage:
        return Passage(chunk_id=title, doc_id=title, source="s", title=title, uri=f"{title}.md", text=text, score=1.0)

    question = "can my last day be a federal holiday?"
    weights = {"last": 1.0, "day": 0.8, "federal": 1.2, "holiday": 2.0}
    off_topic = [p(f"The office closes at six on day {n}.", f"Office {n}") for n in range(3)]
    answering = p("Your last day cannot be a federal holiday.", "Leaving")
    embedder = HashEmbedder()
    qvec = (await embedder.embed([question]))[0]
    reader = SpanReader(embedder)
    for order in (off_topic + [answering], [answering] + off_topic):
        candidates = [s for i, x in enumerate(order) for s in spans(x, i)]
        reading = await reader.read(question, order, candidates, weights, qvec)
        assert reading.spans[0].text == "Your last day cannot be a federal holiday."
        assert reading.coverage > 0.9, "the passage that answers states every term"


def test_what_form_wants_the_identifier_next_to_the_word() -> None:
    # "what form do I fill out …": "OPM Form 630" answers; "fill out the forms" in a sentence that
    # also names "VLTP" does not (it scored as a full fit and outranked the form number).
    from bot.answering.answer_types import answer_type

    wanted = answer_type("what form do I fill out to receive donated leave?")
    assert wanted is not None
    assert wanted.fit("Complete your portion of the VLTP application, OPM Form 630 and send it on.") == 1.0
    assert wanted.fit("You can use Docusign templates for VLTP to fill out the forms and get signatures.") == 0.5
    code = answer_type("what org code do I use on the transit application?")
    assert code is not None
    assert code.fit("Use T-TECH TRANSFORMATION SERVICE as your organizational code.") == 1.0
