# Money: why an amount or a percentage was not accepted (flows/money.py).
# Every message takes $example: a valid input to show.

money-error-empty = Please type an amount, for example { $example }.
money-error-garbage = I couldn't read that as an amount. Type just the number, for example { $example }.
money-error-negative = An amount can't be negative. Type it without the minus sign, for example { $example }.
money-error-too-many-decimals = Amounts have at most two decimals (cents). For example: { $example } or { $example }.50.
money-error-too-large = That amount looks too large to be right. Check the number of digits, for example { $example }.
money-error-zero-price = The price of the order has to be more than zero. For example: { $example }.
money-error-deposit-above-price = The deposit can't be more than the price of the order ({ $example }). Type the deposit again, or 0 if there was none.
money-error-price-below-deposit = The price can't be less than the deposit you received ({ $example }). Type the price again; if it's the deposit that is wrong, you can fix it afterwards.
money-error-percent-garbage = Type the share as a number of percent, for example { $example } or { $example } %.
money-error-percent-range = The share has to be between 1 and 100 percent, for example { $example } %.
money-error-share-needs-price = A percentage needs the price of the order, and I don't have it. Type the amount in money instead, for example { $example }.
money-error-share-above-price = The unusable part can't be worth more than the whole order. Type a smaller amount or a percentage, for example { $example }.
money-error-zero-share = If nothing is unusable, there is nothing to deduct. Type the amount or a percentage, for example { $example }.
