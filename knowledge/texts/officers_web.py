"""What the back office's complaint pages say: the queue, a complaint, the monthly report.

The names of states, actions, roles, channels and deadlines are the Telegram card's
(`knowledge.texts.staff`), so an officer reads the same words in both places; only
what a web page needs beyond them (filters, headings, form labels) is here.
"""

from __future__ import annotations

# --- the queue -------------------------------------------------------------------------------

QUEUE_TITLE = "投诉办理"
FILTER_LEGEND = "筛选"
FILTER_STATE = "状态"
FILTER_CATEGORY = "类别"
FILTER_ASSIGNEE = "承办人"
FILTER_OVERDUE = "只看逾期"
FILTER_APPLY = "筛选"
FILTER_RESET = "清除筛选"
STATE_OPEN = "全部未办结"
STATE_ALL = "全部（含已办结）"
CATEGORY_ANY = "全部类别"
ASSIGNEE_ANY = "全部"
ASSIGNEE_MINE = "我的"
ASSIGNEE_NONE = "未认领"
QUEUE_COUNT = "共 {count} 件"
QUEUE_TRUNCATED = "（只显示前 {count} 件，请用筛选缩小范围）"
QUEUE_NONE = "没有符合条件的投诉。"
COLUMNS: tuple[str, ...] = ("编号", "类别", "类型", "状态", "期限", "承办", "渠道")

# --- due dates in working days -------------------------------------------------------------

DUE_LEFT = "剩余 {days:g} 个工作日"
DUE_OVERDUE = "逾期 {days:g} 个工作日"
DUE_LINE = "{deadline}期限 {date}"
DUE_NONE = "—"
ASSIGNEE_TELEGRAM = "Telegram 用户 {id}"
ASSIGNEE_WEB = "{name}（网页）"

# --- one complaint ---------------------------------------------------------------------------

DETAIL_TITLE = "投诉 {ticket}"
BACK_TO_QUEUE = "返回投诉列表"
SECTION_CASE = "投诉内容"
SECTION_HISTORY = "办理记录"
SECTION_ACTIONS = "办理操作"
NO_ACTIONS = "当前状态下您没有可进行的操作。"
FIELD_STATE = "状态"
FIELD_KIND = "类型"
FIELD_CATEGORY = "类别"
FIELD_CHANNEL = "渠道"
FIELD_IDENTITY = "身份"
FIELD_SUMMARY = "内容"
FIELD_NAMED_OFFICE = "涉及"
FIELD_HAPPENED = "时间"
FIELD_PHOTOS = "照片"
FIELD_PHOTOS_COUNT = "{count} 张（在 Telegram 群的投诉卡片中查看）"
FIELD_NAME = "姓名"
FIELD_PHONE = "联系电话"
FIELD_DUE_CLAIM = "认领期限"
FIELD_DUE_REPLY = "答复期限"
FIELD_RUNNING = "当前期限"
FIELD_OFFICE = "承办科室"
FIELD_ASSIGNEE = "承办人"
FIELD_DRAFT = "待审核答复"
FIELD_REPLY = "已发出的答复"
FIELD_RESULT = "办结结果"
FIELD_EXTENSION = "待审批的延期申请"
FIELD_EXTENSION_USED = "已延期"
YES = "是"
CONTACT_HIDDEN = "（仅有权限的工作人员可查看）"
SEALED_HIDDEN = "保密（仅督查小组可查看）"
PHONE_AUDITED = "查看电话已记入审计日志。"
HISTORY_COLUMNS: tuple[str, ...] = (
    "时间（北京时间）",
    "角色",
    "操作人",
    "操作",
    "状态变化",
    "说明",
)
STATE_CHANGE = "{before} → {after}"

# --- actions -----------------------------------------------------------------------------------

# The label of the words an action needs (keyed by Action values; see lifecycle.NEEDS_WORDS).
WORDS_LABELS: dict[str, str] = {
    "transfer": "转办理由",
    "note": "内部备注（居民看不到）",
    "draft_reply": "给居民的答复（督查小组审核后发出）",
    "close": "办结结果",
    "return_reply": "退回理由",
    "request_extension": "申请延期的理由（督查小组批准后生效）",
    "refuse_extension": "不同意延期的理由",
}
TRANSFER_OFFICE = "转办给哪个科室"
DONE = "{ticket} 已{action}。"
REPLAYED = "这项操作已经提交过，没有重复办理。"
FORM_EXPIRED = "表单已失效，请刷新页面后重试。"
UNKNOWN_ACTION = "没有这项操作。"

# --- the monthly report ------------------------------------------------------------------------

REPORT_TITLE = "月度报告"
REPORT_MONTH = "月份"
REPORT_SHOW = "查看"
REPORT_DOWNLOAD = "下载 Excel 工作簿"
REPORT_CHART_ALT = "投诉办理月报 {month}：按状态和按类别的件数"
REPORT_FIGURES_HEADING = "时效与质量"
REPORT_OVERDUE_COLUMNS: tuple[str, ...] = (
    "编号",
    "状态",
    "逾期环节",
    "期限",
    "逾期工作日",
    "类别",
    "承办科室",
)
REPORT_COUNT_COLUMNS: tuple[str, ...] = ("名称", "件数")
REPORT_FILE = "complaints-{month}.xlsx"
