# The follow-up after Done, the outcomes and /stats (FLOW.md step 9, issue 15).

## At Done: when to ask how it went

outcome-when-prompt = I'll check in with you in { $days ->
        [one] { $days } day
       *[other] { $days } days
    } to ask how it went. { $where } Want it sooner, later, or not at all?
outcome-btn-in-2-days = In 2 days
outcome-btn-in-a-week = In a week
outcome-btn-dont-ask = Don't ask
outcome-will-ask-2d = Fine — I'll ask you in 2 days.
outcome-will-ask-7d = Fine — I'll ask you in a week.
outcome-wont-ask = All right, I won't ask. /stats shows your cases whenever you like.

## The follow-up

outcome-ask = How did it go? Did the client answer?
outcome-ask-named = How did it go? Did { $client } answer?
outcome-ask-or-start = Or send /start to begin a new case.
outcome-btn-agreed = They agreed
outcome-btn-negotiating = Still negotiating
outcome-btn-no-answer = No answer yet
outcome-btn-parted = We parted ways
outcome-btn-escalated = It escalated
outcome-btn-skip = Skip

outcome-no-answer = Silence is common — people get busy, and it rarely means a no. A short, friendly nudge usually does it. Here is one you can send as it is:
outcome-negotiating = Keep it simple: sum up in writing what you both agree on so far, and propose one concrete next step with a date.
outcome-negotiating-redo = Before you start the new version, confirm the acceptance criteria in writing: what exactly changes, by when, and how they will tell you it's accepted. One short message now saves a second rejection later.
outcome-negotiating-share = They haven't agreed to { $percent } yet. Keep one fallback ready — { $fallback_percent } of the price ({ $fallback }), the lower end of what is fair — and offer it once, calmly, as your final concession.
outcome-negotiating-deposit = They haven't agreed to the share yet. A fair fallback: you keep the deposit ({ $deposit }), nothing more is due, and you part on good terms.
outcome-escalated = Take a breath — this is a process now, not a fight, and you have done your part well. First, collect the evidence: the whole case is below as Markdown; keep it with the brief, the messages and the delivered files. If you work through Upwork or Fiverr, use the platform's own dispute process (Upwork: open a dispute from the contract page, then mediation; Fiverr: the Resolution Center) and answer within its deadlines.
outcome-not-legal-advice = I'm a coach, not a lawyer: if a lawyer's letter arrived, show it to a lawyer before you answer it.
outcome-agreed = That's great news — well done for keeping it calm and clear. I've noted that you reached an agreement.
outcome-parted = Parting on clear terms is a good outcome too. I've noted that you parted ways.
outcome-clause-again = For the next contract, here is the clause again — it makes the next conversation like this one much shorter.
outcome-again = I'll ask again in { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
outcome-saved = Saved. You'll find it in /cases and /stats.

outcome-amount-prompt = How much did you actually receive or keep in the end? Type the amount (e.g. 800 or 800 €), or skip it.
outcome-amount-kept = Noted: { $amount }.
outcome-note-prompt = Anything you want to remember about how it went? One line — or skip it.
outcome-note-kept = Noted.
outcome-thanks = Thank you for telling me. /stats shows how your cases ended; send any message to start a new case.

## In /cases and /export

outcome-label-agreed = agreement reached
outcome-label-negotiating = still negotiating
outcome-label-no-answer = no answer yet
outcome-label-parted = parted ways
outcome-label-escalated = escalated
outcome-history-line = { $number }. { $client } — { $status }, { $outcome }
outcome-field-outcome = Outcome
outcome-field-amount = Received or kept
outcome-field-date = Reported on
outcome-field-note = Note

## /stats

outcome-stats-title = Your cases so far
outcome-stats-empty = You have no cases yet. Send any message to start one.
outcome-stats-cases = { $count ->
    [one] 1 case
   *[other] { $count } cases
}
outcome-stats-ended = Where they stand:
outcome-stats-agreed = agreement reached: { $count }
outcome-stats-parted = parted ways: { $count }
outcome-stats-escalated = escalated: { $count }
outcome-stats-negotiating = still negotiating: { $count }
outcome-stats-no-answer = no answer yet: { $count }
outcome-stats-unreported = closed, outcome not reported yet: { $count }
outcome-stats-active = still open: { $count }
outcome-stats-cancelled = cancelled: { $count }
outcome-stats-money = Money received or kept: { $amounts }
outcome-stats-money-none = Money received or kept: none reported yet.
outcome-stats-days = { $count ->
    [one] A case usually takes { $days } day from start to outcome.
   *[other] A case usually takes { $days } days from start to outcome.
}
outcome-stats-days-under-one = A case usually takes less than a day from start to outcome.
outcome-stats-private = Only your own cases are counted here. /delete erases them all.
