# The terminal chat (bot/console.py). Plain text.

console-welcome = Rejection Coach in your terminal. Pick an option by typing its number or its label, type /help for the commands, /copy to save the latest draft to a file, and press Ctrl-D to leave — your case is kept for next time.
console-goodbye = Bye for now. Your case is saved: start the chat again to pick up where you left off.
console-goodbye-erased = Bye. Nothing about you is stored any more.
console-copy-hint = Type /copy to save this text to a file.
console-copied = Saved to { $path }
console-copied-clipboard = It is on the clipboard too.
console-copy-none = There is no text to copy yet.
console-copy-failed = I couldn't write the file. Select the text between the lines and copy it instead.
console-reminder = Reminder
console-error = Something went wrong on our side. Your answers are safe — please try again.
console-no-database = Cannot open the database ({ $reason }). Check DATABASE_URL.
