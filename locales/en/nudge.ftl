# Step 9 (issue 15): the polite nudge when the client has not answered.
# Same conventions as drafts.ftl: $tone is formal or friendly; $what is draft-work
# or draft-work-named; $client / $subject name the end client in a letter to the
# intermediary.

draft-title-nudge = A polite nudge
draft-nudge-recap = { $tone ->
    [formal] I am writing to follow up on my message about { $what }.
   *[friendly] Just following up on my message about { $what }.
}
draft-nudge-ask = { $tone ->
    [formal] Could you let me know whether my proposal works for you? A short answer is enough — or, if it is easier, we can talk on the phone this week.
   *[friendly] Could you let me know if the proposal works for you? A short answer is enough — or we can have a quick call this week, if that's easier.
}
draft-nudge-via-ask = { $tone ->
    [formal] Could you check with { $client } whether my proposal works for them and let me know? If it helps, I can join a short call.
   *[friendly] Could you check with { $client } if the proposal works for them and let me know? Happy to join a short call if that helps.
}
draft-nudge-closing = { $tone ->
    [formal] Thank you for your time.
   *[friendly] Thanks!
}
