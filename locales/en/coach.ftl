# The coach's own words (flows/coach.py, flows/prompts.py, flows/machine.py).
# Every step has coach-<step>-prompt: its question (checked when the machine is built).

## Step prompts

coach-start-prompt = Hi! I help when a client rejects work you have already delivered. In a few minutes you'll be calmer, know your next move and have a reply ready to send.
    I'm a coach, not a lawyer — nothing here is legal advice. /delete erases everything I have stored about you.
coach-calm-prompt = First things first: a rejection hurts, and that's normal. It does not mean your work is bad, that the client is being difficult, or that the collaboration is over. Most often it means just one thing — at the start the two of you didn't understand each other well enough. That can be cleared up.

    How are you feeling right now?
coach-cool-down-prompt = Take your time. Write here whatever is on your mind, or choose when we continue.
coach-client-name-prompt = Let's gather the facts. Any of them can be skipped — the suggested reply simply leaves out what I don't know.

    What is the client's name or company?
coach-contact-name-prompt = What is the first name of your contact person there? The reply can then greet them by name.
coach-delivery-prompt = What did you deliver? Write it as you'd finish the sentence “Thank you for your feedback on …” — for example “the logo and business cards” or “the texts for five web pages”.
coach-client-said-prompt = What exactly did the client say? Paste their message if you have it — their own words help us find the real problem.
coach-intermediary-prompt = Do you work with the client directly, or is someone in between?
coach-intermediary-contact-prompt = What is the first name of your contact there — the person at the agency, or the colleague who brought you the job? It's optional; with it the reply greets them by name.
coach-channel-prompt = How have you been in touch so far?
coach-currency-prompt = Which currency is the order in?
coach-price-prompt = What is the price of the order? Write it with its currency.
coach-price-example = For example: { $example }.
coach-price-example-any = For example: “1,200.50 EUR”, “€500”, “1,200 BGN” or “$300”. Without a currency I'll take euros.
coach-deposit-prompt = How much did you receive as a deposit? For example: 400.
coach-talk-prompt = Have you arranged a call or a meeting?
coach-call-fact-prompt = { $language ->
        [bg] The message asking for the call is in Bulgarian, but this is in English
       *[en] The message asking for the call is in English, but this is in Bulgarian
    } ({ $fact }): “{ $value }”. Write it in { $language ->
        [bg] Bulgarian
       *[en] English
    } — or skip to leave it out of the message.
coach-call-name-prompt = The message asking for the call is in English. How is “{ $value }” written in Latin letters? Skip, and the message goes without the name.
coach-talk-waiting-prompt = Once you have talked, tell me how it went.
coach-problem-prompt = After talking to them — what turned out to be the problem?
coach-problem-details-prompt = Want to add details? One or two sentences on what has to change — they go into the suggested reply.
coach-problem-details-hint-direct = Write them as you would say them to the client, for example “you'd like warmer colours and more white space”.
coach-problem-details-hint-via = The reply goes to { $kind ->
        [agency] the agency
       *[freelancer] your colleague
    }, so write about the client in the third person, for example “the client would like warmer colours and more white space”.
coach-solution-prompt = Can you give them what they want now?
coach-deadline-prompt = Is there a new deadline? Type it, for example “by 15 March” or “in 5 working days”, or skip.
coach-payment-prompt = Who pays for the work done so far? Pick the option that matches your situation.
coach-payment-confirm-prompt = Let me check one thing before the reply.
coach-payment-confirm-continue = You said you'd part ways — so you continue together after all?
coach-payment-confirm-part-ways = You said you'd redo the work — so you part ways after all?
coach-kill-fee-share-prompt = For work that was done but won't be used, 30–50% of the price usually stays with the freelancer. How much should stay with you?
coach-kill-fee-other-prompt = Type the share in percent, from 1 to 100 — for example 35.
coach-kill-fee-agreed-prompt = Was this share agreed in your contract or offer?
coach-continue-mode-prompt = You continue working together. What happens with the part they won't use?
coach-unusable-prompt = How much of the work can't be used? In percent of the price (for example 25%) or as an amount (for example 150).
coach-reply-prompt = Want a different tone, the other language or changed facts? Or are we done?
coach-edit-facts-prompt = Which fact do you want to change?
coach-done-prompt = Case closed. Here is the summary:
coach-current-answer = Your answer so far: “{ $answer }”. Type a new one to change it.

## Buttons

coach-btn-begin = Let's begin
coach-btn-calm = I'm calm, let's go
coach-btn-upset = I'm still upset
coach-btn-remind-15 = Remind me in 15 min
coach-btn-remind-60 = Remind me in 1 hour
coach-btn-ready = I'm ready now
coach-btn-skip = Skip
coach-btn-leave-out = Skip — leave it out
coach-btn-keep = Keep my answer
coach-btn-direct = Client directly
coach-btn-agency = Through an agency
coach-btn-freelancer = Through another freelancer
coach-btn-writing = Only in writing
coach-btn-calls = Calls or meetings too
coach-btn-currency-eur = EUR
coach-btn-currency-bgn = BGN
coach-btn-currency-usd = USD
coach-btn-currency-gbp = GBP
coach-btn-no-deposit = No deposit
coach-btn-call-arranged = Call arranged
coach-btn-follow-up = Remind me to follow up
coach-btn-talked-now = We've talked already
coach-btn-problem-brief = The brief was understood differently
coach-btn-problem-style = Style or tone
coach-btn-problem-scope = Scope or requirements changed
coach-btn-problem-plans = The client's plans changed
coach-btn-problem-unclear = Still unclear
coach-btn-redo = Yes, I'll redo it
coach-btn-part-ways = No — we part ways
coach-btn-pay-keep-deposit = 1. The client leaves me the deposit
coach-btn-pay-kill-fee = 2. They want the money back or never paid
coach-btn-pay-continue = 3. We continue working together
coach-btn-confirm-continue = Yes, continue together
coach-btn-confirm-part-ways = Yes, we part ways
coach-btn-back-to-options = No, back to the options
coach-btn-share-30 = 30%
coach-btn-share-40 = 40%
coach-btn-share-50 = 50%
coach-btn-share-other = Other
coach-btn-yes = Yes
coach-btn-no = No
coach-btn-deduct = Deduct the unused work from the deposit
coach-btn-absorb = Absorb it and start fresh
coach-btn-tone-friendly = Friendly tone
coach-btn-tone-formal = Formal tone
coach-btn-other-language = Other language
coach-btn-reply-in-bg = Reply in Bulgarian
coach-btn-reply-in-en = Reply in English
coach-btn-change-facts = Change facts
coach-btn-done = Done
coach-btn-edit-client-name = Client
coach-btn-edit-contact-name = Contact person
coach-btn-edit-delivery = What I delivered
coach-btn-edit-client-said = What they said
coach-btn-edit-intermediary = Who is in between
coach-btn-edit-intermediary-contact = Contact there
coach-btn-edit-channel = How we talked
coach-btn-edit-currency = Currency
coach-btn-edit-price = Price
coach-btn-edit-deposit = Deposit
coach-btn-edit-problem = The problem
coach-btn-edit-solution = The solution
coach-btn-edit-payment = Who pays
coach-btn-back-to-reply = Back to the reply
coach-btn-continue = Continue
coach-btn-new-case = Start a new case
coach-btn-delete-yes = Yes, delete everything
coach-btn-delete-no = No, keep it
coach-btn-restart-yes = Yes, start over
coach-btn-restart-no = No, carry on

## Step 1: calm and cool-down

coach-calm-go = Good. A cool head is the best tool you have right now.
coach-cool-down-tip = Then let's not answer the client yet — words written in anger are hard to take back.
    Try this: breathe in slowly for four counts, hold for four, breathe out for six. Repeat a few times, or step away from the screen for a short walk.
    If you need to let it out, write it here. It stays between us and never ends up in any reply.
coach-mood-mirror-angry = You're angry, and that makes sense: you put real work into this and got a "no". It's all right to be angry for a while.
coach-mood-mirror-hurt = That hurts, and it's fine that it does. A rejection of your work feels personal even when it isn't.
coach-mood-mirror-tired = You sound worn out. A rejection on top of a long stretch of work is a lot.
coach-mood-mirror-frustrated = That's frustrating, no doubt about it. You did what was asked and it still wasn't enough for them.
coach-mood-mirror-generic = Thank you for telling me how it is. It's clearly still raw, so let's not rush.
coach-cool-down-vented-1 = I hear you. Let it out here — none of this goes anywhere.
coach-cool-down-vented-2 = That makes sense. Say it all here, so it stays out of the reply.
coach-cool-down-vented-3 = Of course you feel that way after the work you put in. Keep going if you need to.
coach-cool-down-vented-4 = Thank you for putting it into words. It stays between us, and it won't end up in a message to the client.
coach-cool-down-r15 = All right, I'll write to you in 15 minutes. Meanwhile, get away from the screen for a bit.
coach-cool-down-r60 = All right, I'll write to you in an hour. Meanwhile, do something that has nothing to do with work.

## Step 2: facts

coach-currency-set = I'll work in { $currency ->
        [BGN] Bulgarian leva
        [USD] US dollars
        [GBP] pounds sterling
       *[EUR] euros
    } from now on.
coach-currency-assumed = I'll assume the amounts are in { $currency ->
        [BGN] Bulgarian leva
        [USD] US dollars
        [GBP] pounds sterling
       *[EUR] euros
    }. If the order is in another currency, go /back and type the amount with it, for example “1,200 BGN” or “$500”.
coach-currency-mismatch = The price is in { $currency ->
        [BGN] Bulgarian leva
        [USD] US dollars
        [GBP] pounds sterling
       *[EUR] euros
    }. Type the deposit in the same currency — or go /back and type the price with the right one.
coach-currency-unknown = I don't know that currency. Pick one of the buttons, or type for example “EUR”, “лв” or “$”.

## Step 3: talk directly

coach-talk-agency = With an agency in between, every message passes through one more pair of hands, and details get lost. The surest fix is one call with all three of you: who wants what, what each side imagines and expects, and what each can offer. Below is a message to the agency proposing it.
coach-talk-freelancer = With a colleague in between, every message passes through one more pair of hands, and details get lost. The surest fix is one call with all three of you: who wants what, what each side imagines and expects, and what each can offer. Below is a message to your colleague proposing it.
coach-talk-writing = So far everything has been in writing, and text hides tone and nuance. Propose a phone or video call, or a meeting, in the next day or two. Below is a short message asking for one.
coach-talk-direct = Talk to them as soon as you can, and keep it calm: ten minutes of conversation save days of emails and fresh misunderstandings.
coach-talk-arranged = Great. Here is what to ask during the call.
coach-talk-talked = Welcome back. Let's look at what the call showed.
coach-talk-follow-up-set = Good plan. Have the call first, then come back here — I'll remind you tomorrow.

## Step 4: the real problem

coach-problem-intro = “Not what I imagined” is rarely the whole story — it's just the first thing a client finds to say. You are the professional, so it's on you to ask until it's concrete. Questions for the call:
coach-problem-more-intro = That happens — sometimes it takes a second round. Try these questions too:
coach-problem-unclear-talk = If it is still unclear, it's time for another conversation.
coach-question-imagined = What exactly did you picture when you ordered this?
coach-question-works = Which parts work for you, and which don't?
coach-question-example = Can you show me an example of something you like?
coach-question-audience = Who is it for, and what should it achieve?
coach-question-deciders = Who else has a say in the decision?
coach-question-changed = Has anything changed since the brief?
coach-question-picture = What did you expect to see instead — can you describe it or sketch it?
coach-question-looking-for = What are you looking for that this version doesn't give you?
coach-question-style = Which parts feel off in style or tone — too formal, too playful, too plain?
coach-question-end-client = What did the end client say, in their own words?
coach-question-their-words = They wrote: “{ $quote }” — ask what exactly is behind those words.
coach-question-get-words = Ask them to put their feedback in a few sentences in writing — it gives you something concrete to work from.
coach-question-more-keep = If you had to keep only half of it, which half would you keep?
coach-question-more-closest = Whose work comes closest to what you want — a competitor, a site, a sample?
coach-question-more-feel = What should a reader or user feel or do after seeing it?
coach-question-more-must = What must be in the final version at all costs, and what must not?
coach-question-more-judge = How will you decide that the work is finished?

## Step 5: solution

coach-solution-redo = Good. Before you start, write the clarified brief down as acceptance criteria — a short list of what the finished work must do — plus a plan: what you deliver, when, and how they give feedback. Send it to the client to confirm, so the new version is judged against the list, not against a feeling.
coach-solution-part = That is a legitimate outcome too. Part on good terms: thank them for the time, keep the money talk factual, and leave the door open — clients who part politely often come back or recommend you.

## Step 6: who pays

coach-payment-suggested = ★ marks the option that fits what you told me.
coach-payment-confirmed-continue = Then you redo the work together. I changed the solution to “redo” — the reply says so.
coach-payment-confirmed-part-ways = Then you part ways. I changed the solution to “part ways” — the reply says so.
coach-payment-price = Price of the order: { $price }
coach-payment-deposit = Deposit received: { $deposit }
coach-payment-no-deposit = Deposit: none received
coach-payment-deposit-unknown = Deposit: not given, so I leave it out of the sums
coach-settle-keep-deposit = You keep the deposit of { $deposit }; nothing else to settle.
coach-settle-keep-deposit-none = Without a deposit there is nothing to keep. If you want to be paid for the work, option 2 fits better — go /back to change it.
coach-settle-kill-fee = { $share } of the price { $price } stays with you: { $keep }.
coach-settle-kill-fee-no-price = { $share } of the price stays with you. Without the price I can't work out the amounts, so the reply names the share.
coach-settle-refund = You received { $deposit } as a deposit, so you refund the difference: { $refund }.
coach-settle-invoice = You received { $deposit } as a deposit, so you invoice the rest: { $invoice }.
coach-settle-invoice-all = You received no deposit, so you invoice the whole amount: { $invoice }.
coach-settle-even = The deposit covers exactly that — nothing to refund or invoice.
coach-settle-deduct = The unusable part, { $unusable }, is deducted from the deposit; { $left } of it is left for the new work.
coach-settle-deduct-invoice = The unusable part, { $unusable }, is more than the { $deposit } deposit: all of the deposit goes towards it, and the remaining { $invoice } can be invoiced.
coach-settle-deduct-no-deposit = There was no deposit to deduct from, so the unusable part, { $unusable }, can be invoiced.
coach-settle-absorb = You take the cost of the unused part yourself, and the deposit counts in full towards the new version. A generous move — make sure the client knows it.
coach-settle-absorb-no-deposit = You take the cost of the unused part yourself, and the new version starts afresh. A generous move — make sure the client knows it.
coach-settle-refund-keep-deposit = The deposit already covers more than this share. Keeping the whole deposit (option 1) is simpler and fair to you — go /back to choose it, or keep this proposal.
coach-settle-new-version = The new version costs { $price }; with { $left } of the deposit counted, { $remaining } remains to pay.
coach-settle-new-version-full = The new version costs { $price }, all of it still to pay.
coach-settle-keep-deposit-unknown = You skipped the deposit, so I didn't count one. If you received a deposit, you keep it and nothing else is left to settle; if you didn't, option 2 fits better — go /back to change it.
coach-settle-kill-fee-unknown-deposit = You skipped the deposit, so I didn't count one. If you received a deposit, take it off { $keep }: you invoice what is left, or refund the difference if the deposit is larger. The reply says that any deposit already paid is deducted.
coach-settle-absorb-unknown-deposit = You take the cost of the unused part yourself. You skipped the deposit, so I didn't count one: if you received a deposit, it counts in full towards the new version. A generous move — make sure the client knows it.
coach-settle-deduct-unknown-deposit = You skipped the deposit, so I didn't count one. If you received a deposit, the unusable part, { $unusable }, comes off it and the rest counts towards the new work; what the deposit doesn't cover can be invoiced.
coach-settle-new-version-unknown-deposit = The new version costs { $price }, minus any deposit that counts towards it.
coach-kill-fee-agreed-yes = Then you're on firm ground. Refer to the clause calmly, as a reminder, not as a threat.
coach-kill-fee-agreed-no = Without a clause this is a negotiation, not a right. Present the share as fair pay for the work done, explain what it covers, and be ready to meet them halfway. Next time, put it in the contract — you'll get a clause to copy at the end.

## Step 7: the reply

coach-reply-tips = Before you send anything:
    • No blame and no sarcasm, not even a little.
    • Acknowledge their view — they are allowed not to like it.
    • End with one concrete next step: a date, a call, a list to confirm.

    Here is a suggested reply. Copy it, adjust whatever you like and send it.
coach-reply-tone-friendly = Switched to a friendly tone.
coach-reply-tone-formal = Switched to a formal tone.
coach-reply-language-en = The reply is now in English.
coach-reply-language-bg = The reply is now in Bulgarian.
coach-reply-fact-prompt = { $language ->
        [bg] The reply is in Bulgarian, but this is in English
       *[en] The reply is in English, but this is in Bulgarian
    } ({ $fact }): “{ $value }”. Write it in { $language ->
        [bg] Bulgarian
       *[en] English
    } — or skip to leave it out of the reply.
coach-reply-name-prompt = The reply is in English. How is “{ $value }” written in Latin letters? Skip, and the greeting goes without the name.
coach-reply-preselected-en = Their message is in English, so I'll write the reply in English — press “{ $button }” under the reply to change it.
coach-reply-preselected-bg = Their message is in Bulgarian, so I'll write the reply in Bulgarian — press “{ $button }” under the reply to change it.

## Step 8: done

coach-done-tip = For the next contract: agree in writing on acceptance criteria, and on a share of 30–50% of the price that stays with you if the work isn't used. Here is a clause you can copy.
coach-done-bye = Good luck! /cases shows your history; send any message to start a new case.

## Summary and export fields

coach-field-client = Client
coach-field-contact-name = Contact person
coach-field-delivery = Delivered
coach-field-client-said = The client said
coach-field-intermediary = Contact with the client
coach-field-intermediary-contact = Your contact there
coach-field-channel = Talked so far
coach-field-price = Price
coach-field-deposit = Deposit
coach-field-problem = The problem
coach-field-problem-details = Details
coach-field-solution = Solution
coach-field-deadline = New deadline
coach-field-payment = Who pays
coach-field-status = Status
coach-field-step = Step

## Commands

coach-cmd-start = Start or continue a case
coach-cmd-help = What I do and the commands
coach-cmd-back = One step back, answers kept
coach-cmd-restart = Start a new case
coach-cmd-cancel = Cancel the current case
coach-cmd-lang = Switch between English and Bulgarian
coach-cmd-signature = How you sign your messages
coach-cmd-cases = Your cases
coach-cmd-stats = How your cases ended
coach-cmd-export = The case as Markdown
coach-cmd-delete = Erase everything I stored about you
coach-help = I walk you through a rejected delivery: calming down, the facts, a direct talk, the real problem, a solution, who pays, and a reply you can send. I'm a coach, not a lawyer.
coach-commands = Commands:
    /help — what I do and the commands
    /back — one step back, your answers are kept
    /restart — start a new case
    /cancel — cancel the current case
    /lang — switch between English and Bulgarian
    /signature — how you sign your messages (e.g. /signature Maria)
    /cases — your cases
    /stats — how your cases ended
    /export — the case as Markdown
    /delete — erase everything I stored about you
coach-unknown-command = I don't know that command.
coach-back-done = One step back. Your answers are kept.
coach-back-none = This is the first step — there is nowhere to go back to.
coach-restarted = The previous case is closed as cancelled; you'll find it in /cases.
coach-cancelled = Case cancelled. Send any message when you want to start a new one.
coach-cancel-none = There is no open case to cancel.
coach-lang-switched = From now on I'll speak English.
coach-signature-prompt = How do you sign your messages? Write e.g. “/signature Maria” or “/signature Maria Petrova, designer” and I'll end your suggested replies with it.
coach-signature-kept = From now on your suggested replies end with “{ $signature }”. Use /signature to change it.
coach-signoff-prompt = Shall I put your name at the end of your suggested replies? Type how you sign your messages — for example “Elena” or “Elena Kostova, designer”. Or skip; you can add one later with /signature.
coach-signoff-skipped = All right, no sign-off — I won't ask again. You can add one any time with /signature.
coach-signature-latin-prompt = This letter is in English. How is your sign-off “{ $value }” written in Latin letters? Skip, and this letter goes without it.
coach-unfinished = You have an unfinished case. Continue it or start a new one?
coach-unfinished-named = You have an unfinished case (client: { $client }). Continue it or start a new one?
coach-delete-confirm = This erases every case, answer and reminder I have stored for you. It can't be undone. Delete everything?
coach-delete-kept = Nothing was deleted.
coach-restart-confirm = Start a new case? The current one is closed as cancelled; you'll find it in /cases and can reopen it there.
coach-restart-kept = All right, we carry on with this case.
coach-after-delete = Done — everything I had stored about you is erased, and nothing about you is stored now. Send any message to start afresh.

## History and export

coach-history-title = Your cases
coach-history-empty = You have no cases yet. Send any message to start one.
coach-history-no-client = no client name
coach-history-line = { $number }. { $client } — { $status } (step: { $step })
coach-history-line-done = { $number }. { $client } — { $status }
coach-history-reopen-hint = A cancelled case can be reopened: we carry on where we left off.
coach-btn-reopen = Reopen case { $number }
coach-reopen-chosen = Reopened: { $client }
coach-reopened = The case is open again, with your answers as you left them. We carry on from here.
coach-reopened-named = The case with { $client } is open again, with your answers as you left them. We carry on from here.
coach-reopen-previous-cancelled = The case you had open is now closed as cancelled; you can reopen it from /cases too.
coach-reopen-refused = I can't reopen that case: it is no longer among your cancelled cases. /cases shows your cases as they are now.
coach-status-active = open
coach-status-done = done
coach-status-cancelled = cancelled
coach-export-title = Case
coach-export-share-agreed = The share was agreed in the contract.
coach-export-share-not-agreed = The share was not agreed in the contract.
coach-export-reply = Latest suggested reply
coach-export-none = There is no case to export yet.
coach-step-start = start
coach-step-calm = mood check
coach-step-cool-down = cool-down
coach-step-client-name = the client's name
coach-step-contact-name = the contact person
coach-step-delivery = what was delivered
coach-step-client-said = what the client said
coach-step-intermediary = who is in between
coach-step-intermediary-contact = your contact there
coach-step-channel = how you talked
coach-step-currency = currency
coach-step-price = price
coach-step-deposit = deposit
coach-step-talk = talk directly
coach-step-problem = the real problem
coach-step-problem-details = problem details
coach-step-solution = solution
coach-step-deadline = new deadline
coach-step-payment = who pays
coach-step-payment-confirm = who pays: confirming
coach-step-kill-fee-share = share that stays with you
coach-step-kill-fee-other = share in percent
coach-step-kill-fee-agreed = agreed in the contract?
coach-step-continue-mode = the unused work
coach-step-unusable = how much is unusable
coach-step-reply = the reply
coach-step-edit-facts = changing facts
coach-step-done = finished

## Bad input, reminders, outages

coach-stale = That button belongs to an earlier step.
coach-no-case = There is no open case. Send any message to start one.
coach-choose-button = Please pick one of the buttons, or type its label.
coach-yes-or-no = Please answer yes or no — or pick one of the buttons.
coach-blank = I didn't catch that — there was nothing in the message.
coach-name-needs-letters = I need a name with letters in it, so I can address the client properly.
coach-too-long = That was longer than { $limit } characters, so I kept the first { $limit }.
coach-text-only = I can only read text — please type your answer.
coach-reminder-cool-down = Hi again. How are you feeling now? Let's pick up where we stopped.
coach-reminder-follow-up = Time to follow up: did you manage to talk to the client?
coach-reminder-generic = A gentle reminder — here is where we stopped.
coach-reminder-where-chat = The reminder comes here, in this chat.
coach-reminder-where-terminal = The reminder shows up here while this window is open; otherwise, the next time you start the chat.
coach-reminder-no-case = A gentle reminder from your coach. Whenever you're ready, send any message to start.
coach-unavailable = I'm temporarily unavailable. Your answers are safe — please try again in a minute.

## The optional AI polish of the reply (issue 16): only when a model is configured.
coach-btn-polish = ✨ Polish with AI
coach-btn-polish-shorter = Shorter
coach-btn-polish-warmer = Warmer
coach-btn-polish-original = ↩ Back to the original
coach-polish-working = ✨ Asking the AI model to polish your reply — this takes a few seconds.
coach-polish-shown = Here is the AI-polished version. Read it carefully before you send it; the reply I composed is one tap away.
coach-polish-back = Back to the reply I composed.
coach-polish-failed-timeout = The AI model did not answer in time. Your reply stays as it was.
coach-polish-failed-busy = The AI model is not available right now; try again in a few minutes. Your reply stays as it was.
coach-polish-failed-limit = You have used the AI polish many times in the last hour; try again later. Your reply stays as it was.
coach-polish-failed-refusal = The AI model declined to rewrite this reply. Your reply stays as it was.
coach-polish-failed-unavailable = The AI polish is not set up here. Your reply stays as it was.
coach-polish-failed-error = I could not use the AI model's answer. Your reply stays as it was.
coach-polish-rejected-facts = The AI version changed an amount, a date or a name, so I set it aside. Your reply stays as it was.
coach-polish-rejected-language = The AI version was not in the reply's language, so I set it aside. Your reply stays as it was.
coach-polish-rejected-length = The AI version was much shorter or longer than the reply, so I set it aside. Your reply stays as it was.
coach-polish-rejected-form = The AI version was not a clean letter (notes, blanks, formatting or no change at all), so I set it aside. Your reply stays as it was.
coach-polish-draft-title = Suggested reply — polished by AI (check it before sending)
coach-btn-translate-facts = ✨ Translate my facts
coach-translate-working = ✨ Asking the AI model to translate the facts you typed into the reply's language — this takes a few seconds.
coach-translate-done = The AI model translated the facts you typed; here is the reply with them. Check the wording before you send it.
coach-translate-rejected = The AI translation changed a number or was not in the reply's language, so I set it aside. You can retype those facts with "Change facts".

# The closing summary's values: what was decided, as noun phrases (not the buttons' answers).
coach-fact-direct = Direct
coach-fact-agency = Through an agency
coach-fact-freelancer = Through another freelancer
coach-fact-writing = Only in writing
coach-fact-calls = Calls or meetings too
coach-fact-redo = A new version
coach-fact-part-ways = Ending the work here
coach-fact-pay-keep-deposit = The deposit stays with me
coach-fact-pay-kill-fee = A share of the price for the work done
coach-fact-pay-continue = Settled in the work that goes on
