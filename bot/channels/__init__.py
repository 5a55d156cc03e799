"""The platforms the coach talks on: one folder per channel."""
