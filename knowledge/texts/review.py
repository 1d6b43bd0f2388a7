"""What the back office's knowledge pages say: editing, review, uploads, unanswered questions.

The pages' fixed labels stand in their templates (handlers/web/templates/staff/knowledge);
every sentence the code composes or decides is here.
"""

from __future__ import annotations

STATE_NAMES: dict[str, str] = {
    "pending": "待审核",
    "approved": "已发布",
    "returned": "已退回",
    "superseded": "已被取代",
}

# --- proposing and deciding ------------------------------------------------------------------
NOTHING_CHANGED = "没有任何改动，无需提交审核。"
SUMMARY_NONE = "（无可描述的改动）"
SUMMARY_LEADS = "修改要点：{aspects}"
REPLACED_BY_NEWER = "作者提交了更新的版本。"
SUPERSEDED_BY = "同一条目的修改 #{id} 已发布，本修改基于旧版本，请在最新内容上重新提交。"
NO_CHANGE = "没有编号为 {id} 的修改。"
NO_SET = "这批修改已全部处理，或不存在。"
NOT_PENDING = "修改 #{id} 已处理（{state}），不能再审核。"
OWN_CHANGE = "不能审核自己提交的修改，请由另一位审核员批准。"
STALE = "修改 #{id} 提交后条目已被改动，批准会覆盖他人的修改；请退回，由作者在最新内容上重新提交。"
RETURN_NEEDS_REASON = "退回需要填写原因，作者会在“我的提交”中看到。"
APPROVAL_SOURCE = "审核 #{id} by {reviewer}"
NO_SUCH_ASPECT = "条目没有这个方面：{aspect}"
SUBMITTED = "已提交审核（修改 #{id}）。审核通过前，机器人和公开页面仍使用已发布的内容。"
APPROVED = "已批准发布修改 #{id}，机器人和公开页面已使用新内容。"
APPROVED_SET = "已批准发布这批 {count} 项修改，机器人和公开页面已使用新内容。"
RETURNED = "已退回修改 #{id}。"
FIX_ERRORS = "有 {count} 处需要修改，尚未保存任何内容。"

FIELD_LEAD = "{aspect} · 要点"
FIELD_TEXT = "{aspect} · 答复内容"
FIELD_BASIS = "{aspect} · 法律依据"
FIELD_QUESTIONS = "{aspect} · 示例问题"

# Validation messages by pydantic's error type (the `ctx` values fill the braces).
VALIDATION: dict[str, str] = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "最多 {max_length} 个字",
    "too_short": "至少需要 {min_length} 行",
    "float_parsing": "请填写数字",
    "float_type": "请填写数字",
    "greater_than_equal": "不能小于 {ge}",
    "string_pattern_mismatch": "格式不正确",
}
VALIDATION_OTHER = "内容不符合要求：{msg}"

# --- workbook upload -------------------------------------------------------------------------
UPLOAD_NONE = "请选择要上传的 Excel 工作簿（.xlsx）。"
UPLOAD_TOO_BIG = "文件太大（上限 {limit} MB）。"
UPLOAD_NO_CHANGES = "工作簿与已发布的内容完全相同，没有需要审核的修改。"
UPLOAD_LOST = "没有收到要提交的工作簿，请重新上传。"

# --- unanswered questions --------------------------------------------------------------------
GROUP_GONE = "这组问题已处理，或已有新的提问改变了分组，请刷新页面。"
AUDIT_GROUP = "{count} 种问法 {detail}"
REFER_NEEDS_DEPARTMENT = "请填写应转介的部门。"
DECISION_NAMES: dict[str, str] = {
    "example": "已作为示例问题提交审核",
    "refer": "不属本局职责，转介",
    "dismiss": "已忽略",
}

# What a page says after an action redirected to it, by the key in its address.
NOTICES: dict[str, str] = {
    "submitted": SUBMITTED,
    "uploaded": "已将 {count} 个条目的修改作为一批提交审核。",
    "approved": APPROVED,
    "set": APPROVED_SET,
    "returned": RETURNED,
    "dismissed": "已忽略这组问题。",
    "referred": "已记录转介的部门，这组问题不再列出。",
    "example": "已提交审核：把这组问题加为示例问题（修改 #{id}）。",
}
UNKNOWN_ACTION = "未知的操作。"
CHOOSE_ASPECT = "请选择条目和方面。"
