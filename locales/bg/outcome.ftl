# Проследяването след „Готово“, как завършват случаите и /stats (FLOW.md стъпка 9, задача 15).

## При „Готово“: кога да попитам как е минало

outcome-when-prompt = След 3 дни ще те попитам как е минало. { $where } Искаш ли по-рано, по-късно или изобщо да не питам?
outcome-btn-in-2-days = След 2 дни
outcome-btn-in-a-week = След седмица
outcome-btn-dont-ask = Не питай
outcome-will-ask-2d = Добре — ще те попитам след 2 дни.
outcome-will-ask-7d = Добре — ще те попитам след седмица.
outcome-wont-ask = Добре, няма да питам. С /stats виждаш случаите си, когато поискаш.

## Проследяването

outcome-ask = Как мина? Отговори ли клиентът?
outcome-ask-named = Как мина? Отговори ли { $client }?
outcome-ask-or-start = Или напиши /start, за да започнеш нов случай.
outcome-btn-agreed = Съгласиха се
outcome-btn-negotiating = Още преговаряме
outcome-btn-no-answer = Още няма отговор
outcome-btn-parted = Разделихме се
outcome-btn-escalated = Стигна се до спор
outcome-btn-skip = Пропусни

outcome-no-answer = Мълчанието е често — хората са заети и рядко означава „не“. Едно кратко и любезно напомняне обикновено помага. Ето едно, което можеш да изпратиш така, както е:
outcome-negotiating = Дръж нещата прости: обобщи писмено за какво сте се разбрали досега и предложи една конкретна следваща стъпка с дата.
outcome-negotiating-redo = Преди да започнеш новото изпълнение, потвърди писмено критериите за приемане: какво точно се променя, до кога и как ще ти кажат, че е прието. Едно кратко съобщение сега спестява втори отказ после.
outcome-negotiating-share = Още не са приели { $percent }. Дръж готов един резервен вариант — { $fallback_percent } от цената ({ $fallback }), долната граница на справедливото — и го предложи веднъж, спокойно, като последна стъпка към тях.
outcome-negotiating-deposit = Още не са приели дела. Справедлив резервен вариант: задържаш капарото ({ $deposit }), нищо повече не се дължи и се разделяте добре.
outcome-escalated = Поеми си дълбоко въздух — това вече е процедура, не битка, а своята част ти вече свърши добре. Първо събери доказателствата: целият случай е по-долу като Markdown; пази го заедно със заданието, съобщенията и предадените файлове. В Upwork или Fiverr използвай процедурата за спорове на самата платформа (Upwork: спор от страницата на договора, после медиация; Fiverr: Resolution Center) и отговаряй в сроковете ѝ.
outcome-not-legal-advice = Аз съм коуч, не юрист: ако е пристигнало писмо от адвокат, покажи го на юрист, преди да отговориш.
outcome-agreed = Чудесна новина — браво, че запази спокойствие и яснота. Отбелязах, че сте постигнали съгласие.
outcome-parted = Раздялата при ясни условия също е добър край. Отбелязах, че сте се разделили.
outcome-clause-again = За следващия договор — ето пак клаузата. С нея следващ такъв разговор ще е много по-кратък.
outcome-again = Ще попитам пак след 3 дни.
outcome-saved = Запазено. Ще го намериш в /cases и /stats.

outcome-amount-prompt = Колко всъщност получи или задържа накрая? Напиши сумата (напр. 800 или 800 €) или пропусни.
outcome-amount-kept = Записах: { $amount }.
outcome-note-prompt = Нещо, което да запомниш за това как мина? Един ред или пропусни.
outcome-note-kept = Записах.
outcome-thanks = Благодаря, че ми каза. С /stats виждаш как са завършили случаите ти; напиши каквото и да е, за да започнеш нов.

## В /cases и /export

outcome-label-agreed = съгласиха се
outcome-label-negotiating = още преговаряте
outcome-label-no-answer = още няма отговор
outcome-label-parted = разделихте се
outcome-label-escalated = стигна се до спор
outcome-history-line = { $number }. { $client } — { $status }, { $outcome }
outcome-field-outcome = Как завърши
outcome-field-amount = Получено или задържано
outcome-field-date = Отбелязано на
outcome-field-note = Бележка

## /stats

outcome-stats-title = Твоите случаи досега
outcome-stats-empty = Още нямаш случаи. Напиши каквото и да е, за да започнеш.
outcome-stats-cases = { $count ->
    [one] 1 случай
   *[other] { $count } случая
}
outcome-stats-ended = Как завършиха:
outcome-stats-agreed = съгласиха се: { $count }
outcome-stats-parted = разделихте се: { $count }
outcome-stats-escalated = стигна се до спор: { $count }
outcome-stats-negotiating = още преговаряте: { $count }
outcome-stats-no-answer = още няма отговор: { $count }
outcome-stats-unreported = приключени, без отбелязан изход: { $count }
outcome-stats-active = в процес: { $count }
outcome-stats-cancelled = прекратени: { $count }
outcome-stats-money = Задържани или получени пари: { $amounts }
outcome-stats-money-none = Задържани или получени пари: още няма отбелязани.
outcome-stats-days = { $count ->
    [one] Обичайно време от първото съобщение до развръзката (медиана): { $days } ден
   *[other] Обичайно време от първото съобщение до развръзката (медиана): { $days } дни
}
outcome-stats-days-under-one = Обичайно време от първото съобщение до развръзката (медиана): под един ден
outcome-stats-private = Тук се броят само твоите случаи. /delete ги изтрива всички.
