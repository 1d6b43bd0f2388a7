"""What residents read about their complaints: the intake, the ticket, every step, the rating.

The officers' wording is in `knowledge.texts.staff`: an officer never reads a
sentence written to the resident ("等待您的评价").
"""

from __future__ import annotations

COMPLAINT_CONFIRM = "您是要投诉/反映问题吗？"
BUTTON_COMPLAIN = "✍️ 我要投诉/反映问题"
BUTTON_YES_COMPLAIN = "是，我要反映"
BUTTON_NOT_COMPLAIN = "不是，我是咨询"
BUTTON_SKIP = "跳过"
BUTTON_PHOTOS_DONE = "照片发完了"
BUTTON_SUBMIT = "✅ 确认提交"
BUTTON_EDIT = "✏️ 修改"
BUTTON_CANCEL = "取消"

# --- the intake -------------------------------------------------------------------

INTAKE_PRIVATE_ONLY = "为保护您的隐私，请私聊我提交投诉。"
INTAKE_WHAT = (
    "请说说发生了什么事（可以分几句写清楚）。\n"
    "⚠️ 请不要发送身份证号码、银行卡号等敏感信息。随时发送 /cancel 取消。"
)
INTAKE_WHAT_TOO_SHORT = "请多写几句，说明是什么事，方便工作人员办理。"
INTAKE_OFFICE = "涉及哪个单位、科室或工作人员？（可选，不清楚可以跳过）"
INTAKE_WHEN = "大概是什么时候的事？（可选，例如“11月20日上午”）"
INTAKE_PHOTOS = "有照片可以发过来（最多 {limit} 张，可选）。发完或没有照片，请点“照片发完了”。"
INTAKE_PHOTO_SAVED = "已收到第 {count} 张照片。"
INTAKE_PHONE = "留个联系电话吗？方便工作人员回访（可选，可以跳过）。"
INTAKE_PHONE_INVALID = "电话号码格式不对，请输入 11 位手机号或带区号的座机号，或点“跳过”。"
INTAKE_IDENTITY = (
    "请选择身份方式：\n"
    "• 公开：工作人员可以看到您的称呼，便于联系；\n"
    "• 匿名：不保存您的姓名，只通过本对话告诉您办理结果；\n"
    "• 保密身份举报：举报工作人员违纪等问题时使用，您的身份只有督查小组可见。"
)
INTAKE_SUMMARY = "请核对您要提交的内容："
SUMMARY_ROW = "• {field}：{value}"
SUMMARY_EMPTY = "（未填）"
SUMMARY_PHOTOS = "{count} 张"
INTAKE_EDIT_WHICH = "要修改哪一项？"
INTAKE_CANCELLED = "已取消，草稿已删除。有需要随时再来。"
INTAKE_NOTHING_TO_CANCEL = "当前没有进行中的操作。"
NOT_A_COMPLAINT = "您好！请直接输入您想咨询的民政业务问题，或回复“菜单”查看栏目。"

# Keyed by `Identity` values.
IDENTITY_LABELS: dict[str, str] = {
    "public": "公开",
    "anonymous": "匿名",
    "sealed": "保密身份举报",
}
# Keyed by the intake's `Step` values.
FIELD_LABELS: dict[str, str] = {
    "what": "事情经过",
    "office": "涉及单位或人员",
    "when": "发生时间",
    "photos": "照片",
    "phone": "联系电话",
    "identity": "身份方式",
}
# Keyed by `Kind` values: 投诉, or a 举报 of misconduct made with a sealed identity.
KIND_LABELS: dict[str, str] = {"complaint": "投诉", "report": "举报"}

# --- the ticket and its steps -------------------------------------------------------

COMPLAINT_ACK = (
    "已受理您的{kind}，编号 {ticket}。\n"
    "• 工作人员将在 {claim_due} 前认领办理；\n"
    "• 最迟在 {reply_due} 前答复您。\n"
    "发送 /status {ticket} 可随时查看进度，有进展会第一时间告诉您。"
)
DATE = "{year}年{month}月{day}日"
# The resident's own view of each state (keyed by `State` values).
STATE_LABELS: dict[str, str] = {
    "received": "已受理，等待分派",
    "claimed": "办理中",
    "reply_review": "答复审核中",
    "replied": "已答复，等待您的评价",
    "reopened": "重新办理中",
    "closed": "已办结",
    "withdrawn": "已撤回",
}
STATUS_CARD = "【{ticket}】{state}\n承办单位：{office}\n下一期限：{due}"
STATUS_NO_OFFICE = "待分派"
STATUS_CLAIM_DUE = "{date}前认领"
STATUS_REPLY_DUE = "{date}前答复"
STATUS_NO_DUE = "—"
STATUS_NONE = "您还没有提交过投诉。"
STATUS_NOT_FOUND = "没有找到这个编号，或者它不是您提交的投诉。"
# A public step of a complaint, told to the resident (keyed by `Action` values).
STEP_NOTICES: dict[str, str] = {
    "claim": "您的投诉 {ticket} 已分派给{office}办理。",
    "transfer": "您的投诉 {ticket} 已转交{office}办理。",
    "approve_extension": "您的投诉 {ticket} 需要更多时间办理，答复期限延至 {due}。原因：{reason}",
    "approve_reply": "您的投诉 {ticket} 已有答复：\n\n{reply}",
    "reopen": "已为您重新办理投诉 {ticket}，新的答复期限为 {due}。",
    "review": "已受理您对投诉 {ticket} 的复核申请，新的答复期限为 {due}。",
    "close": (
        "您的投诉 {ticket} 已办结。感谢您的监督！"
        "如对结果有异议，可在 {review_days} 天内申请复核（一次）。"
    ),
    "withdraw": "您的投诉 {ticket} 已撤回。",
}
DEFAULT_OFFICE = "承办科室"
NO_REASON = "—"

# --- the rating ------------------------------------------------------------------------

RATE_SOLVED = "问题解决了吗？"
RATE_SATISFIED = "您对办理结果满意吗？"
BUTTON_SOLVED = "解决"
BUTTON_UNSOLVED = "未解决"
# Keyed by `Satisfaction` values.
SATISFACTION_LABELS: dict[str, str] = {
    "satisfied": "满意",
    "basically": "基本满意",
    "unsatisfied": "不满意",
}
RATING_THANKS = "感谢您的评价！"
RATING_ANSWER = "{question}{answer}"
BUTTON_RECONSIDER = "申请复核"
RECONSIDER_THANKS = "已收到您的复核申请。"
NOT_YOURS = "这不是您的投诉。"
