"""The web adapter: public 阳光政务 pages, web chat, and the back office (`/staff/`).

Like the Telegram handlers, the views only translate: a request in, a domain call,
a template out. Every rule they apply lives in `knowledge`.
"""
