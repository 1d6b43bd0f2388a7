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
    "我暂时只能看懂文字。请直接输入您想咨询的问题，例如“低保怎么申请”，"
    "或发送 /menu 查看栏目。"
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
