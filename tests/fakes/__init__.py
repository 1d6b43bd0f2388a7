"""Fakes of the services the bot talks to, served for real on 127.0.0.1."""
