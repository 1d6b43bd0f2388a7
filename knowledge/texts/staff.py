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
REPORT_NAME_MASK = "某某"  # a resident's name, blotted out of the briefing
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
CLI_EXAMPLE_ASK = 'Example: sunshine ask "结婚要带什么材料" --json'
CLI_EXAMPLE_IMPORT = "Example: sunshine kb import kb.xlsx --author 张三"
CLI_HELP_REPORT = "the monthly complaint report (简报)"
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
CLI_MODEL_STALE = (
    "注意：匹配模型是用修改前的知识库训练的。新的别名、示例问题要生效，请运行 "
    "sunshine train（约两分钟），然后重启机器人。"
)
CLI_MODEL_MISSING_ENTRY = (
    "注意：匹配模型还不认识条目 {ids}，在运行 sunshine train 之前，这些条目只靠关键词匹配。"
)
CLI_SHIPPED_SOURCE = "随版本发布的知识库"
CLI_SHIPPED_KEPT = (
    "以下条目工作人员改过，没有用新版本覆盖（请用 sunshine kb diff 对照后手工合并）："
)
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
# `sunshine db backup/restore` against a server database: its own tools do that.
CLI_BACKUP_NOT_SQLITE = (
    "sunshine db backup / restore 只用于默认的 SQLite 数据库文件。"
    "当前 DATABASE_URL 指向 {backend} 数据库，请使用数据库自带的工具备份和恢复，"
    "例如 PostgreSQL 备份：pg_dump -Fc -f sunshine.dump 数据库名；"
    "恢复：pg_restore -d 数据库名 sunshine.dump。"
)
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

# --- importing a knowledge file (the workbook's own headers are in knowledge/base/transfer.py) --

KB_UNKNOWN_FORMAT = "无法识别文件格式：{file}（支持 .json、.yaml、.xlsx）"
KB_FILE = "文件"
KB_NOT_VALID = "不是有效的 {format}：{error}"
KB_NOT_A_LIST = "顶层应当是条目的列表"
KB_NTH_ENTRY = "第 {number} 个条目"
KB_ENTRY_ID = "（{id}）"
KB_FIELD = "{where} 字段 {field}"
KB_WHOLE = "（整体）"
KB_ENTRY = "条目 {id}"
KB_DUPLICATE_ID = "条目ID重复"
KB_HEADER_ROW = "工作表“{sheet}”第 1 行"
KB_MISSING_HEADER = "缺少表头“{header}”"
KB_CELL = "工作表“{sheet}”第 {row} 行 {column} 列（{header}）"
KB_EMPTY = "不能为空"
KB_YES_NO = "应填“{yes}”或“{no}”，而不是“{value}”"
KB_NUMBER = "应当是数字，而不是“{value}”"
KB_UNKNOWN_ASPECT = "未知的方面“{value}”，可选：{choices}"
KB_NOT_EXCEL = "不是有效的 Excel 工作簿：{error}"
KB_MISSING_SHEETS = "缺少工作表：{sheets}"
KB_REPEATED_ID = "条目ID“{id}”重复"
KB_UNKNOWN_CATEGORY = "未知的分类“{value}”"
KB_UNKNOWN_MENU = "未知的菜单“{value}”"
KB_DATE = "日期应写成 YYYY-MM-DD，而不是“{value}”"
KB_NO_SUCH_ENTRY = "“{sheet}”表中没有条目“{id}”"
KB_REPEATED_ASPECT = "方面“{aspect}”重复"
KB_KIND = "应填“{alias}”或“{question}”"
KB_STEPS_TOGETHER = "流程“{name}”的步骤应当连续排列，不要被其他流程隔开"
KB_ONE_UNIT = "同一条目的单位应当一致（前面是“{unit}”）"
KB_ONE_SAMPLE_FLAG = "同一条目的“示例数据”应当一致"
KB_ENTRY_FIELD = "条目“{id}”（工作表“{sheet}”第 {row} 行） 字段 {field}"
KB_GUIDE_LINES: tuple[str, ...] = (
    "阳光民政咨询助手 知识库工作簿",
    "",
    "每个工作表一类内容，每行一项。第一行是表头，请不要修改表头和工作表名称。",
    "“条目ID”把各表的行连到同一个条目，只能用小写字母、数字和连字符。",
    "“答复内容”：每个条目的每个方面一行；“要点”是放在最前面、直接回答最常见问题的一句话（不超过80字）；“法律依据”每行写一条（法规名称＋条号）。",
    "“别名与问题”：类型选“别名”或“示例问题”；示例问题可以填所属方面，也可以留空。",
    "多条内容写在同一格时，每条占一行（Alt+Enter 换行）。来源写成“标题 | 网址”。",
    "本地没有核实的数据（电话、地址、金额）请标“含示例数据＝是”，答复会提示居民。",
    "改好后运行：sunshine kb import 文件名.xlsx --author 你的名字",
    "导入前会先检查整个文件，有问题会指出工作表、行和列，数据库不会有任何改动。",
)

# --- `sunshine kb check` --------------------------------------------------------------------

CHECK_ASPECT = "{label}({aspect})"
CHECK_STEP = "流程“{name}”第 {number} 步"
CHECK_SEPARATOR = "；"
CHECK_STATED = "{where}写 {value}{unit}"
CHECK_TWO_FIGURES = "“{word}”出现不同的数字：{listed}。如果确属不同事项，请写明区别。"
CHECK_STEP_LIMIT = "步骤时限“{limit}”在“时限”说明中没有出现，请核对两处是否一致。"
CHECK_FINANCE_ROW = "收支 {period} {item}"
CHECK_FINANCE_TWICE = "同一期间、同一项目有两行不同的数字。"
CHECK_CONTACT = "联系方式 {name}"
CHECK_TWO_PHONES = "同一名称有不同的电话：{phones}"
CHECK_REVIEWED = "最近审核日期"
CHECK_STALE = "上次审核是 {reviewed}（{age} 天前），超过 {days} 天，请复核后更新日期。"
CHECK_NO_BASIS = "没有写法律依据（法规名称＋条号）。"
CHECK_REVIEW_NOTE = "待核实事项"

# --- revisions of the knowledge base ----------------------------------------------------------

KB_NO_ENTRY = "没有条目 {id}"
KB_NO_REVISIONS = "没有条目 {id} 的修订记录"
KB_NO_REVISION = "条目 {id} 没有第 {revision} 版"
KB_CHANGE_NEW = "新建条目"
KB_CHANGE_ADDED = "新增方面 {aspect}"
KB_CHANGE_REMOVED = "删除方面 {aspect}"
KB_CHANGE_ASPECT = "修改 {aspect}：{parts}"
KB_CHANGE_FIELD = "修改{field}"
KB_PART_TEXT = "答复内容"
KB_PART_BASIS = "法律依据"
KB_PART_QUESTIONS = "示例问题"
KB_PART_SAMPLE = "示例数据标记"
# An entry's fields, as a change to them is described.
KB_FIELDS: dict[str, str] = {
    "title": "名称",
    "category": "分类",
    "menus": "菜单",
    "aliases": "别名",
    "questions": "示例问题",
    "sources": "来源",
    "last_reviewed": "审核日期",
    "synonyms": "同义词",
    "procedures": "办理流程",
    "finance": "收支数据",
    "contacts": "联系方式",
    "review_notes": "待核实事项",
}
EVAL_NOT_LABELLED = "{file} 第 {number} 行不是有效的标注：{error}"

# --- charts ---------------------------------------------------------------------------------

CHART_NO_PROCEDURE = "条目 {entry} 没有办理流程，无法画流程图"
CHART_NO_FINANCE = "条目 {entry} 没有收支数据，无法画收支图"
CHART_NO_FONT = (
    "没有找到中文字体，无法画图。请运行 `bash scripts/system-deps.sh`，"
    "或安装 Debian 软件包 fonts-wqy-microhei（apt-get install fonts-wqy-microhei）。"
)
CLI_DB_COPY_NOT_EMPTY = "目标数据库已有数据（表 {table}），请换一个空数据库。"
CLI_DB_COPIED = (
    "已复制 {rows} 行到目标数据库（{tables} 张表）。把 DATABASE_URL 改为目标数据库即可使用。"
)
