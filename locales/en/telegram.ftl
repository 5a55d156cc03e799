# Telegram adapter (bot/telegram/): texts only Telegram shows.

# /start in a group or channel: the coach works in private chats only.
tg-group-pointer = I only coach in a private chat, so that your case stays between the two of us. Tap the button below and send /start there.
tg-group-button = Open a private chat

# An edited message is not read again.
tg-edit-ignored = I don't read edited messages. Please send the corrected text as a new message.

# Short notice on a pressed button from an earlier message (callback answer, up to 200 characters).
tg-stale-notice = That button belongs to an earlier step.
# Short notice when a button press could not be handled.
tg-error-retry = Something went wrong. Please try again in a moment.

# Appended to a question after a button was pressed.
tg-chosen = ✓ { $label }

# Inline mode: the button shown when there is no suggested reply yet.
tg-inline-start = No suggested replies yet — open the coach

# The command menu of group chats (setMyCommands); private chats use coach-cmd-*.
tg-command-start-group = Get a link to a private chat with the coach
