"""What `sunshine run --webhook` says to the operator when it cannot start."""

from __future__ import annotations

WEBHOOK_NO_SECRET = (
    "Webhook 模式需要设置 TELEGRAM_WEBHOOK_SECRET（1 到 256 个字母、数字、下划线或短横线），"
    "否则任何人都能冒充 Telegram 向机器人发送消息。"
)
WEBHOOK_BAD_URL = (
    "Webhook 地址 {url} 不可用：应当是 https://域名/路径 这样的完整地址，且带一个路径"
    "（例如 https://minzheng.example.gov.cn/telegram/webhook），网页与 Webhook 共用一个端口，"
    "按路径区分。"
)
