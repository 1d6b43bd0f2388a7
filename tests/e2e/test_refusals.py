"""Refusing a button never changes the message it came from.

A stranger in the officers' group, an officer pressing a button from before an
upgrade, or a tampering client may send callback data the bot does not know (or
a known action that is not theirs to take); the refusal is an alert to the presser
and a log line, and the complaint card, the status card and the answer card stay
exactly as they were.
"""

from __future__ import annotations

import pytest

from tests.fakes.telegram import BotMessage, FakeBotApi
from tests.harness import (
    GROUP,
    HANDLER,
    RESIDENT,
    STRANGER,
    StartBot,
    file_complaint,
    message_with,
)

FORGED = ("zz", "x" * 64, "m:1", "c:99", "old:claim:TS20261125-0001", "k:nonsense", "o:claim")


def _state(message: BotMessage) -> tuple[str | None, object]:
    return message.text, message.reply_markup


def test_unknown_buttons_leave_every_message_as_it_was(
    api: FakeBotApi, start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    start_bot()
    ticket = file_complaint(api)
    card = message_with(api, GROUP, ticket)
    status = message_with(api, RESIDENT, f"【{ticket}】")
    api.send_text("火化费多少钱")
    answer = message_with(api, RESIDENT, "法律依据")
    targets = [(GROUP, card, HANDLER), (GROUP, card, STRANGER), (RESIDENT, status, RESIDENT)]
    targets.append((RESIDENT, answer, RESIDENT))

    def snapshot() -> dict[tuple[int, int], tuple[str | None, object]]:
        return {
            (chat, m.message_id): _state(m)
            for chat in (GROUP, RESIDENT)
            for m in api.bot_messages(chat)
            if (chat, m.message_id) in {(c, mid) for c, mid, _ in targets}
        }

    before = snapshot()
    answered = len(api.callback_answers)
    for chat, message_id, user in targets:
        for data in FORGED:
            api.press_data(chat, user, data, message_id)
    api.wait_for(lambda: len(api.callback_answers) >= answered + len(targets) * len(FORGED))
    assert snapshot() == before
    refusals = [a.get("text") or "" for a in api.callback_answers[answered:]]
    assert all(refusals), "every refused press gets a word of explanation"
    assert "refused" in caplog.text
