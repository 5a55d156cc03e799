# The terminal chat (bot/console.py). Plain text.

console-welcome = Rejection Coach in your terminal. Pick an option by typing its number or its label, type /help for the commands, and press Ctrl-D to leave — your case is kept for next time.
console-goodbye = Bye for now. Your case is saved: start the chat again to pick up where you left off.
console-reminder = Reminder
console-error = Something went wrong on our side. Your answers are safe — please try again.
console-no-database = Cannot open the database ({ $reason }). Check DATABASE_URL.
