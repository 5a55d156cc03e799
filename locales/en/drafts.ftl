# Drafts: texts the user copies and sends (flows/drafts.py).
# Each message is one sentence or one line; the composer includes a sentence
# only when its facts are known. $tone is "formal" or "friendly".
# Amounts ($price, $deposit, $keep, …) arrive already formatted by Babel.

## Titles (shown above the copyable block)

draft-title-call-request = Message asking for a call
draft-title-reply = Suggested reply
draft-title-contract-clause = Clause for your next contract

## Greetings and closings

draft-greeting = { $tone ->
    [formal] Hello,
   *[friendly] Hi,
}
draft-greeting-named = { $tone ->
    [formal] Dear { $client },
   *[friendly] Hi { $client },
}

## Step 3: asking for a call

draft-call-intermediary-intro = { $tone ->
    [formal] I understand that the client is not satisfied with the work I delivered.
   *[friendly] I hear the client isn't happy with the work I delivered.
}
draft-call-intermediary-intro-named = { $tone ->
    [formal] I understand that { $client } is not satisfied with the work I delivered.
   *[friendly] I hear { $client } isn't happy with the work I delivered.
}
draft-call-delivery = It concerns: { $delivery }.
draft-call-intermediary-why = When messages pass through several people, details easily get lost on the way.
draft-call-intermediary-proposal = { $tone ->
    [formal] I would like to suggest one call with all three of us — you, the client and me — to go through what the client wants and expects, and what each of us can offer.
   *[friendly] How about one call with the three of us — you, the client and me? We could go through what the client wants and expects, and what each of us can offer.
}
draft-call-intermediary-ask = { $tone ->
    [formal] Could you arrange it in the next few days? I will fit in with a time that suits everyone.
   *[friendly] Could you set it up in the next few days? Any time that works for everyone is fine with me.
}
draft-call-client-thanks = { $tone ->
    [formal] Thank you for sharing your opinion of the work I sent you.
   *[friendly] Thanks for your thoughts on the work I sent.
}
draft-call-client-thanks-delivery = { $tone ->
    [formal] Thank you for sharing your opinion of what I sent you: { $delivery }.
   *[friendly] Thanks for your thoughts on what I sent: { $delivery }.
}
draft-call-client-writing = { $tone ->
    [formal] I believe a short conversation will clear things up much faster than written messages.
   *[friendly] I think a quick chat will clear things up much faster than messages.
}
draft-call-client-soon = { $tone ->
    [formal] I would like to discuss it with you as soon as possible, so that I understand exactly what you have in mind.
   *[friendly] I'd like to talk it through as soon as we can, so I understand exactly what you have in mind.
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
    [formal] Thank you for your honest feedback on the work I delivered.
   *[friendly] Thanks for your honest feedback on the work I sent.
}
draft-reply-thanks-delivery = { $tone ->
    [formal] Thank you for your honest feedback on what I delivered: { $delivery }.
   *[friendly] Thanks for your honest feedback on what I sent: { $delivery }.
}
draft-reply-acknowledge = { $tone ->
    [formal] I understand that the result is not what you expected, and I appreciate you telling me directly.
   *[friendly] I get that it's not what you expected, and I'm glad you were upfront about it.
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
    [formal] I also know that your plans have changed since we started.
   *[friendly] I also know your plans have changed since we started.
}
draft-reply-problem-unclear = { $tone ->
    [formal] I would still like to understand better what exactly you have in mind.
   *[friendly] I'd still like to understand better what exactly you have in mind.
}
draft-reply-problem-details = In particular: { $details }.
draft-reply-redo = { $tone ->
    [formal] I will gladly prepare a new version of the work that takes these details into account.
   *[friendly] I'm happy to do a new version that takes all this into account.
}
draft-reply-criteria = { $tone ->
    [formal] Before I start, I suggest that we agree in writing on the acceptance criteria — what the result must include and how we will check it — together with a short plan of the work.
   *[friendly] Before I start, let's write down the acceptance criteria — what the result must include and how we'll check it — plus a short plan of the work.
}
draft-reply-deadline = I propose a new deadline: { $deadline }.
draft-reply-part-ways = { $tone ->
    [formal] Since I cannot offer exactly what you are looking for now, I believe it is fairer to both sides to end our work on this project here, on good terms.
   *[friendly] Since I can't offer exactly what you're looking for now, I think it's fairer to both sides to stop our work on this project here, on good terms.
}

## Step 7: payment terms

draft-pay-keep-deposit = { $tone ->
    [formal] For the work done so far, I will keep the deposit, and with that we are settled.
   *[friendly] I'll keep the deposit for the work done so far, and we're all square.
}
draft-pay-keep-deposit-amount = { $tone ->
    [formal] For the work done so far, I will keep the deposit of { $deposit }, and with that we are settled.
   *[friendly] I'll keep the deposit of { $deposit } for the work done so far, and we're all square.
}
draft-pay-kill-fee = { $tone ->
    [formal] For the work already done, I propose fair compensation: a share of the price of the order.
   *[friendly] For the work already done, I'd suggest fair compensation: a share of the price.
}
draft-pay-kill-fee-percent = { $tone ->
    [formal] For the work already done, I propose compensation of { $percent } of the agreed price.
   *[friendly] For the work already done, I'd suggest { $percent } of the agreed price.
}
draft-pay-kill-fee-percent-agreed = { $tone ->
    [formal] As agreed in our contract, { $percent } of the price is due for the work already done.
   *[friendly] As we agreed in the contract, { $percent } of the price covers the work already done.
}
draft-pay-kill-fee-amount = { $tone ->
    [formal] For the work already done, I propose compensation of { $percent } of the price ({ $price }), which is { $keep }.
   *[friendly] For the work already done, I'd suggest { $percent } of the price ({ $price }), which comes to { $keep }.
}
draft-pay-kill-fee-amount-agreed = { $tone ->
    [formal] As agreed in our contract, { $percent } of the price ({ $price }) is due for the work already done, which is { $keep }.
   *[friendly] As we agreed in the contract, { $percent } of the price ({ $price }) covers the work already done, which comes to { $keep }.
}
draft-pay-refund = { $tone ->
    [formal] From the deposit of { $deposit }, I will return the difference of { $refund } to you.
   *[friendly] From the { $deposit } deposit, I'll send you back the difference of { $refund }.
}
draft-pay-invoice-rest = { $tone ->
    [formal] After deducting the deposit of { $deposit }, I will invoice the remaining { $invoice }.
   *[friendly] Minus the { $deposit } deposit, I'll invoice you for the remaining { $invoice }.
}
draft-pay-invoice-all = { $tone ->
    [formal] I will send you an invoice for { $invoice }.
   *[friendly] I'll send you an invoice for { $invoice }.
}
draft-pay-even = { $tone ->
    [formal] The deposit of { $deposit } covers exactly this amount, so nothing more is due from either side.
   *[friendly] The { $deposit } deposit covers exactly this, so neither of us owes anything more.
}
draft-pay-deduct = { $tone ->
    [formal] The part of the first version that you will not use will be deducted from the deposit.
   *[friendly] I'll deduct the part of the first version you won't use from the deposit.
}
draft-pay-deduct-left = { $tone ->
    [formal] I will deduct the part of the first version that you will not use ({ $unusable }) from the deposit; the remaining { $left } counts towards the new version.
   *[friendly] I'll take the part of the first version you won't use ({ $unusable }) out of the deposit; the other { $left } goes towards the new version.
}
draft-pay-deduct-all = { $tone ->
    [formal] The part of the first version that you will not use ({ $unusable }) is covered in full by the deposit of { $deposit }.
   *[friendly] The part of the first version you won't use ({ $unusable }) is fully covered by the { $deposit } deposit.
}
draft-pay-deduct-invoice = { $tone ->
    [formal] The part of the first version that you will not use is worth { $unusable }: the deposit of { $deposit } covers part of it, and I will invoice the remaining { $invoice }.
   *[friendly] The part of the first version you won't use comes to { $unusable }: the { $deposit } deposit covers part of it, and I'll invoice you for the remaining { $invoice }.
}
draft-pay-deduct-no-deposit = { $tone ->
    [formal] For the part of the first version that you will not use, I will invoice { $unusable }.
   *[friendly] For the part of the first version you won't use, I'll invoice you { $unusable }.
}
draft-pay-absorb = { $tone ->
    [formal] The first version is at my own expense: we start afresh.
   *[friendly] The first version is on me: we start fresh.
}
draft-pay-absorb-deposit = { $tone ->
    [formal] The first version is at my own expense: we start afresh, and the deposit of { $deposit } counts in full towards the new version.
   *[friendly] The first version is on me: we start fresh, and the { $deposit } deposit goes fully towards the new one.
}

## Step 7: the next step and the closing

draft-reply-next-redo = { $tone ->
    [formal] As a next step, I will send you a short list of acceptance criteria to confirm before I start.
   *[friendly] Next, I'll send you a short list of acceptance criteria to confirm before I start.
}
draft-reply-next-part-ways = { $tone ->
    [formal] Please confirm whether these terms work for you, and I will take care of the rest.
   *[friendly] Just let me know if this works for you, and I'll take care of the rest.
}
draft-reply-next-call = { $tone ->
    [formal] Could we have a short call in the next few days to agree on the next steps?
   *[friendly] Could we have a quick call in the next few days to agree on the next steps?
}
draft-reply-closing = { $tone ->
    [formal] Thank you for your understanding. I look forward to your reply.
   *[friendly] Thanks for understanding — talk soon!
}
draft-reply-goodbye = { $tone ->
    [formal] Thank you for the opportunity to work together. I hope our paths cross again on another project.
   *[friendly] Thanks for the chance to work together — I hope we'll team up again on another project.
}

## Step 8: the next-contract clause (always formal: it goes into a contract)

draft-clause-heading = Acceptance of the work and compensation for work done
draft-clause-criteria = 1. Before work starts, the Client and the Contractor agree in writing on the acceptance criteria for the result: what it must contain, in what form it is delivered and how it will be checked.
draft-clause-acceptance = 2. The Client either accepts the result in writing or lists in writing which acceptance criteria it does not meet; the Contractor then brings the result in line with those criteria.
draft-clause-compensation = 3. If the Client decides not to use the delivered work, or ends the order after work has started, the Client pays the Contractor { $percent } of the price of the order as compensation for the work done. Any deposit already paid counts towards this amount.
draft-clause-changes = 4. Changes to the brief made after the acceptance criteria are agreed are negotiated separately, with their own price and deadline.
