# Drafts: texts the user copies and sends (flows/drafts/).
# Each message is one sentence or one line; the composer includes a sentence
# only when its facts are known. $tone is "formal" or "friendly".
# Amounts ($price, $deposit, $keep, …) arrive already formatted by Babel.
# $what is what was delivered ("the logo and business cards") or draft-work;
# $client / $subject name the end client in a letter to an intermediary
# (the client's name, or draft-ref-client / draft-ref-client-subject).

## Titles (shown above the copyable block)

draft-title-call-request = Message asking for a call
draft-title-reply = Suggested reply
draft-title-contract-clause = Clause for your next contract

## Greetings, names and the sign-off

draft-greeting = { $tone ->
    [formal] Hello,
   *[friendly] Hi,
}
draft-greeting-first-name = { $tone ->
    [formal] Dear { $name },
   *[friendly] Hi { $name },
}
draft-greeting-full-name = { $tone ->
    [formal] Dear { $name },
   *[friendly] Hi { $name },
}
draft-greeting-title-f = { $tone ->
    [formal] Dear Ms { $surname },
   *[friendly] Hi Ms { $surname },
}
draft-greeting-title-m = { $tone ->
    [formal] Dear Mr { $surname },
   *[friendly] Hi Mr { $surname },
}
draft-greeting-team = { $tone ->
    [formal] Dear { $team } team,
   *[friendly] Hi { $team } team,
}
draft-ref-client = { $tone ->
    [formal] your client
   *[friendly] your client
}
draft-ref-client-subject = { $tone ->
    [formal] your client
   *[friendly] your client
}
draft-work = { $tone ->
    [formal] the work I delivered
   *[friendly] the work I sent
}
draft-work-named = { $delivery }
draft-valediction = { $tone ->
    [formal] Kind regards,
   *[friendly] Best,
}

## Step 3: asking for a call

draft-call-via-intro = { $tone ->
    [formal] I understand that { $subject } is not happy with { $what }.
   *[friendly] I hear { $subject } isn't happy with { $what }.
}
draft-call-via-why = { $tone ->
    [formal] When messages pass through several people, details easily get lost on the way.
   *[friendly] When messages go through several people, details easily get lost.
}
draft-call-via-proposal = { $tone ->
    [formal] I would like to suggest one call with the three of us — you, the client and me — to go through what is wanted and expected, and what each of us can offer.
   *[friendly] How about one call with the three of us — you, the client and me? We could go through what's wanted and expected, and what each of us can offer.
}
draft-call-via-ask = { $tone ->
    [formal] Could you arrange it in the next few days? Any time that suits you both works for me.
   *[friendly] Could you set it up in the next few days? Any time that works for you both is fine with me.
}
draft-call-client-thanks = { $tone ->
    [formal] Thank you for sharing your view of { $what }.
   *[friendly] Thanks for your thoughts on { $what }.
}
draft-call-client-writing = { $tone ->
    [formal] I believe a short conversation will clear things up much faster than written messages.
   *[friendly] I think a quick chat will clear things up much faster than messages.
}
draft-call-client-soon = { $tone ->
    [formal] I would like to talk it through with you soon, so that I understand exactly what you have in mind.
   *[friendly] I'd like to talk it through soon, so I understand exactly what you have in mind.
}
draft-call-client-ask = { $tone ->
    [formal] Could we speak by phone or video call, or meet in person, in the next few days? Please let me know what time suits you.
   *[friendly] Could we talk on the phone or on a video call, or meet up, in the next few days? Let me know when suits you.
}
draft-call-closing = { $tone ->
    [formal] Thank you in advance.
   *[friendly] Thanks!
}

## Step 7: the suggested reply

draft-reply-thanks = { $tone ->
    [formal] Thank you for your honest feedback on { $what }.
   *[friendly] Thanks for your honest feedback on { $what }.
}
draft-reply-thanks-call = { $tone ->
    [formal] Thank you for our conversation and for your honest feedback on { $what }.
   *[friendly] Thanks for the chat and for your honest feedback on { $what }.
}
draft-reply-thanks-via = { $tone ->
    [formal] Thank you for passing on the client's feedback on { $what }.
   *[friendly] Thanks for passing on the client's feedback on { $what }.
}
draft-reply-thanks-call-via = { $tone ->
    [formal] Thank you for setting up our conversation about { $what }.
   *[friendly] Thanks for setting up our chat about { $what }.
}
draft-reply-acknowledge = { $tone ->
    [formal] I understand that the result is not what you expected.
   *[friendly] I get that it's not what you expected.
}
draft-reply-acknowledge-via = { $tone ->
    [formal] I understand that the result is not what { $client } expected.
   *[friendly] I get that it's not what { $client } expected.
}
draft-reply-details-via-quoted = { $tone ->
    [formal] Here is how I understand what { $client } would like — addressed to them, it would read: “{ $details }.”
   *[friendly] Here's how I understand what { $client } would like — said to them, it'd be: “{ $details }.”
}
draft-reply-refund-asked = { $tone ->
    [formal] You also mentioned that you would like your money back.
   *[friendly] You also mentioned you'd like your money back.
}
draft-reply-refund-asked-via = { $tone ->
    [formal] You also mentioned that the client would like their money back.
   *[friendly] You also mentioned the client would like their money back.
}
draft-reply-problem-brief = { $tone ->
    [formal] Looking back, I can see that we understood the original brief differently.
   *[friendly] Looking back, I can see we read the brief differently.
}
draft-reply-problem-style = { $tone ->
    [formal] As far as I can see, the difference lies mainly in the style and tone.
   *[friendly] As I see it now, it's mostly about the style and tone.
}
draft-reply-problem-scope = { $tone ->
    [formal] I can see that the scope and requirements have changed since the original brief.
   *[friendly] I can see the scope and requirements have changed since the brief.
}
draft-reply-problem-plans = { $tone ->
    [formal] I understand that plans have changed since we started.
   *[friendly] I understand plans have changed since we started.
}
draft-reply-problem-unclear = { $tone ->
    [formal] I would still like to understand better what exactly is needed.
   *[friendly] I'd still like to understand better what exactly is needed.
}
draft-reply-redo = { $tone ->
    [formal] I will gladly prepare a new version.
   *[friendly] I'm happy to do a new version.
}
draft-reply-redo-clarified = { $tone ->
    [formal] I will gladly prepare a new version that reflects this.
   *[friendly] I'm happy to do a new version that takes all this into account.
}
draft-reply-redo-instead = { $tone ->
    [formal] I know you asked for your money back; instead, I would like to offer you a new version that reflects this.
   *[friendly] I know you asked for your money back; instead, I'd like to offer you a new version that takes all this into account.
}
draft-reply-redo-instead-via = { $tone ->
    [formal] I know the client asked for their money back; instead, I would like to offer a new version that reflects this.
   *[friendly] I know the client asked for their money back; instead, I'd like to offer a new version that takes all this into account.
}
draft-reply-criteria = { $tone ->
    [formal] Before I start, I will send you a short list of acceptance criteria — what the result must include and how we will check it — for you to confirm.
   *[friendly] Before I start, I'll send you a short list of acceptance criteria — what the result must include and how we'll check it — so we're on the same page.
}
draft-reply-deadline = { $tone ->
    [formal] I can deliver the new version { $deadline }.
   *[friendly] I can have the new version ready { $deadline }.
}
draft-reply-part-ways = { $tone ->
    [formal] Since I cannot offer exactly what you are looking for now, I believe it is fairer to both sides to end our work on this project here, on good terms.
   *[friendly] Since I can't offer exactly what you're looking for now, I think it's fairer to both sides to stop our work on this project here, on good terms.
}
draft-reply-part-ways-via = { $tone ->
    [formal] Since I cannot offer exactly what the client is looking for now, I believe it is fairest to end my work on this project here, on good terms.
   *[friendly] Since I can't offer exactly what the client is looking for now, I think it's fairest to stop my work on this project here, on good terms.
}

## Step 7: payment terms

draft-pay-keep-deposit = { $tone ->
    [formal] For the work done so far, I will keep the deposit, and with that we are settled.
   *[friendly] I'll keep the deposit for the work done so far, and we're all square.
}
draft-pay-keep-deposit-amount = { $tone ->
    [formal] For the work done so far, I will keep the deposit of { $deposit }, and with that we are settled.
   *[friendly] I'll keep the { $deposit } deposit for the work done so far, and we're all square.
}
draft-pay-kill-fee = { $tone ->
    [formal] For the work already done, I would propose fair compensation: a share of the agreed price.
   *[friendly] For the work already done, I'd suggest fair compensation: a share of the agreed price.
}
draft-pay-kill-fee-percent = { $tone ->
    [formal] For the work already done, I would propose { $percent } of the agreed price.
   *[friendly] For the work already done, I'd suggest { $percent } of the agreed price.
}
draft-pay-kill-fee-percent-agreed = { $tone ->
    [formal] As agreed in our contract, { $percent } of the price is due for the work already done.
   *[friendly] As we agreed in the contract, { $percent } of the price covers the work already done.
}
draft-pay-kill-fee-amount = { $tone ->
    [formal] For the work already done, I would propose { $percent } of the price of { $price }, that is { $keep }.
   *[friendly] For the work already done, I'd suggest { $percent } of the { $price } price, that's { $keep }.
}
draft-pay-kill-fee-amount-agreed = { $tone ->
    [formal] As agreed in our contract, { $percent } of the price of { $price } is due for the work already done, that is { $keep }.
   *[friendly] As we agreed in the contract, { $percent } of the { $price } price covers the work already done, that's { $keep }.
}
draft-pay-refund = { $tone ->
    [formal] You paid a deposit of { $deposit }, so I will return the difference of { $refund }.
   *[friendly] You paid a { $deposit } deposit, so I'll send you back the difference of { $refund }.
}
draft-pay-refund-proposed = { $tone ->
    [formal] Of the deposit of { $deposit } you paid, { $refund } would come back to you.
   *[friendly] Of the { $deposit } deposit you paid, { $refund } would come back to you.
}
draft-pay-invoice-rest = { $tone ->
    [formal] Your deposit of { $deposit } counts towards it, so I will invoice the remaining { $invoice }.
   *[friendly] Your { $deposit } deposit counts towards it, so I'll invoice the remaining { $invoice }.
}
draft-pay-invoice-rest-proposed = { $tone ->
    [formal] Your deposit of { $deposit } would count towards it, leaving { $invoice } to pay.
   *[friendly] Your { $deposit } deposit would count towards it, leaving { $invoice } to pay.
}
draft-pay-invoice-all = { $tone ->
    [formal] I will send you the invoice for it.
   *[friendly] I'll send you the invoice for it.
}
draft-pay-even = { $tone ->
    [formal] The deposit you paid covers exactly this amount, so nothing more is due from either side.
   *[friendly] The deposit you paid covers exactly that, so neither of us owes anything more.
}
draft-pay-even-proposed = { $tone ->
    [formal] The deposit you paid covers exactly this amount, so nothing more would be due from either side.
   *[friendly] The deposit you paid covers exactly that, so neither of us would owe anything more.
}
draft-pay-deduct = { $tone ->
    [formal] I will deduct the part of the first version that will not be used from the deposit.
   *[friendly] I'll deduct the part of the first version that won't be used from the deposit.
}
draft-pay-deduct-left = { $tone ->
    [formal] I will deduct the part of the first version that will not be used ({ $unusable }) from your deposit of { $deposit }; the other { $left } counts towards the new version.
   *[friendly] I'll take the part of the first version that won't be used ({ $unusable }) out of your { $deposit } deposit; the other { $left } goes towards the new version.
}
draft-pay-deduct-all = { $tone ->
    [formal] Your deposit of { $deposit } covers the part of the first version that will not be used.
   *[friendly] Your { $deposit } deposit covers the part of the first version that won't be used.
}
draft-pay-deduct-invoice = { $tone ->
    [formal] The part of the first version that will not be used comes to { $unusable }: your deposit of { $deposit } covers part of it, and I will invoice the remaining { $invoice }.
   *[friendly] The part of the first version that won't be used comes to { $unusable }: your { $deposit } deposit covers part of it, and I'll invoice the remaining { $invoice }.
}
draft-pay-deduct-no-deposit = { $tone ->
    [formal] For the part of the first version that will not be used, I will invoice { $unusable }.
   *[friendly] For the part of the first version that won't be used, I'll invoice { $unusable }.
}
draft-pay-absorb = { $tone ->
    [formal] The first version is at my own expense, so we start afresh.
   *[friendly] The first version is on me, so we start fresh.
}
draft-pay-absorb-deposit = { $tone ->
    [formal] The first version is at my own expense, and your deposit of { $deposit } counts in full towards the new one.
   *[friendly] The first version is on me, and your { $deposit } deposit goes fully towards the new one.
}
draft-pay-new-price = { $tone ->
    [formal] The new version stays at the agreed price of { $price }.
   *[friendly] The new version stays at the agreed { $price }.
}
draft-pay-new-price-remaining = { $tone ->
    [formal] The new version stays at the agreed price of { $price }, so { $remaining } remains to pay.
   *[friendly] The new version stays at the agreed { $price }, so { $remaining } is left to pay.
}
draft-pay-any-deposit-set-off = { $tone ->
    [formal] Any deposit you have already paid is deducted from this amount.
   *[friendly] Any deposit you've already paid comes off that amount.
}
draft-pay-any-deposit-set-off-proposed = { $tone ->
    [formal] Any deposit you have already paid would be deducted from this amount.
   *[friendly] Any deposit you've already paid would come off that amount.
}
draft-pay-absorb-any-deposit = { $tone ->
    [formal] The first version is at my own expense, and any deposit you have paid counts in full towards the new one.
   *[friendly] The first version is on me, and any deposit you've paid goes fully towards the new one.
}
draft-pay-deduct-any-deposit = { $tone ->
    [formal] I will deduct the part of the first version that will not be used ({ $unusable }) from any deposit you have paid, and invoice whatever it does not cover.
   *[friendly] I'll take the part of the first version that won't be used ({ $unusable }) out of any deposit you've paid, and invoice whatever it doesn't cover.
}
draft-pay-new-price-less-deposit-left = { $tone ->
    [formal] The new version stays at the agreed price of { $price }, less whatever remains of any deposit.
   *[friendly] The new version stays at the agreed { $price }, less whatever's left of any deposit.
}

## Step 7: the next step and the closing

draft-next-confirm = { $tone ->
    [formal] Please let me know if this works for you.
   *[friendly] Just let me know if this works for you.
}
draft-next-proposal = { $tone ->
    [formal] Would that work for you?
   *[friendly] Would that work for you?
}
draft-next-proposal-invoice = { $tone ->
    [formal] Would that work for you? Once we agree, I will send you the invoice.
   *[friendly] Would that work for you? Once we agree, I'll send you the invoice.
}
draft-next-proposal-refund = { $tone ->
    [formal] Would that work for you? Once we agree, I will transfer it to you.
   *[friendly] Would that work for you? Once we agree, I'll transfer it to you.
}
draft-next-agree-amount = { $tone ->
    [formal] Could we agree on the amount together? Once we do, I will send you the invoice.
   *[friendly] Could we agree on the amount together? Once we do, I'll send you the invoice.
}
draft-next-invoice = { $tone ->
    [formal] I will send you the invoice for it.
   *[friendly] I'll send you the invoice for it.
}
draft-next-refund-account = { $tone ->
    [formal] Please let me know which account to send it to.
   *[friendly] Just let me know which account to send it to.
}
draft-reply-next-call = { $tone ->
    [formal] Could we have a short call in the next few days to agree on the next steps?
   *[friendly] Could we have a quick call in the next few days to agree on the next steps?
}
draft-reply-closing = { $tone ->
    [formal] Thank you for your understanding — I look forward to hearing from you.
   *[friendly] Thanks for understanding — talk soon!
}
draft-reply-goodbye = { $tone ->
    [formal] Thank you for the opportunity to work together. I hope our paths cross again on another project.
   *[friendly] Thanks for the chance to work together — I hope we'll team up again on another project.
}

## Step 8: the next-contract clause (always formal: it goes into a contract)

draft-clause-heading = Acceptance of the work and compensation for work done
draft-clause-criteria = 1. Before work starts, the Client and the Contractor agree in writing on the acceptance criteria for the result: what it must contain, in what form it is delivered and how it will be checked.
draft-clause-acceptance = 2. Within { $days } working days of delivery, the Client either accepts the result in writing or lists in writing which acceptance criteria it does not meet; the Contractor then brings the result in line with those criteria. If the Client does neither within this period, the result counts as accepted.
draft-clause-compensation = 3. If the Client decides not to use the delivered work, or ends the order after work has started, the Client pays the Contractor { $percent } of the price of the order as compensation for the work done. Any deposit already paid counts towards this amount.
draft-clause-changes = 4. Changes to the brief made after the acceptance criteria are agreed are negotiated separately, with their own price and deadline.
