"""What the public web pages say (home, chat, service guides, checklists, complaint figures).

Sentences the bot already says (the sample-data notice, the legal-basis label, state
names, action labels) are imported from `residents`, `complaints` and `staff` rather
than written twice, so the web and the bot never disagree.
"""

from __future__ import annotations

from knowledge.texts import complaints as _complaints
from knowledge.texts import residents as _residents
from knowledge.texts import staff as _staff

# --- shared with the bot ----------------------------------------------------------------------
SAMPLE_NOTICE = _residents.SAMPLE_NOTICE
BASIS_LABEL = _residents.BASIS_LABEL
REVIEWED_LABEL = _residents.REVIEWED_LABEL
FOLLOWUP_HEADING = _residents.FOLLOWUP_HEADING
DID_YOU_MEAN = _residents.DID_YOU_MEAN
EMPTY_INPUT = _residents.EMPTY_INPUT
STATE_NAMES = _staff.STATE_NAMES
ACTION_LABELS = _staff.ACTION_LABELS
SUBMIT_LABEL = _staff.SUBMIT_LABEL
OTHER_CATEGORY = _staff.OTHER_CATEGORY
KIND_LABELS = _complaints.KIND_LABELS
REPORT_FIGURES = _staff.REPORT_FIGURES

# --- home and chat ----------------------------------------------------------------------------
HOME_TITLE = "首页"
HOME_INTRO = (
    "为您查询民政局的办事指南、收费、处罚、经费公开，也可以了解怎样反映问题、查找联系电话。"
)
CATEGORIES_HEADING = "栏目"
CHAT_HEADING = "在线咨询"
CHAT_LABEL = "请输入您的问题"
CHAT_HINT = "例如“结婚要带什么材料”“低保怎么申请”“火化费多少钱”。"
CHAT_BUTTON = "提问"
CHAT_YOU_ASKED = "您的问题：{question}"
CHAT_TOO_LONG = "问题太长了，请控制在{limit}个字以内。"
CHOOSE_LINK = "请点选下面的一项，或直接输入新问题。"
ALSO_LINK = "您还问到：{label}"
OPEN_GUIDE = "查看完整办事指南"
COMPLAINT_INVITE = (
    "您也可以在本局的 Telegram 咨询助手中选择“投诉监督”栏目在线反映，提交后会得到投诉编号，"
    "可随时在本网站查询办理进度。"
)
REFERRAL_DEPARTMENT = "建议联系的部门：{department}"
STATUS_HEADING = "查询投诉办理进度"
STATUS_LABEL = "投诉编号（如 TS20261125-0007）"
STATUS_BUTTON = "查询"
STATS_LINK = "查看每月投诉办理情况统计"
CONTACTS_LINK = "联系电话和办公地址"

# --- the service guide ------------------------------------------------------------------------
GUIDE_NAME = "名称"
# The programme's names for the sections of a service guide, keyed by `Aspect` values.
GUIDE_LABELS: dict[str, str] = {
    "overview": "内容",
    "basis": "依据",
    "conditions": "条件",
    "procedure": "程序",
    "time_limit": "时限",
    "method": "办理方式",
    "materials": "申报材料",
    "fees": "收费标准",
    "penalties": "处罚",
    "finance": "收支",
}
GUIDE_TITLE = "{title} · 办事指南"
GUIDE_CONTENTS = "本页目录"
FLOW_CAPTION = "{name}流程图"
FLOW_DESC = "共{count}步：{steps}"
FLOW_STEP = "第{number}步 {title}"
FLOW_STEP_SEPARATOR = "；"
FLOW_LIST_HEADING = "{name}步骤（文字版）"
STEP_ACTOR = "办理：{actor}"
STEP_TIME_LIMIT = "时限：{limit}"
FINANCE_CAPTION = "{period} 收支（单位：{unit}）"
FINANCE_COLUMNS = ("项目", "预算", "支出", "执行率", "备注")
FINANCE_TOTAL = "合计"
FINANCE_CHART_CAPTION = "{period} 预算与支出（单位：{unit}）"
FINANCE_CHART_DESC = "{item}：预算 {budget}，支出 {spent}，执行率 {rate}"
FINANCE_BUDGET = "预算"
FINANCE_SPENT = "支出"
CHECKLIST_LINK = "打印一次性告知材料清单"
SECTION_SAMPLE = "本部分含示例数据，请以民政局正式公布的信息为准。"

# --- the checklist ----------------------------------------------------------------------------
CHECKLIST_TITLE = "{title} · 一次性告知材料清单"
CHECKLIST_INTRO = "请按清单逐项准备，备齐后打勾。材料以办理窗口告知为准。"
CHECKLIST_MATERIALS = "需要准备的材料"
CHECKLIST_NOTES = "说明"
CHECKLIST_WHERE = "到哪里办、什么时候办"
CHECKLIST_PRINT = "打印清单"
CHECKLIST_PRINT_HINT = "也可以使用浏览器菜单中的“打印”功能（快捷键 Ctrl+P）。"
CHECKLIST_BACK = "返回办事指南"

# --- complaint figures ------------------------------------------------------------------------
STATS_TITLE = "投诉办理情况 {month}"
STATS_INTRO = "每月公开投诉办理情况。统计只含件数和比例，不含任何个人信息。"
STATS_MONTH_LABEL = "选择月份"
STATS_MONTH_BUTTON = "查看"
STATS_EMPTY = "本月暂无投诉。"
STATS_TOTAL = "本月受理：{count} 件"
STATS_BY_STATE = "按办理状态"
STATS_BY_CATEGORY = "按事项类别"
STATS_QUALITY = "时效与质量"
STATS_OVERDUE = "逾期未办：{count} 件"
STATS_COLUMNS_STATE = ("状态", "件数")
STATS_COLUMNS_CATEGORY = ("类别", "件数")
STATS_COLUMNS_FIGURE = ("项目", "数值")
STATS_PREVIOUS = "上个月"
STATS_NEXT = "下个月"
STATS_AS_OF = "统计截至 {at}（北京时间）"
STATS_NOTE = "比例在没有可计算的投诉时显示为“—”。"
STATS_CHART_DESC = "{label}：{count} 件"
STATS_BAD_MONTH = _staff.REPORT_MONTH_FORMAT

# --- complaint status -------------------------------------------------------------------------
STATUS_TITLE = "投诉 {ticket} 办理进度"
STATUS_STATE = "当前状态"
STATUS_CATEGORY = "事项类别"
STATUS_KIND = "类型"
STATUS_CREATED = "受理日期"
STATUS_CLAIMED = "认领日期"
STATUS_REPLIED = "答复日期"
STATUS_CLOSED = "办结日期"
STATUS_DUE = "下一期限"
STATUS_STEPS = "办理步骤"
STATUS_STEP = "{action}，状态：{state}"
STATUS_NOT_FOUND = "没有找到这个投诉编号，请核对后再试。"
STATUS_RATE_LIMITED = "查询太频繁了，请稍后再试。"
STATUS_PRIVACY = "为保护隐私，这里不显示投诉内容、姓名和电话。答复内容请在收到通知的渠道查看。"

# --- API errors -------------------------------------------------------------------------------
API_EMPTY_QUESTION = "请提供问题参数 q，例如 /api/ask?q=低保怎么申请"
API_TOO_LONG = "问题太长了，请控制在{limit}个字以内。"
API_NOT_FOUND = STATUS_NOT_FOUND
API_RATE_LIMITED = STATUS_RATE_LIMITED

# --- errors -----------------------------------------------------------------------------------
ENTRY_NOT_FOUND = "没有找到这个事项。"
NO_CHECKLIST = "这个事项没有需要申报的材料。"
PAGE_NOT_FOUND_TITLE = "页面不存在"
BAD_REQUEST_TITLE = "无法完成"
BACK_HOME = "返回首页"
CONTACT_COLUMNS = ("名称", "电话", "办公时间", "地址", "说明")
