"""What the web pages and the back office say (public pages, login, accounts, review).

The Telegram texts stay in `residents`, `complaints` and `staff`; the web reuses
them wherever it says the same thing (state names, action labels, aspect labels).
"""

from __future__ import annotations

SITE_NAME = "阳光民政咨询助手"
BUREAU_NAME = "旗民政局"

# --- accounts and sign-in -------------------------------------------------------------------
ROLE_NAMES: dict[str, str] = {
    "editor": "编辑",
    "reviewer": "审核员",
    "officer": "承办人员",
    "supervisor": "督查小组",
    "admin": "管理员",
}
LOGIN_FAILED = "用户名或密码不正确。"
LOGIN_LOCKED = "登录失败次数过多，请{minutes}分钟后再试。"
LOGIN_THROTTLED = "尝试次数过多，请稍后再试。"
ACCOUNT_EXISTS = "账号 {username} 已存在。"
ACCOUNT_UNKNOWN = "没有账号 {username}。"
ACCOUNT_BAD_NAME = "用户名只能用字母、数字、点、下划线和短横线，2到60个字符。"
PASSWORD_TOO_SHORT = "密码至少要{length}个字符。"
PASSWORD_EMPTY = "没有读到密码（--password-stdin 从标准输入读一行）。"
ACCOUNT_ADDED = "已添加账号 {username}（{role}）。"
ACCOUNT_DISABLED = "已停用账号 {username}，其登录已全部退出。"
ACCOUNT_ENABLED = "已启用账号 {username}。"
ACCOUNT_RESET = "已重设账号 {username} 的密码，其登录已全部退出。"
ACCOUNTS_NONE = (
    "还没有后台账号。添加第一个管理员：sunshine staff add admin --role admin --password-stdin"
)
FORBIDDEN = "您的账号没有这项权限。"
CSRF_FAILED = "页面已过期或来源不明，请刷新页面后重试。"

# --- pages and menus ------------------------------------------------------------------------
NOT_FOUND_TITLE = "页面不存在"
NOT_FOUND = "没有找到这个页面。"
ERROR_TITLE = "出错了"
ERROR = "系统暂时出了问题，请稍后再试。"
ACCOUNT_STATE = {False: "启用", True: "停用"}  # by `disabled`
MENU = {
    "/staff/": "工作台",
    "/staff/entries": "知识库",
    "/staff/reviews": "待审核",
    "/staff/unanswered": "未答问题",
    "/staff/complaints": "投诉办理",
    "/staff/report": "月度报告",
    "/staff/accounts": "账号与审计",
}
