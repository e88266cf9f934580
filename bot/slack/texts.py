"""Words the Slack app says to people, in one place (tests assert on them)."""

UNEXPECTED = (
    "Sorry, something went wrong on our side (error id `{error_id}`). "
    "Please try again; if it keeps happening, give that id to whoever runs planbot."
)

# The periodic summary: preview, "Post to channel", and its schedule (bot/slack/summary.py).
SUMMARY_USAGE = "Usage: `/plan summary [PLAN] [MONTH]`, for example `/plan summary ppr March 2027`."
SUMMARY_PREVIEW_TEXT = "Preview: {title}"
SUMMARY_PREVIEW_NOTE = "Preview, only you can see it."
SUMMARY_PREVIEW_THREAD = "When posted, the detail follows in {count} replies in its thread."
SUMMARY_PREVIEW_POSTED = "The {period} summary was posted to <#{channel}> on {when}."
SUMMARY_PREVIEW_NO_CHANNEL = "Plan `{plan}` has no channel for its summaries yet: `/plan schedule {plan} here` sets this one."
POST_TO_CHANNEL = "Post to channel"
POST_CONFIRM_TITLE = "Post the summary?"
POST_CONFIRM_TEXT = "Post the {period} summary of `{plan}` to <#{channel}>, for everyone there to see? It is posted once."
POST_CONFIRM_YES = "Post it"
POST_CONFIRM_NO = "Not yet"
SUMMARY_POSTED = "Posted the {period} summary of `{plan}` to <#{channel}>."
SUMMARY_POSTED_LINK = "Posted the {period} summary of `{plan}` to <#{channel}>: <{link}|see it>."
SUMMARY_ALREADY_POSTED = "The {period} summary of `{plan}` was already posted to <#{channel}> on {when}; it is posted only once."
SUMMARY_BUSY = "Another planbot is posting the {period} summary of `{plan}` right now; look in its channel in a minute."
SUMMARY_LOST = (
    "Posted the {period} summary of `{plan}` to <#{channel}>, but another planbot took the period over "
    "meanwhile: look in the channel for a second copy."
)
SUMMARY_FAILED = "Could not post the {period} summary of `{plan}`: {error}. Nothing was recorded as posted, so it can be tried again."
SCHEDULE_USAGE = (
    "Usage: `/plan schedule [PLAN] monthly|quarterly|off|RRULE:… [#channel|here]`, "
    "for example `/plan schedule ppr quarterly here`."
)
SCHEDULE_CHANGED = "Done."
SCHEDULE_UNCHANGED = "That is already how it is set."
SCHEDULE_IS = "Summaries of `{plan}`: {describe} ({timezone}), posted to {channel}."
SCHEDULE_IS_OFF = "Summaries of `{plan}` are off; it posts none on its own."
SCHEDULE_NO_CHANNEL = "no channel yet (`/plan schedule {plan} here` sets this one)"
SCHEDULE_DUE = "The {period} summary is due now and goes out at the scheduler's next check."
SCHEDULE_NEXT = "Next: {when} ({period})."
SCHEDULE_LAST = "Last posted: the {period} summary, on {when}."
SCHEDULE_HERE_NEEDS_CHANNEL = "`here` only works in a channel; name one with #."
SCHEDULE_CHANNEL_NOT_LINKED = (
    'I can\'t tell which channel "{text}" is: type # and pick it from the list so Slack links it, or say `here`.'
)
