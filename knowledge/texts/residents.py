"""What residents read at the enquiry desk: the menu, answer cards, buttons, hints.

The same sentences serve the console chat and Telegram. Placeholders use
`str.format` names; `{approval}`, `{fees}`, `{penalties}`, `{finance}` and
`{services}` are the services of the knowledge base, named by
`knowledge.answering.answers.scope` from the entries themselves, so adding an entry
changes every sentence that says what the desk can answer.
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
# What each menu category holds; {names} lists its entries.
CATEGORY_BLURBS: dict[str, str] = {
    "阳光审批": "{names}的条件、材料和流程",
    "阳光收费": "{names}的收费",
    "阳光处罚": "{names}的违规处罚",
    "阳光理财": "{names}的收支公开",
    "投诉监督": "反映问题、投诉举报、监督电话",
    "联系我们": "地址、办公时间和各类电话",
}
LIST_SEPARATOR = "、"
LIST_MORE = "{names}等 {count} 项"  # a list cut short: the first names, then how many in all

BASIS_LABEL = "法律依据"
REVIEWED_LABEL = "内容审核日期"
SAMPLE_NOTICE = (
    "⚠️ 本条含示例数据（电话、地址、金额等为演示用，尚未经民政局核实），"
    "请以民政局正式公布的信息为准。"
)
FOLLOWUP_HEADING = "还可以了解："
ALSO_ASKED = "您还问到：{label}"  # a long message's second question, offered after the answer
BUTTON_ALSO = "👉 {label}"
DID_YOU_MEAN = "您是想问："
CHOOSE_BY_NUMBER = "请回复序号选择，或直接输入新问题。"
CHOOSE_BY_BUTTON = "请点选下面的一项，或直接输入新问题。"
CHOICE_LABEL = "{title} · {aspect}"
CARD_TITLE = "{title} · {aspect}"
CARD_HEADING = "【{title}】"
META_LINE = "{label}：{value}"
BASIS_SEPARATOR = "；"
SAMPLE_SUFFIX = "（{mark}）"

FINANCE_TABLE_HEADING = "{period} 收支（单位：{unit}）"
FINANCE_ROW = "• {item}：预算 {budget}，支出 {spent}（执行率 {rate}）{note}"
FINANCE_NOTE = "；{note}"
FINANCE_TOTAL = "  合计：预算 {budget}，支出 {spent}（执行率 {rate}）"
CONTACT_ROW = "• {name}：{details}"
CONTACT_DETAIL_SEPARATOR = "；"
STEP_ROW = "{number}. {title}{extra}"
STEP_EXTRA = "（{value}）"
STEP_DETAIL = "：{detail}"
PROCEDURE_HEADING = "【{name}】"

HOTLINE_LINE = "如需人工帮助，可拨打民政局监督咨询电话 {phone}，或 12345 政务服务便民热线。"
HOTLINE_FALLBACK = "如需人工帮助，可拨打 12345 政务服务便民热线。"
NATIONAL_HOTLINE = "12345"
# The contacts entry's line whose name contains this is the supervision hotline.
HOTLINE_NAME_MARK = "监督"

CANNOT_ANSWER = (
    "抱歉，这个问题我暂时回答不了，已经记录下来转给工作人员完善。\n"
    "我可以回答：{approval}的办理，{fees}的收费，{penalties}的处罚，{finance}的公开，"
    "以及投诉监督和联系电话。"
)
REFERRAL = "这件事不归民政局办理，建议您联系{department}。\n{hint}"
REFERRAL_NO_DEPARTMENT = "{hint}"
OUT_OF_SCOPE_HELP = "我是民政局的咨询助手，可以回答{services}等问题。"
SMALLTALK_REPLY = "您好！请直接输入您想咨询的民政业务问题，或回复“菜单”查看栏目。"
# By kind (knowledge/data/lexicon.yaml smalltalk_kinds); a greeting gets SMALLTALK_REPLY.
SMALLTALK_REPLIES: dict[str, str] = {
    "thanks": "不客气！还有其他问题，随时问我。",
    "goodbye": "再见！有需要随时来问。",
    "ack": "好的。还有其他问题，直接输入就行；回复“菜单”查看栏目。",
}
COMPLAINT_TITLE = "投诉监督"
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
CONSOLE_MENU_ROW = "{number}. {category}：{blurb}"
CONSOLE_PICK_RANGE = "请输入 1 到 {count} 之间的序号。"
# Words that quit the console chat or show its menu again.
CONSOLE_QUIT_WORDS = frozenset({"q", "quit", "exit", "退出", "再见"})
CONSOLE_MENU_WORDS = frozenset({"菜单", "menu", "0", "主菜单", "/start", "/menu"})
EMPTY_INPUT = "请输入您想咨询的问题，例如“低保怎么申请”。"

# --- Telegram ---------------------------------------------------------------------

BUTTON_BACK = "« 返回"
BUTTON_HOME = "🏠 主菜单"
BUTTON_HELPFUL = "👍 有帮助"
BUTTON_UNHELPFUL = "👎 没帮助"
BUTTON_NONE_OF_THESE = "都不是"
HELP = (
    "我是{bot}，可以帮您：\n"
    "• 查办事指南：{approval}的条件、材料、流程、时限、收费和法律依据；\n"
    "• 查收费和处罚：{fees}的收费，{penalties}的处罚；\n"
    "• 看经费公开：{finance}的收支；\n"
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
VOTE_PLACEHOLDER = "哪里不对？"
VOTE_COMMENT_THANKS = "谢谢，您的意见已转给工作人员。"
ERROR_REPLY = "抱歉，系统出了点问题，请稍后再试。{hotline}"
ERROR_HOTLINE = "如需帮助请拨打 {phone}"
CHART_CAPTION = "{title}流程图"
FINANCE_CHART_CAPTION = "{title}：预算与支出"

# --- what the charts say (drawn into the images residents see) ----------------------------

CHART_ACTOR = "办理：{actor}"
CHART_TIME_LIMIT = "时限：{limit}"
CHART_FLOW_TITLE = "{title}办理流程"
CHART_SPENT = "{amount}（{rate:.0%}）"
NOTE_SEPARATOR = "；"
CHART_FINANCE_SUFFIX = "收支"
CHART_AMOUNT = "金额（{unit}）"
CHART_BUDGET = "预算"
CHART_SPENT_LEGEND = "支出（执行率）"
CHART_PERIOD = "{period}（{note}）"
CHART_SAMPLE_FOOTER = "{mark}：金额为演示用，尚未经民政局核实"
