# Проследяването след „Готово“, как завършват случаите и /stats (FLOW.md стъпка 9, задача 15).

## При „Готово“: кога да попитам как е минало

outcome-when-prompt = След { $days ->
        [one] { $days } ден
       *[other] { $days } дни
    } ще те попитам как е минало. { $where } Искаш ли по-рано, по-късно или изобщо да не питам?
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

outcome-no-answer = Клиентите често просто мълчат — хората са заети, а мълчанието рядко означава „не“. Едно кратко и любезно напомняне обикновено помага. Ето едно, което можеш да изпратиш направо:
outcome-negotiating = Не усложнявай: обобщи писмено докъде сте се разбрали и предложи една конкретна следваща стъпка с дата.
outcome-negotiating-redo = Преди да започнеш новото изпълнение, потвърди писмено критериите за приемане: какво точно се променя, до кога и как ще разбереш, че работата е приета. Едно кратко съобщение сега спестява втори отказ после.
outcome-negotiating-share = Още не са приели { $percent }. Имай наум резервен вариант — { $fallback_percent } от цената ({ $fallback }), долната граница на справедливото — и го предложи веднъж, спокойно, като последна отстъпка.
outcome-negotiating-deposit = Още не са приели дела. Справедлив резервен вариант: задържаш капарото ({ $deposit }), никой не дължи нищо повече и се разделяте с добро.
outcome-escalated = Поеми дълбоко въздух — вече става дума за процедура, а не за битка, а своята част ти я свърши добре. Първо събери доказателствата: целият случай е по-долу като Markdown; пази го заедно със заданието, съобщенията и предадените файлове. Ако работите през Upwork или Fiverr, използвай процедурата за спорове на самата платформа (Upwork: спор от страницата на договора, после медиация; Fiverr: Resolution Center) и отговаряй в сроковете ѝ.
outcome-not-legal-advice = Аз съм коуч, не юрист: ако е пристигнало писмо от адвокат, покажи го на юрист, преди да отговориш.
outcome-agreed = Чудесна новина — браво, че запази спокойствие и говори ясно. Отбелязах, че сте постигнали съгласие.
outcome-parted = Раздялата при ясни условия също е добър край. Отбелязах, че сте се разделили.
outcome-clause-again = За следващия договор — ето пак клаузата. С нея следващ такъв разговор ще е много по-кратък.
outcome-again = Ще попитам пак след { $days ->
        [one] { $days } ден
       *[other] { $days } дни
    }.
outcome-saved = Запазено. Ще го намериш в /cases и /stats.

outcome-amount-prompt = Колко получи или задържа в крайна сметка? Напиши сумата (напр. 800 или 800 €) или пропусни.
outcome-amount-kept = Записах: { $amount }.
outcome-note-prompt = Искаш ли да си запишеш нещо за това как мина? Един ред — или пропусни.
outcome-note-kept = Записах.
outcome-thanks = Благодаря, че ми каза. С /stats виждаш как са завършили случаите ти; напиши каквото и да е, за да започнеш нов.

## В /cases и /export

outcome-label-agreed = постигнато съгласие
outcome-label-negotiating = още в преговори
outcome-label-no-answer = още без отговор
outcome-label-parted = раздяла
outcome-label-escalated = спор
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
outcome-stats-ended = Докъде стигнаха:
outcome-stats-agreed = постигнато съгласие: { $count }
outcome-stats-parted = раздяла: { $count }
outcome-stats-escalated = спор: { $count }
outcome-stats-negotiating = още в преговори: { $count }
outcome-stats-no-answer = още без отговор: { $count }
outcome-stats-unreported = приключени, без отбелязан изход: { $count }
outcome-stats-active = още отворени: { $count }
outcome-stats-cancelled = прекратени: { $count }
outcome-stats-money = Получени или задържани суми: { $amounts }
outcome-stats-money-none = Получени или задържани суми: още няма отбелязани.
outcome-stats-days = { $count ->
    [one] От началото на случая до развръзката обикновено минава { $days } ден.
   *[other] От началото на случая до развръзката обикновено минават { $days } дни.
}
outcome-stats-days-under-one = От началото на случая до развръзката обикновено минава по-малко от ден.
outcome-stats-private = Тук се броят само твоите случаи. /delete ги изтрива всички.
