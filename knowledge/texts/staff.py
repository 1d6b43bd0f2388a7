"""What staff read: officers' cards, prompts, reminders and refusals, reports, the command line.

Officers, the supervision group (督查小组) and clerks at the command line read
these; residents never do (their wording is in `knowledge.texts.residents` and
`knowledge.texts.complaints`).
"""

from __future__ import annotations

# --- names of things (keyed by the enum values of knowledge.complaints.vocabulary) -----

STATE_NAMES: dict[str, str] = {
    "received": "已受理",
    "claimed": "办理中",
    "reply_review": "答复审核中",
    "replied": "已答复",
    "reopened": "重新办理",
    "closed": "已办结",
    "withdrawn": "已撤回",
}
ACTION_LABELS: dict[str, str] = {
    "claim": "认领",
    "transfer": "转办",
    "note": "内部备注",
    "draft_reply": "回复",
    "approve_reply": "审核通过",
    "return_reply": "退回",
    "request_extension": "申请延期",
    "approve_extension": "批准延期",
    "refuse_extension": "不同意延期",
    "feedback": "评价",
    "reopen": "重新办理",
    "review": "申请复核",
    "close": "办结",
    "withdraw": "撤回",
}
SUBMIT_LABEL = "提交"
ROLE_LABELS: dict[str, str] = {
    "resident": "居民",
    "hotline": "监督电话",
    "handler": "承办人",
    "supervisor": "督查小组",
    "leader": "督查组长",
    "system": "系统",
}
CHANNEL_LABELS: dict[str, str] = {
    "telegram": "机器人",
    "phone": "电话",
    "in_person": "来访",
    "web": "网页",
}
DEADLINE_NAMES: dict[str, str] = {"claim": "认领期限", "reply": "答复期限"}
DEADLINE_SHORT: dict[str, str] = {"claim": "认领", "reply": "答复"}
DEFAULT_HANDLING_OFFICE = "承办科室"
HOTLINE_OFFICE = "民政局监督咨询办公室"
OTHER_CATEGORY = "其他"
LIST_SEPARATOR = "、"
NONE_MARK = "—"
ERASED = "（个人信息已按保存期限删除）"

# --- the officers' card ------------------------------------------------------------------

CARD_HEADING = "【{ticket}】{kind} · {state}"
CARD_CHANNEL = "渠道：{channel}　身份：{identity}"
CARD_SUMMARY = "内容：{summary}"
CARD_OFFICE_NAMED = "涉及：{office}"
CARD_HAPPENED = "时间：{when}"
CARD_PHOTOS = "照片：{count} 张"
CARD_PHONE = "电话：{phone}"
CARD_DUE = "认领期限：{claim}　答复期限：{reply}"
CARD_HANDLER = "承办：{office}"
CARD_DRAFT = "待审核答复：{reply}"
CARD_FLAGGED = "⚠️ 请督查小组关注"
CARD_RECONSIDER = "居民申请复核，请督查小组关注"
CARD_REOPENED = "居民反馈未解决或不满意，已重新办理"
CARD_TOO_LONG = "……（全文见 /ticket {ticket}）"
CLOSED_SATISFIED = "居民确认解决并满意"
CLOSED_STILL_UNSATISFIED = "居民重新办理后仍反馈未解决或不满意，请督查小组关注"

# --- prompts and confirmations --------------------------------------------------------

# What the officer is asked to type for an action that needs words (keyed by Action values).
PROMPTS: dict[str, str] = {
    "transfer": "请回复这条消息：转办给哪个科室，以及理由（格式：科室：理由）。",
    "note": "请回复这条消息，写下内部备注（居民看不到）。",
    "draft_reply": "请回复这条消息，写下给居民的答复（督查小组审核后发出）。",
    "close": "请回复这条消息，写下办结结果。",
    "return_reply": "请回复这条消息，写下退回答复的理由。",
    "request_extension": "请回复这条消息，写下申请延期的理由（督查小组批准后生效）。",
    "refuse_extension": "请回复这条消息，写下不同意延期的理由。",
}
PROMPT = "{ticket} · {action}\n{prompt}"
TRANSFER_SEPARATOR = "："
DONE = "{ticket} 已{action}。"
PRESSED = "已{action}"
EXTENSION_REQUEST = "【延期申请】投诉 {ticket}，现答复期限 {due}。理由：{reason}\n请督查小组审批。"
EXTENSION_DECIDED = "{request}\n（{decision}）"

# --- refusals ------------------------------------------------------------------------------

NOT_ALLOWED = "您没有权限进行这个操作。"
NOT_YOUR_PROMPT = "这条提问是问另一位工作人员的，请在投诉卡片上点按钮办理。"
REFUSED_ROLE = "您的身份不能{action}。"
REFUSED_STATE = "投诉当前状态为“{state}”，不能{action}。"
REFUSED_REASON = "{action}需要填写理由。"
REFUSED_EMPTY_REPLY = "答复内容不能为空。"
REFUSED_SECOND_EXTENSION = "每件投诉只能延期一次。"
REFUSED_LATE_EXTENSION = "延期须在答复期限届满前申请。"
REFUSED_EXTENSION_DAYS = "延期最多 {days} 个工作日。"
REFUSED_NO_EXTENSION_REQUEST = "没有待审批的延期申请。"
REFUSED_SECOND_REOPEN = "这件投诉已经重新办理过一次，请拨打监督电话。"
REFUSED_SECOND_RECONSIDER = "每件投诉只能申请一次复核。"
REFUSED_LATE_RECONSIDER = "办结 {days} 天内才能申请复核。"
REFUSED_OVERRIDE_RESIDENT = "居民已在机器人中评价过这次答复，回访不能更改；如需结案请直接办结。"
REFUSED_NOT_FOUND = "没有找到编号为 {ticket} 的投诉。"

# --- phone 回访, reminders and 督办 --------------------------------------------------------

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
FOLLOW_UP_SATISFIED = "投诉 {ticket} 电话回访：居民对办理结果满意吗？"
FOLLOW_UP_PREFIX = "电话回访："
FOLLOW_UP_RECORDED = "已记录回访结果。"
FOLLOW_UP_NO_PHONE = "未留电话，无法回访，请直接办结并写明情况"
PHONE_FOLLOW_UP = "【电话回访】投诉 {ticket} 的居民已屏蔽机器人，消息无法送达，请按登记电话回访。"
SEALED_PHONE = "保密（仅督查小组可查看）"
BUTTON_SHOW_PHONE = "📞 查看电话"
SHOW_PHONE = "投诉 {ticket} 的联系电话：{phone}（已记入办理记录）"
SHOW_PHONE_NOTE = "查看联系电话（电话回访）"
NO_PHONE = "这件投诉没有留联系电话。"
DEADLINE_REMINDER = "⏰ 投诉 {ticket} 的{which}期限（{due}）已过去 {share}%，请{who}抓紧办理。"
DUBAN_NOTICE = "【督办】投诉 {ticket} 已超过{which}期限 {days} 个工作日仍未办结，请{who}督办。"
REMINDER_ASSIGNEE = "承办人"
REMINDER_ON_DUTY = "值班人员"
DUBAN_WHO = "督查小组"
DIGEST_HEADING = "【汇总】以下通知因群消息较多合并发送："
DIGEST_ROW = "• {text}"

# --- officers' commands --------------------------------------------------------------------

QUEUE_HEADING = "待办投诉"
QUEUE_ROW = "{ticket} {state} 答复期限 {due}"
QUEUE_EMPTY = "没有待办投诉。"
TICKET_HISTORY = "办理记录："
TICKET_EVENT = "{at} {role} {action}{reason}"
TICKET_REASON = "（{reason}）"
TICKET_SEALED_IDENTITY = "举报人（仅督查小组可见）：{name}"
INTAKE_USAGE = "用法：/intake [联系电话] 投诉内容，例如：/intake 13800000000 低保申请两个月没有答复"
INTAKE_REGISTERED = (
    "已登记电话投诉，编号 {ticket}。认领期限 {claim_due}，答复期限 {reply_due}。"
    "答复审核通过后，群里会出现电话回访任务，回访后在任务上记录居民的评价。"
)
REPORT_USAGE = "用法：/report 2026-11（不写月份则为本月）"
REPORT_CAPTION = "投诉办理月报 {month}"

# --- the monthly report ----------------------------------------------------------------------

REPORT_HEADING = "📊 投诉办理月报 {month}"
REPORT_AS_OF = "统计截至 {at}（北京时间）"
REPORT_TOTAL = "本月受理：{count} 件"
REPORT_BY_STATE = "【按状态】"
REPORT_BY_CATEGORY = "【按类别】"
REPORT_QUALITY = "【时效与质量】"
REPORT_OVERDUE = "【逾期未办】{count} 件"
REPORT_COUNT = "{name}：{count} 件"
REPORT_FIGURE = "{label}：{value}"
REPORT_NONE = "（无）"
REPORT_AND_MORE = "…等 {count} 件"
REPORT_WORKDAYS = "{days:.1f} 个工作日"
REPORT_OVERDUE_ROW = "• {ticket} {state}，{deadline}至 {due}，已逾期 {days:.1f} 个工作日"
REPORT_FIGURES: dict[str, str] = {
    "claim_on_time": "按时认领率",
    "reply_on_time": "按时答复率",
    "handling_avg": "平均办理时长",
    "handling_p90": "90% 办结用时不超过",
    "reopened": "重新办理（含复核）率",
    "solved": "解决率",
    "satisfied": "满意率（满意＋基本满意）",
}
REPORT_SHEETS: dict[str, tuple[str, ...]] = {
    "概况": ("项目", "数值", "说明"),
    "按状态": ("状态", "件数"),
    "按类别": ("类别", "件数"),
    "逾期": ("编号", "状态", "逾期环节", "期限（截至当日）", "逾期工作日", "类别", "承办科室"),
    "办理记录": (
        "编号",
        "时间（北京时间）",
        "角色",
        "操作人（化名）",
        "操作",
        "原状态",
        "新状态",
        "说明",
    ),
}
# The summary sheet: a row per figure, (label, how it is counted).
REPORT_SUMMARY: dict[str, tuple[str, str]] = {
    "month": ("月份", ""),
    "as_of": ("统计截至（北京时间）", ""),
    "total": ("本月受理（件）", "按受理时间（北京时间）计入当月"),
    "claim_on_time": ("按时认领率", "已认领的投诉中，在认领期限内认领的比例"),
    "reply_on_time": ("按时答复率", "已答复的投诉中，在答复期限内答复的比例"),
    "handling_avg": ("平均办理时长（工作日）", "已办结的投诉，受理到办结"),
    "handling_p90": ("90% 办结用时不超过（工作日）", "最近秩法"),
    "reopened": ("重新办理（含复核）率", "已答复的投诉中，重新办理或复核的比例"),
    "solved": ("解决率", "居民评价中，表示已解决的比例"),
    "satisfied": ("满意率", "居民评价中，满意或基本满意的比例"),
    "overdue": ("逾期未办（件）", "统计时仍未办结且已过期限"),
}
REPORT_MONTH_FORMAT = "月份应写成 YYYY-MM（例如 2026-11），而不是“{month}”"
REPORT_CHART_TITLE = "投诉办理月报 {month}"
REPORT_CHART_BY_STATE = "按状态（共 {count} 件）"
REPORT_CHART_BY_CATEGORY = "按类别（共 {count} 件）"
REPORT_CHART_EMPTY = "（本月无投诉）"

# --- settings ------------------------------------------------------------------------------

# Full-width punctuation staff may type in a setting, and what it stands for.
TYPED_PUNCTUATION = str.maketrans({"，": ",", "：": ":", "；": ";"})
SETTING_BAD = "配置有误：{variable}={value!r} 不能使用，{need}。"
# What a setting needs to be, by the kind of validation error.
SETTING_NEEDS: dict[str, str] = {
    "int_parsing": "应当是整数",
    "int_from_float": "应当是整数",
    "float_parsing": "应当是数字",
    "bool_parsing": "应当是 true 或 false",
    "literal_error": "可选值：DEBUG、INFO、WARNING、ERROR",
    "value_error": "请检查取值（不能为负数，部分设置须大于 0）",
    "hotline_officers": "应当是用逗号分隔的 Telegram 用户 id，例如 111,222",
    "supervisors": "应当是用逗号分隔的 Telegram 用户 id，例如 111,222",
    "handling_officers": "应当写成“用户id:科室”，用逗号分隔，例如 333:社会救助股",
}

LIMITS_UNREADABLE = "时限文件 {file} 无法读取：{error}"
LIMITS_UNKNOWN = "时限文件 {file} 的“{section}”有不认识的项：{keys}"
LIMITS_TOO_SMALL = "时限文件 {file} 的“{section}”：各项时限至少为 1"

# --- the knowledge base at the command line ---------------------------------------------

IMPORT_REJECTED = "导入被拒绝，数据库未作任何改动（共 {count} 处问题）：\n{problems}"
IMPORT_MORE = "\n  ……另有 {count} 处"

# --- the `sunshine` command ---------------------------------------------------------------

CLI_NAME = "阳光民政咨询助手 Sunshine Desk"
CLI_ERROR = "sunshine: {message}"
CLI_CANNOT_READ = "无法读取 {source}：{error}"
CLI_ASK_WHAT = '请给出问题，例如：sunshine ask "低保怎么申请"'
CLI_BAD_LINE = "第 {number} 行不是有效的 UTF-8 文本，已跳过"
CLI_PROGRESS = "\r已处理 {done}/{total}"
CLI_XLSX_TO_FILE = "xlsx 是二进制文件，请用 -o 文件名.xlsx 指定输出文件"
CLI_EXPORTED = "已导出到 {file}"
CLI_IMPORTED = "{verb}新建 {created} 个、修改 {changed} 个条目，{unchanged} 个没有变化。"
CLI_IMPORT_DONE, CLI_IMPORT_WOULD = "已", "将"
CLI_DRY_RUN = "（试运行，数据库未改动）"
CLI_SAME_AS_BEFORE = "（这一版与上一版相同）"
CLI_ROLLBACK_SAME = "{entry} 当前内容已与第 {revision} 版相同，未产生新版本。"
CLI_ROLLED_BACK = "已把 {entry} 恢复为第 {revision} 版的内容（记为第 {newest} 版）。"
CLI_CHECK_KINDS: dict[str, str] = {
    "stale": "超过审核期限",
    "missing-basis": "缺少法律依据",
    "contradiction": "可能互相矛盾",
    "review-note": "待核实事项",
}
CLI_CHECK_HEADING = "{title}（{count}）"
CLI_CHECK_ROW = "  [{entry}] {where}：{message}"
CLI_CHECK_TOTAL = "\n共 {count} 个问题（审核期限 {days} 天）。"
CLI_NO_UNANSWERED = "还没有未能回答的问题。"
CLI_UNANSWERED_ROW = "{count:>4} 次  {last:%Y-%m-%d}  {text}{guess}"
CLI_UNANSWERED_GUESS = "  （最接近：{entry} {score:.2f}）"
CLI_DB_READY = "数据库已就绪，已载入内置知识库。"
CLI_DB_KEPT = "数据库已就绪（知识库已存在，未改动）。"
CLI_DB_SCHEMA = "数据库结构：{before} → {after}"
CLI_DB_EMPTY = "（空）"
CLI_BACKED_UP = "已备份到 {file}（{kb:.0f} KB）"
CLI_RESTORED = "已从 {file} 恢复数据库。"
CLI_YES = frozenset({"", "y", "yes", "是", "好"})
CLI_NO_VOTES = "还没有反馈。"
CLI_VOTE_ROW = "{at:%Y-%m-%d %H:%M} {vote} {where}  问：{question}{comment}"
CLI_VOTE_COMMENT = "  意见：{comment}"
CLI_NO_COMPLAINTS = "没有投诉。"
CLI_COMPLAINT_ROW = "{ticket}  {state:<10} {category:<24} 答复期限 {due}  {channel}"
CLI_ERASED = "已删除 {count} 件办结超过 {days} 天的投诉中的个人信息。"
CLI_WROTE = "已写入 {file}"
CLI_NO_COMPLAINT = "没有找到投诉 {ticket}"
CLI_NO_ENTRY = "没有条目 {entry}；现有条目：{entries}"
CLI_NAME_THE_BOT = "请用 --bot 用户名（或 SUNSHINE_BOT_USERNAME）说明机器人的用户名"
CLI_QR = "{file}  →  {link}"
NO_TOKEN = (
    "没有设置 TELEGRAM_BOT_TOKEN，无法连接 Telegram。\n"
    "1. 在 Telegram 里找 @BotFather，发送 /newbot，按提示起名，得到形如 123456:ABC... 的令牌；\n"
    "2. 把它写进环境变量或 .env 文件：TELEGRAM_BOT_TOKEN=...；\n"
    "3. 再运行 sunshine run。\n"
    "不连 Telegram 也可以先在终端里试用：sunshine chat"
)
OPEN_CHAT_INSTEAD = "现在就在终端里打开 sunshine chat 吗？[Y/n] "
