"""The `sunshine` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.harness import ROOT, clean_environ


@pytest.fixture
def env(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh database location; the cache of derived files is shared to keep tests fast."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db' / 'sunshine.db'}")
    monkeypatch.setenv("SUNSHINE_CACHE_DIR", str(cache_dir))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(
    *args: str, stdin: bytes | None = None, env_dir: Path
) -> subprocess.CompletedProcess[bytes]:
    environ = {
        **clean_environ(),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{env_dir / 'db' / 'sunshine.db'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        cwd=env_dir,
        env=environ,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_ask_json_on_a_fresh_machine_creates_the_database(env: Path) -> None:
    result = run("ask", "结婚要带什么材料", "--json", env_dir=env)
    assert result.returncode == 0, result.stderr.decode()
    reply = json.loads(result.stdout)
    assert list(reply)[:6] == ["intent", "entry", "aspect", "score", "text", "alternatives"]
    assert (reply["intent"], reply["entry"], reply["aspect"]) == (
        "answer",
        "marriage-registration",
        "materials",
    )
    assert 0 <= reply["score"] <= 1
    assert reply["text"].startswith("结婚带双方身份证")  # the lead first, then the card
    assert "法律依据" in reply["text"] and "内容审核日期" in reply["text"]
    assert (env / "db" / "sunshine.db").exists()


def test_batch_keeps_order_and_names_a_bad_line(env: Path) -> None:
    data = "低保怎么申请\n".encode() + b"\xff\xfe broken\n" + "社保卡丢了\n".encode()
    result = run("ask", "--json", "--batch", "-", stdin=data, env_dir=env)
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [row.get("entry") for row in lines] == ["dibao", None, None]
    assert lines[1]["line"] == 2 and "UTF-8" in lines[1]["error"]
    assert "第 2 行" in result.stderr.decode()
    assert result.returncode == 1


def test_ask_prints_a_readable_answer(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "离婚冷静期几天"]) == 0
    out = capsys.readouterr().out
    lead, heading = out.split("\n\n")[:2]
    assert "30日冷静期" in lead and len(lead) <= 80  # the answer first …
    assert heading.startswith("【婚姻登记")  # … then the card


def test_eval_prints_every_figure(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = env / "set.jsonl"
    labelled.write_text(
        "\n".join(
            json.dumps(row, ensure_ascii=False)
            for row in [
                {
                    "q": "低保怎么申请",
                    "intent": "answer",
                    "entry": "dibao",
                    "aspect": "procedure",
                    "tags": [],
                },
                {
                    "q": "今天天气怎么样",
                    "intent": "none",
                    "entry": None,
                    "aspect": None,
                    "tags": [],
                },
            ]
        ),
        encoding="utf-8",
    )
    assert main(["eval", str(labelled), "--misses"]) == 0
    out = capsys.readouterr().out
    for label in (
        "intent accuracy",
        "entry accuracy (in scope)",
        "strict entry+aspect",
        "out-of-scope abstention",
        "false abstention",
        "per entry",
        "most confused",
        "misses",
    ):
        assert label in out
    assert main(["eval", str(labelled), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["total"] == 2


def test_kb_export_import_history_diff_rollback(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kb", "export", "--format", "json", "-o", "kb.json"]) == 0
    documents = json.loads((env / "kb.json").read_text(encoding="utf-8"))
    dibao = next(d for d in documents if d["id"] == "dibao")
    dibao["aspects"]["fees"] = dibao["aspects"]["fees"] + "\n（测试修改）"
    (env / "kb.json").write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["kb", "import", "kb.json", "--author", "王五"]) == 0
    assert "修改 1 个" in capsys.readouterr().out
    assert main(["kb", "history", "dibao"]) == 0
    history = capsys.readouterr().out
    assert "#2" in history and "王五" in history and "修改 收费(fees)：答复内容" in history
    assert main(["kb", "diff", "dibao", "2"]) == 0
    assert "+" in capsys.readouterr().out
    assert main(["kb", "rollback", "dibao", "1", "--author", "王五"]) == 0
    assert "记为第 3 版" in capsys.readouterr().out


def test_a_bad_import_exits_non_zero_with_locations(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (env / "bad.json").write_text('[{"id": "x"}]', encoding="utf-8")
    assert main(["kb", "import", "bad.json"]) == 1
    err = capsys.readouterr().err
    assert "导入被拒绝" in err and "第 1 个条目（x） 字段 title" in err


def test_kb_check_reports_and_exits_by_findings(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kb", "check"]) == 0
    assert main(["kb", "check", "--today", "2030-01-01"]) == 1
    assert "超过审核期限" in capsys.readouterr().out


def test_unanswered_questions_are_listed_for_staff(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["ask", "量子纠缠的原理是什么"])
    main(["ask", "量子纠缠的原理是什么"])
    capsys.readouterr()
    assert main(["kb", "unanswered"]) == 0
    assert "2 次" in capsys.readouterr().out


def test_db_commands(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "init"]) == 0
    assert "已载入内置知识库" in capsys.readouterr().out
    assert main(["db", "init"]) == 0
    assert "未改动" in capsys.readouterr().out
