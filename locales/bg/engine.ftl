# The engine's own replies (bot/engine): what the pipeline says outside the coach's steps.

# The database refused a value of the message (e.g. characters it cannot store).
engine-input-rejected = Не успях да запазя това съобщение: в него има знаци, които не мога да съхраня. Напиши го отново като обикновен текст.
