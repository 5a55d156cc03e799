# The engine's own replies (bot/engine): what the pipeline says outside the coach's steps.

# The database refused a value of the message (e.g. characters it cannot store).
engine-input-rejected = I couldn't save that message: it contains characters I can't store. Please type it again as plain text.
