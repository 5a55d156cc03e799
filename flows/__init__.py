"""The platform-neutral product: case, machine, coach, money, drafts, i18n (no I/O)."""
