"""Every fixed sentence a resident reads, in one place.

The console chat and the Telegram handlers render these; the knowledge
texts themselves come from the database. Placeholders use str.format names.
"""

from __future__ import annotations

BOT_NAME = "阳光民政咨询助手"

WELCOME = (
    "您好！这里是{bot}，为您查询民政局的办事指南、收费、处罚、经费公开，"
    "也可以反映问题、查找联系电话。\n"
    "直接输入您的问题（如“结婚要带什么材料”“低保怎么申请”），或选择下面的栏目："
)
MENU_HEADING = "请选择栏目："
CATEGORY_HEADING = "【{category}】请选择事项："
ENTRY_HEADING = "【{title}】想了解哪方面？"
CATEGORY_BLURBS: dict[str, str] = {
    "阳光审批": "低保、五保、社团登记、婚姻登记、医疗救助、收养登记的条件、材料和流程",
    "阳光收费": "婚姻登记、收养登记、殡葬服务的收费",
    "阳光处罚": "殡葬管理、民办非企业单位的违规处罚",
    "阳光理财": "民政专项经费和办公经费的收支公开",
    "投诉监督": "反映问题、投诉举报、监督电话",
    "联系我们": "地址、办公时间和各类电话",
}

BASIS_LABEL = "法律依据"
REVIEWED_LABEL = "内容审核日期"
SAMPLE_NOTICE = (
    "⚠️ 本条含示例数据（电话、地址、金额等为演示用，尚未经民政局核实），"
    "请以民政局正式公布的信息为准。"
)
FOLLOWUP_HEADING = "还可以了解："
DID_YOU_MEAN = "您是想问："
CHOOSE_BY_NUMBER = "请回复序号选择，或直接输入新问题。"
CHOOSE_BY_BUTTON = "请点选下面的一项，或直接输入新问题。"

FINANCE_TABLE_HEADING = "{period} 收支（单位：{unit}）"
FINANCE_ROW = "• {item}：预算 {budget}，支出 {spent}（执行率 {rate}）{note}"
FINANCE_TOTAL = "  合计：预算 {budget}，支出 {spent}（执行率 {rate}）"
CONTACT_ROW = "• {name}：{details}"
STEP_ROW = "{number}. {title}{extra}"

HOTLINE_LINE = "如需人工帮助，可拨打民政局监督咨询电话 {phone}，或 12345 政务服务便民热线。"
HOTLINE_FALLBACK = "如需人工帮助，可拨打 12345 政务服务便民热线。"

CANNOT_ANSWER = (
    "抱歉，这个问题我暂时回答不了，已经记录下来转给工作人员完善。\n"
    "我可以回答：低保、五保（特困供养）、社会团体登记、婚姻登记、医疗救助、收养登记的办理，"
    "婚姻、收养、殡葬收费，殡葬和民办非企业单位的处罚，民政经费公开，以及投诉监督和联系电话。"
)
REFERRAL = "这件事不归民政局办理，建议您联系{department}。\n{hint}"
REFERRAL_NO_DEPARTMENT = "{hint}"
OUT_OF_SCOPE_HELP = (
    "我是民政局的咨询助手，可以回答低保、五保、婚姻登记、收养、殡葬、社会组织登记、"
    "医疗救助、经费公开等问题。"
)
SMALLTALK_REPLY = "您好！请直接输入您想咨询的民政业务问题，或回复“菜单”查看栏目。"
COMPLAINT_REPLY = (
    "您是要投诉/反映问题吗？民政局对每件投诉都登记办理、及时反馈（有诉必理、及时反馈）。\n"
    "• 拨打民政局监督咨询电话：{phone}\n"
    "• 或拨打 12345 政务服务便民热线\n"
    "反映问题时请说明：什么事、哪个单位或工作人员、大概时间、您的联系方式（可匿名）。"
    "请不要发送身份证号码等敏感信息。"
)
CONTACT_INTRO = "以下是民政局的联系方式："

CONSOLE_BYE = "感谢使用，再见！"
CONSOLE_PROMPT = "您> "
CONSOLE_HINT = "（输入问题；回复序号选择；“菜单”回到栏目；q 退出）"
EMPTY_INPUT = "请输入您想咨询的问题，例如“低保怎么申请”。"

# --- Telegram ---------------------------------------------------------------------

BUTTON_BACK = "« 返回"
BUTTON_HOME = "🏠 主菜单"
BUTTON_HELPFUL = "👍 有帮助"
BUTTON_UNHELPFUL = "👎 没帮助"
BUTTON_NONE_OF_THESE = "都不是"
HELP = (
    "我是{bot}，可以帮您：\n"
    "• 查办事指南：低保、五保（特困供养）、社会团体登记、婚姻登记、医疗救助、收养登记的"
    "条件、材料、流程、时限、收费和法律依据；\n"
    "• 查收费和处罚：婚姻登记、收养登记、殡葬收费，殡葬管理和民办非企业单位的处罚；\n"
    "• 看经费公开：民政专项经费、办公经费的收支；\n"
    "• 找电话、反映问题。\n\n"
    "直接打字提问就行，错别字、拼音、繁体都能看懂，例如：\n"
    "“结婚要带什么材料”“dibao zenme shenqing”“火化费多少钱”“招待费公开吗”\n\n"
    "命令：/menu 栏目菜单　/contact 联系电话　/help 使用说明"
)
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "开始，显示栏目菜单"),
    ("menu", "栏目菜单"),
    ("contact", "联系电话和办公地址"),
    ("help", "使用说明和提问示例"),
)
FLOOD = "您发送得太快了，请稍后再试。"
NON_TEXT_HINT = (
    "我暂时只能看懂文字。请直接输入您想咨询的问题，例如“低保怎么申请”，或发送 /menu 查看栏目。"
)
UNKNOWN_COMMAND = (
    "没有这个命令。可用的命令：/menu 栏目菜单　/contact 联系电话　/help 使用说明；"
    "也可以直接打字提问。"
)
STALE_BUTTON = "这个按钮已失效，请重新选择。"
VOTE_THANKS = "感谢您的反馈！"
VOTE_ASK_WHY = "哪里不对？可以直接回复这条消息告诉我们（可选），工作人员会据此改进。"
VOTE_COMMENT_THANKS = "谢谢，您的意见已转给工作人员。"
ERROR_REPLY = "抱歉，系统出了点问题，请稍后再试。{hotline}"
CHART_CAPTION = "{title}流程图"
FINANCE_CHART_CAPTION = "{title}：预算与支出"
NO_TOKEN = (
    "没有设置 TELEGRAM_BOT_TOKEN，无法连接 Telegram。\n"
    "1. 在 Telegram 里找 @BotFather，发送 /newbot，按提示起名，得到形如 123456:ABC... 的令牌；\n"
    "2. 把它写进环境变量或 .env 文件：TELEGRAM_BOT_TOKEN=...；\n"
    "3. 再运行 sunshine run。\n"
    "不连 Telegram 也可以先在终端里试用：sunshine chat"
)
OPEN_CHAT_INSTEAD = "现在就在终端里打开 sunshine chat 吗？[Y/n] "

# --- Complaints ---------------------------------------------------------------------

COMPLAINT_CONFIRM = "您是要投诉/反映问题吗？"
BUTTON_COMPLAIN = "✍️ 我要投诉/反映问题"
BUTTON_YES_COMPLAIN = "是，我要反映"
BUTTON_NOT_COMPLAIN = "不是，我是咨询"
BUTTON_SKIP = "跳过"
BUTTON_PHOTOS_DONE = "照片发完了"
BUTTON_SUBMIT = "✅ 确认提交"
BUTTON_EDIT = "✏️ 修改"
BUTTON_CANCEL = "取消"
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
IDENTITY_LABELS: dict[str, str] = {
    "public": "公开",
    "anonymous": "匿名",
    "sealed": "保密身份举报",
}
INTAKE_SUMMARY = "请核对您要提交的内容："
INTAKE_EDIT_WHICH = "要修改哪一项？"
INTAKE_CANCELLED = "已取消，草稿已删除。有需要随时再来。"
INTAKE_NOTHING_TO_CANCEL = "当前没有进行中的操作。"
FIELD_LABELS: dict[str, str] = {
    "what": "事情经过",
    "office": "涉及单位或人员",
    "when": "发生时间",
    "photos": "照片",
    "phone": "联系电话",
    "identity": "身份方式",
}
COMPLAINT_ACK = (
    "已受理您的{kind}，编号 {ticket}。\n"
    "• 工作人员将在 {claim_due} 前认领办理；\n"
    "• 最迟在 {reply_due} 前答复您。\n"
    "发送 /status {ticket} 可随时查看进度，有进展会第一时间告诉您。"
)
STATUS_CARD = "【{ticket}】{state}\n承办单位：{office}\n下一期限：{due}"
STATUS_NONE = "您还没有提交过投诉。"
STATUS_NOT_FOUND = "没有找到这个编号，或者它不是您提交的投诉。"
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
FEEDBACK_SOLVED = "问题解决了吗？"
FEEDBACK_SATISFIED = "您对办理结果满意吗？"
BUTTON_SOLVED = "解决"
BUTTON_UNSOLVED = "未解决"
SATISFACTION_LABELS: dict[str, str] = {
    "satisfied": "满意",
    "basically": "基本满意",
    "unsatisfied": "不满意",
}
FEEDBACK_THANKS = "感谢您的评价！"
FOLLOW_UP_RECORDED = "已记录回访结果。"
CLOSED_SATISFIED = "居民确认解决并满意"
BUTTON_REVIEW = "申请复核"
DIGEST_HEADING = "【汇总】以下通知因群消息较多合并发送："
PHONE_FOLLOW_UP = "【电话回访】投诉 {ticket} 的居民已屏蔽机器人，消息无法送达，请按登记电话回访。"
REPORT_USAGE = "用法：/report 2026-11（不写月份则为本月）"
INTAKE_USAGE = "用法：/intake [联系电话] 投诉内容，例如：/intake 13800000000 低保申请两个月没有答复"
INTAKE_REGISTERED = (
    "已登记电话投诉，编号 {ticket}。认领期限 {claim_due}，答复期限 {reply_due}。"
    "答复审核通过后，群里会出现电话回访任务，回访后在任务上记录居民的评价。"
)
FOLLOW_UP_TASK = (
    "【电话回访】投诉 {ticket}（{why}）\n"
    "答复内容：{reply}\n"
    "联系电话：{phone}\n"
    "请监督咨询电话回访居民，并按居民的回答记录：问题解决了吗？"
)
FOLLOW_UP_WHY: dict[str, str] = {
    "phone": "电话或来访受理，居民没有机器人对话",
    "unreachable": "居民已屏蔽机器人，答复无法送达",
    "silent": "居民 {days} 个工作日内未在机器人中评价",
}
SEALED_PHONE = "保密（仅督查小组可查看）"
FOLLOW_UP_NO_PHONE = "未留电话，无法回访，请直接办结并写明情况"
FOLLOW_UP_SATISFIED = "投诉 {ticket} 电话回访：居民对办理结果满意吗？"
FOLLOW_UP_PREFIX = "电话回访："
BUTTON_SHOW_PHONE = "📞 查看电话"
SHOW_PHONE = "投诉 {ticket} 的联系电话：{phone}（已记入办理记录）"
SHOW_PHONE_NOTE = "查看联系电话（电话回访）"
NO_PHONE = "这件投诉没有留联系电话。"
EXTENSION_REQUEST = "【延期申请】投诉 {ticket}，现答复期限 {due}。理由：{reason}\n请督查小组审批。"
DEADLINE_REMINDER = "⏰ 投诉 {ticket} 的{which}期限（{due}）已过去 {share}%，请{who}抓紧办理。"
DUBAN_NOTICE = "【督办】投诉 {ticket} 已超过{which}期限 {days} 个工作日仍未办结，请{who}督办。"
CLOSED_STILL_UNSATISFIED = "居民重新办理后仍反馈未解决或不满意，请督查小组关注"
FEEDBACK_REOPENED = "已为您重新办理，督查小组会跟进。"
NOT_YOURS = "这不是您的投诉。"
NOT_ALLOWED = "您没有权限进行这个操作。"
KIND_LABELS: dict[str, str] = {"complaint": "投诉", "report": "举报"}
