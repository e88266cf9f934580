"""Words the Slack app says to people, in one place (tests assert on them)."""

UNEXPECTED = (
    "Sorry, something went wrong on our side (error id `{error_id}`). "
    "Please try again; if it keeps happening, give that id to whoever runs planbot."
)

# When the database fails (bot/slack/errors.py `explain`, bot/slack/deadline.py).
DATABASE_NOT_ANSWERING = "The plan's database is not answering, so nothing was changed. Please try again in a minute."
DATABASE_BUSY = (
    "The plan's database is busy with another change that is taking too long, so nothing was changed. "
    "Please try again in a minute."
)
DATABASE_READ_ONLY = (
    "The plan's database is read-only just now, so planbot can't save anything and nothing was changed. "
    "Please tell whoever runs planbot."
)
DATABASE_FULL = (
    "The disk holding the plan's database is full, so planbot can't save anything and nothing was changed. "
    "Please tell whoever runs planbot."
)
DATABASE_CANNOT_OPEN = (
    "planbot can't open the plan's database, so nothing was changed. Please tell whoever runs planbot."
)
DATABASE_SAVE_UNCONFIRMED = (
    "The plan's database stopped answering while saving this, so I can't tell whether it was saved. "
    "Look again in a minute (`/plan status`) before trying again."
)
STILL_WORKING = "This is taking longer than Slack waits for. I'll tell you here when it's done."
TOO_SLOW = "planbot is too busy to answer just now, so nothing was changed. Please try again in a minute."

# The periodic summary in Slack (bot/slack/summary_blocks.py): packing it into a thread, the
# preview with its "Post to channel" button, and its schedule (bot/slack/summary_commands.py).
SUMMARY_CONTINUED = "*{heading}* (continued)"
SUMMARY_MORE = "_…and {count} more, in full in the thread._"
SUMMARY_THREAD_NOTE = "In this message's thread ({count} replies): {parts}."
SUMMARY_THREAD_CHANGES = "every change"
SUMMARY_THREAD_EXCEPTIONS = "every exception"
SUMMARY_THREAD_DUE_SOON = "everything due soon"
SUMMARY_THREAD_SLIPPAGE = "every action that slipped"
SUMMARY_DETAIL_TEXT = "{title}: detail, part {part} of {count}"
SUMMARY_USAGE = "Usage: `/plan summary [PLAN] [MONTH]`, for example `/plan summary ppr March 2027`."
SUMMARY_PREVIEW_TEXT = "Preview: {title}"
SUMMARY_PREVIEW_NOTE = "Preview, only you can see it."
SUMMARY_PREVIEW_THREAD = "When posted, the detail follows in {count} replies in its thread."
SUMMARY_PREVIEW_POSTED = "The {period} summary was posted to <#{channel}> on {when}."
SUMMARY_PREVIEW_NO_CHANNEL = (
    "Plan `{plan}` has no channel for its summaries yet: `/plan schedule {plan} here` sets this one."
)
POST_TO_CHANNEL = "Post to channel"
POST_CONFIRM_TITLE = "Post the summary?"
POST_CONFIRM_TEXT = (
    "Post the {period} summary of `{plan}` to <#{channel}>, for everyone there to see? It is posted once."
)
POST_CONFIRM_YES = "Post it"
POST_CONFIRM_NO = "Not yet"
SUMMARY_POSTED = "Posted the {period} summary of `{plan}` to <#{channel}>."
SUMMARY_POSTED_LINK = "Posted the {period} summary of `{plan}` to <#{channel}>: <{link}|see it>."
SUMMARY_ALREADY_POSTED = (
    "The {period} summary of `{plan}` was already posted to <#{channel}> on {when}; it is posted only once."
)
SUMMARY_BUSY = "Another planbot is posting the {period} summary of `{plan}` right now; look in its channel in a minute."
SUMMARY_LOST = (
    "Posted the {period} summary of `{plan}` to <#{channel}>, but another planbot took the period over "
    "meanwhile: look in the channel for a second copy."
)
SUMMARY_FAILED = (
    "Could not post the {period} summary of `{plan}`: {error}."
    " Nothing was recorded as posted, so it can be tried again."
)
SCHEDULE_USAGE = (
    "Usage: `/plan schedule [PLAN] monthly|quarterly|quarterly or by exception|by exception|off|RRULE:… "
    "[#channel|here]`, for example `/plan schedule ppr quarterly or by exception here`."
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

# The /plan command and the messages it draws (bot/slack/commands.py, blocks.py, messages.py).
HELP_TITLE = "planbot: the action plan, in Slack"
HELP_FALLBACK = "planbot: `/plan status`, `overdue`, `due`, `mine`, `show REF`, `done`, `extend`, `note`, `summary`."
HELP_INTRO = (
    "Ask `/plan` where the plan stands, and change an action without leaving Slack. "
    "Replies are visible only to you; *Share in channel* posts one for everyone. "
    "A plan key is optional when this channel, or the workspace, has only one plan."
)
HELP_COMMANDS = (
    ("`/plan status [PLAN]`", "RAG counts, progress, each recommendation with its actions", "/plan status ppr"),
    ("`/plan overdue [PLAN]`", "what is late, who owns it, and why", "/plan overdue"),
    ("`/plan due [DAYS]`", "open actions due in the next DAYS days (30 unless you say)", "/plan due 14"),
    ("`/plan mine`", "the actions owned by your roles, across plans", "/plan mine"),
    ("`/plan show REF`", "one action in full, with its history", "/plan show 4.1"),
    ("`/plan done REF [note]`", "mark an action complete", "/plan done 4.1 Signed off by the board"),
    ("`/plan extend REF DATE reason…`", "revise the due date (a reason is required)",
     "/plan extend 4.1 31/03/2027 Recruitment delayed"),
    ("`/plan note REF text…`", "add an update", "/plan note 4.1 Interviews booked for March"),
    ("`/plan summary [PLAN] [MONTH]`", "preview the monthly summary (only you see it)", "/plan summary ppr Oct 2026"),
    ("`/plan slippage [PLAN]`", "baseline against current dates: what slipped, by how much, why", "/plan slippage"),
    ("`/plan reminders [mute|unmute]`", "your reminders on or off; admins: the plan's settings",
     "/plan reminders mute"),
    ("`/plan evidence REF URL [description]`", "attach evidence (`evidence remove REF N` takes item N off)",
     "/plan evidence 4.1 https://docs.example.org/target.pdf Target signed off"),
    ("`/plan block REF reason…` / `unblock REF`", "the action waits on someone outside the organisation",
     "/plan block 3.1 Waiting for the NFCC framework"),
    ("`/plan reviews [PLAN]`", "effectiveness reviews: is each improvement embedded?", "/plan reviews"),
    ("`/plan settings [PLAN]`", "admins: the board paper's cover fields and sections, in a form",
     "/plan settings ppr"),
)
HELP_ADMIN = (
    "*For plan admins:* `/plan owner \"ROLE\" @user` says who holds a role "
    "(`/plan owner remove \"ROLE\" @user` undoes it); `/plan admin add @user` and `/plan admin remove @user`; "
    "`/plan role rename \"OLD\" \"NEW\"` and `/plan role merge \"FROM\" \"INTO\"` put a role's names right; "
    "`/plan close [PLAN]` closes the plan (each open action completed or moved to business as usual) and "
    "`/plan reopen [PLAN]` reopens it; `/plan closing [PLAN] evidence on|off reviews 6|off` sets whether "
    "completing needs evidence and when effectiveness reviews fall due."
)
HELP_DATES = "Dates are day first: `31/12/2026`, `2026-12-31` or `31 Dec 2026`."
UNKNOWN_COMMAND = "I don't know `/plan {word}`. Here is what I can do:"
DID_YOU_MEAN = "I don't know `/plan {word}`. Did you mean `/plan {suggestion}`?"
UNCLOSED_QUOTE = 'A quote is not closed: put role names in straight double quotes, like `"Head of Protection"`.'
NEEDS_REF = "Which action? Give its reference, like `/plan {command} 4.1`."
EXTEND_USAGE = "Give the action, the new date and a reason, like `/plan extend 4.1 31/03/2027 Recruitment delayed`."
EXTEND_NEEDS_DATE = "Give the new due date after the reference, like `/plan extend {ref} 31/03/2027 reason…`."
EXTEND_NEEDS_REASON = "Please give a reason for the new date, like `/plan extend {ref} {date} Recruitment delayed`."
NOTE_NEEDS_TEXT = "What is the update? Write it after the reference, like `/plan note {ref} Interviews booked`."
DUE_DAYS = "Give the number of days as a whole number from 1 to {most}, like `/plan due 30`."
TOO_MANY_ARGS = "`/plan {command}` takes {takes}; I did not understand `{extra}`."
OWNER_USAGE = (
    'Say which role and who holds it, like `/plan owner "Head of Protection" @alice`'
    ' (or `/plan owner remove "ROLE" @user`).'
)
ADMIN_USAGE = "Say what to do and to whom, like `/plan admin add @alice` or `/plan admin remove @alice`."
NOT_A_MENTION = "`{text}` is not a person: mention them with @, like `@alice`."
DONE = "Marked *{ref}* complete."
EXTENDED = "*{ref}* is now due on {date}."
NOTED = "Added your update to *{ref}*."
REOPENED = "Reopened *{ref}*."
ROLE_MAPPED = "<@{user}> now holds the role *{role}*."
ROLE_UNMAPPED = "<@{user}> no longer holds the role *{role}*."
ADMIN_ADDED = "<@{user}> is now an admin of `{plan}`."
ADMIN_REMOVED = "<@{user}> is no longer an admin of `{plan}`."
NOT_AVAILABLE = "`/plan {command}` is not available yet."
SHARE = "Share in channel"
SHARED = "Shared in <#{channel}>."
SHARE_FAILED = "I couldn't post in <#{channel}> (`{error}`). Invite me with `/invite @planbot`, then try again."
SHARE_UNAVAILABLE = "I couldn't share this in <#{channel}> just now ({problem}). Please try again in a minute."
NEXT_PAGE = "Next page"
PREVIOUS_PAGE = "Previous page"
DETAILS = "Details"
MARK_COMPLETE = "Mark complete"
REVISE_DATE = "Revise date"
ADD_UPDATE = "Add update"
REOPEN = "Reopen"
CONFIRM_COMPLETE_TITLE = "Mark complete?"
CONFIRM_COMPLETE_TEXT = "Mark {ref} ({title}) complete? It turns green for everyone following the plan."
CONFIRM_COMPLETE_YES = "Mark complete"
CONFIRM_COMPLETE_NO = "Cancel"
SHOWING = "Showing {first}–{last} of {total} {noun}"
RAG_LINE = "{red_emoji} *{red}* overdue   {amber_emoji} *{amber}* on track   {green_emoji} *{green}* complete"
PROGRESS_LINE = "*{percent}% complete*: {green} of {total} actions across {recommendations} recommendations"
STATUS_FALLBACK = "{title}: {red} overdue, {amber} on track, {green} complete ({percent}% complete)."
PLAN_EMPTY = "Plan `{plan}` has no actions yet."
PLAN_CLOSED = "This plan is closed."
AS_OF = "Plan `{plan}` · as of {date}"
NO_OWNER = "no owner"
NOBODY_MAPPED = "nobody mapped yet"
OVERDUE_TITLE = "Overdue: {title}"
OVERDUE_NONE = "Nothing in `{plan}` is overdue."
OVERDUE_FALLBACK = "{count} overdue in {plan}."
DUE_TITLE = "Due in the next {days} days: {title}"
DUE_NONE = "No open action in `{plan}` is due in the next {days} days."
DUE_FALLBACK = "{count} open actions in {plan} due in the next {days} days."
MINE_TITLE = "Your actions"
MINE_ROLES = "Your roles: {roles}"
MINE_NONE = "None of your roles has an open action. Nicely done."
MINE_FALLBACK = "You have {count} open actions."
MINE_NO_ROLES = (
    "You don't hold an owner role yet, so no action is yours. A plan admin{admins} can map you: "
    '`/plan owner "Head of Protection" @you`.'
)
LATEST_REASON = "_Latest:_ {reason}"
SHOW_FALLBACK = "{ref}: {title} ({rag})"
SHOW_BASELINE = "Original date"
SHOW_SLIPPAGE = "Slippage"
SHOW_AGAINST_BOTH = "Against both dates"
SLIPPAGE_TITLE = "Slippage: {title}"
SLIPPAGE_NONE = "No action in `{plan}` has slipped: every due date is its original one."
SLIPPAGE_REASONS = "_Reasons given:_ {reasons}"
SLIPPAGE_FALLBACK = "Slippage in {plan}: {line}"
ROLE_USAGE = (
    'Say what to do, like `/plan role rename "Corporate comms." "Corporate Comms"` or '
    '`/plan role merge "Head of Protection and Prevention" "Head of Prevention and Protection"`.'
)
ROLE_RENAMED = "The role *{old}* is now called *{new}*; whoever held it still does, and the old name still finds it."
ROLE_MERGED = "The role *{source}* is now part of *{target}*: its actions and the people who held it moved over."
SHOW_HISTORY = "*History* (newest first)"
SHOW_NO_HISTORY = "No history yet."
SHOW_HISTORY_CUT = "Showing the latest {count} events."

# Buttons, modals and App Home (bot/slack/interactions.py, modals.py, home.py).
REDRAW_LOST = (
    "{said} I could not update the message you clicked, though, so it may be out of date: "
    "`/plan show {ref}` shows the action as it is now."
)
CLICK_AGAIN = "That took too long for Slack to open the form. Please click the button again."
MODAL_SAVE = "Save"
MODAL_CANCEL = "Cancel"
MODAL_CLOSE = "Close"
REVISE_MODAL_TITLE = "Revise due date"
REVISE_MODAL_ACTION = "*{ref}* {title}\nDue {due}{original}"
REVISE_MODAL_ORIGINAL = " (originally {date})"
REVISE_MODAL_DATE = "New due date"
REVISE_MODAL_REASON = "Why is it moving?"
REVISE_MODAL_REASON_HINT = "Everyone following the plan sees this reason beside the new date."
REVISE_MODAL_PICK_DATE = "Please pick the new due date."
NOTE_MODAL_TITLE = "Add an update"
NOTE_MODAL_ACTION = "*{ref}* {title}"
NOTE_MODAL_TEXT = "Update"
NOTE_MODAL_HINT = "What has happened since the last update?"
HOME_RED = "Overdue"
HOME_AMBER = "On track"
HOME_GREEN = "Completed in the last {days} days"
HOME_MORE = "… and {count} more: use `/plan mine`"
HOME_PLANS = "Plans"
HOME_NO_PLANS = "There are no open plans yet. Import one with `planbot import`."
HOME_PLAN_LINE = (
    "*{key}* · {title}\n"
    "{red_emoji} {red} overdue   {amber_emoji} {amber} on track   {green_emoji} {green} complete"
    "   *{percent}% complete*"
)
HOME_MORE_PLANS = "… and {count} more plans."
HOME_UPDATED = "Updated {date}"
ACTION_GONE = "That action no longer exists: it may have been removed from the plan. Try `/plan status`."

# What to do next, after a domain error (bot/slack/errors.py `say`).
HINT_SEE_STATUS = "Try `/plan status`."
HINT_SET_SUMMARY_CHANNEL = (
    "Set one with `/plan schedule {plan} here` or `planbot schedule {plan} --channel C0123456789`."
)
MAPPED_USER_UNKNOWN = (
    "I couldn't look up {user} in Slack (`{error}`), so I can't tell which organisation they belong to. "
    "Nothing was changed; please try again."
)


# Reminders (bot/slack/reminders.py): the DM, the admins' digest, the channel escalation,
# `/plan reminders` and the App Home mute control.
REMINDER_TITLE = "Reminders for {day}"
REMINDER_OWNED = "*{count} of yours {verb} a look*, most urgent first:"
REMINDER_NOW_COMPLETE = "Complete now"
REMINDER_NOW_REVISED = "Now due {date}"
REMINDER_UNHELD = "*{count} owned by roles nobody holds*, so nobody else is reminded of them:"
REMINDER_UNHELD_HINT = 'Map someone to each role with `/plan owner "ROLE" @person`.'
REMINDER_ESCALATED = "*Overdue for more than {days} working days* (your weekly digest as a plan admin):"
REMINDER_LINE = "• {plan}*{ref}* {title}\n    {owners} · {label} (due {due})"
REMINDER_LATEST = " · _Latest:_ {reason}"
REMINDER_LEFT_OUT = "…and {count} more, in your next reminders; `/plan mine` lists them all."
REMINDER_FOOTER = (
    "planbot reminds owners before and after due dates, on working days. "
    "`/plan mine` lists all your actions; `/plan reminders mute` stops these messages."
)
REMINDER_FALLBACK = "Reminders for {day}: {parts}."
REMINDER_FALLBACK_OWNED = "{count} of your actions"
REMINDER_FALLBACK_ADMIN = "{count} for plan admins"
REMINDER_GONE = "That reminder is no longer on record. `/plan mine` lists your actions."
REMINDER_CHANNEL_TITLE = "Long overdue: {title}"
REMINDER_CHANNEL_INTRO = "*{count} overdue for more than {days} working days.* Each is posted here once."
REMINDER_CHANNEL_FALLBACK = "{count} actions of {plan} are overdue for more than {days} working days."
REMINDERS_USAGE = (
    "Usage: `/plan reminders [PLAN] show|on|off`, `hour 9`, `soon 14`, `near 3`, `escalate 10`, "
    "`channel 20`, `channel on|off` (admins), or `/plan reminders mute|unmute` for yourself."
)
REMINDERS_SHOW = (
    "*Reminders of `{plan}`: {state}.* Owners hear of each action {soon} days before it is due, {near} days "
    "before, on the day, and each week while it is overdue: one message a working day, from {hour}:00 "
    "their time (never before 08:00 or after 18:00). Admins get, on the first working day of each week, "
    "every action overdue for more than {escalate} working days. The plan's channel hears once of each "
    "action overdue for more than {channel} working days: {channel_state}."
)
REMINDERS_YOU = "You: {state}."
REMINDERS_YOU_ON = "reminders on (`/plan reminders mute` stops them)"
REMINDERS_YOU_MUTED = "muted (`/plan reminders unmute` starts them again)"
REMINDERS_CHANGED = "Done."
REMINDERS_UNCHANGED = "That is already how it is set."
REMINDERS_MUTED = "Reminders muted: planbot sends you none until you unmute them (`/plan reminders unmute`)."
REMINDERS_UNMUTED = "Reminders back on: planbot reminds you of your actions before and after their due dates."
REMINDERS_ALREADY_MUTED = "Your reminders are already muted."
REMINDERS_ALREADY_ON = "Your reminders are already on."
HOME_REMINDERS_ON = "*Reminders:* on, one message a working day when an action of yours nears or passes its date."
HOME_REMINDERS_MUTED = "*Reminders:* muted. planbot sends you none."
MUTE_REMINDERS = "Mute reminders"
UNMUTE_REMINDERS = "Unmute reminders"


# Closing the loop (bot/slack/closing.py, modals.py): evidence, blocked by others, closing a plan
# into business as usual, effectiveness reviews.
APART_BAU = "{emoji} *{count}* business as usual"
APART_BLOCKED = "⛔ *{count}* blocked on others"
BLOCKED_LINE = "⛔ _Blocked on others since {since}:_ {reason}"
BAU_LINE = "{emoji} _Business as usual:_ {where}"
ADD_EVIDENCE = "Add evidence"
EVIDENCE_USAGE = (
    "Give the action, the link and what it shows, like "
    "`/plan evidence 4.1 https://docs.example.org/target.pdf Performance target signed off`; "
    "`/plan evidence remove 4.1 2` takes item 2 off."
)
EVIDENCE_ADDED = "Added evidence to *{ref}* (item {number}): <{url}|{label}>."
EVIDENCE_REMOVED = "Took evidence item {number} off *{ref}*; it stays in the audit trail."
EVIDENCE_NUMBER = "Say which item to take off by its number, like `/plan evidence remove {ref} 2`."
SHOW_EVIDENCE = "*Evidence*"
SHOW_NO_EVIDENCE = "_No evidence yet._"
SHOW_NO_EVIDENCE_REQUIRED = "_No evidence yet; this plan needs some before an action is complete._"
EVIDENCE_LINE = "{number}. <{url}|{label}> · {who}, {when}"
EVIDENCE_MODAL_TITLE = "Add evidence"
EVIDENCE_MODAL_TITLE_TO_COMPLETE = "Evidence to complete"
EVIDENCE_MODAL_ACTION = "*{ref}* {title}"
EVIDENCE_MODAL_NEEDED = (
    "This plan needs evidence before an action is complete. Add it here, and *{ref}* is marked complete."
)
EVIDENCE_MODAL_URL = "Link"
EVIDENCE_MODAL_URL_HINT = "A document, a web page, or a Slack message or file (⋮ → Copy link)."
EVIDENCE_MODAL_DESCRIPTION = "What it shows"
EVIDENCE_AND_DONE = "Added evidence to *{ref}* and marked it complete."
BLOCK_USAGE = "Say what the action waits on, like `/plan block 2.1 Waiting for the NFCC's competency framework`."
BLOCKED = "*{ref}* is blocked on others: {reason}."
UNBLOCKED = "*{ref}* is no longer blocked."
CLOSE_MODAL_TITLE = "Close the plan"
CLOSE_MODAL_OPENED = "The form to close `{plan}` is open: decide each open action there."
CLOSE_MODAL_SUBMIT = "Close the plan"
CLOSE_MODAL_NEXT = "Save and go on"
CLOSE_MODAL_INTRO = (
    "*Close `{plan}`* ({title}). Decide each open action: *complete*, or *business as usual* with where it "
    "now lives. Closing makes the plan read-only, stops its summaries and reminders, and posts the closure "
    "report to its channel."
)
CLOSE_MODAL_PAGE = (
    "Open actions {first}–{last} of {total}. Saving this page records these decisions; the rest follow."
)
CLOSE_MODAL_NONE = "Every action is complete or in business as usual: closing records it and posts the report."
CLOSE_DECISION = "What becomes of it?"
CLOSE_COMPLETE = "Complete"
CLOSE_BAU = "Business as usual"
CLOSE_WHERE = "Where it now lives"
CLOSE_WHERE_HINT = "A service plan, a team, a programme."
CLOSE_NOTE = "Note"
CLOSE_PICK = "Decide this action: complete, or business as usual."
CLOSED = (
    "Closed plan `{plan}`: {completed} completed and {moved} moved to business as usual at closing; "
    "{reviews} effectiveness reviews scheduled."
)
CLOSED_REPORT_POSTED = " The closure report is in <#{channel}>."
CLOSED_REPORT_NOT_POSTED = (
    " The plan has no channel, so the closure report was not posted: `planbot report {plan} --closure` prints it."
)
CLOSED_REPORT_FAILED = (
    " Posting the closure report to <#{channel}> failed ({error}): `planbot report {plan} --closure` prints it."
)
REOPENED_PLAN = "Reopened plan `{plan}`: it takes changes again, and its summaries and reminders start again."
CLOSING_SETTINGS_USAGE = "Usage: `/plan closing [PLAN] [evidence on|off] [reviews MONTHS|off]` (admins)."
CLOSING_SETTINGS = (
    "*Plan `{plan}`*: evidence {evidence} before an action is complete; effectiveness reviews {reviews}."
)
CLOSING_REQUIRED = "is required"
CLOSING_NOT_REQUIRED = "is not required"
CLOSING_REVIEWS_EVERY = "{months} months after completion"
CLOSING_REVIEWS_OFF = "off"
REVIEWS_TITLE = "Effectiveness reviews: {title}"
REVIEWS_NONE = "No effectiveness review of `{plan}` is scheduled yet."
REVIEWS_DUE = "*{count} due now*: is the improvement embedded?"
REVIEWS_LATER = "*Scheduled*"
REVIEWS_ANSWERED = "*Answered*"
REVIEW_LINE = "*{ref}* {title}\n{owners} · review due {due}"
REVIEW_ANSWER_LINE = "*{ref}* {title}\n{outcome} on {when} by {who}{comment}"
REVIEWS_MORE = "…and {count} more."
REVIEWS_FALLBACK = "Effectiveness reviews of {plan}: {due} due now."
REVIEW_YES = "Yes, embedded"
REVIEW_NOT_YET = "Not yet"
REVIEW_MODAL_TITLE_YES = "It is embedded"
REVIEW_MODAL_TITLE_NOT_YET = "Not embedded yet"
REVIEW_MODAL_ACTION = "*{ref}* {title}\nIs this improvement embedded?"
REVIEW_MODAL_COMMENT = "How do you know?"
REVIEW_MODAL_LINK = "Evidence (a link)"
REVIEW_MODAL_REASON = "Why not yet?"
REVIEW_MODAL_NEXT = "Review it again on"
REVIEW_DONE_YES = "*{ref}* is verified: the improvement is embedded."
REVIEW_DONE_NOT_YET = "*{ref}* stays under review; the next review is on {date}."
HOME_REVIEWS = "Effectiveness reviews due"
CLOSURE_IN_THREAD = "The rest of the report is in this message's thread ({count} replies)."
# `/plan settings`: the board paper settings modal.
PAPER_MODAL_TITLE = "Board paper"
PAPER_MODAL_INTRO = ("The board paper of plan `{plan}`: its cover and the sections a summary has not. "
                     "A section left empty is left out of the paper.")
PAPER_MODAL_HINTS = {
    "meeting_date": "Day first, like 30/09/2021.",
    "for_publication": "yes or no.",
    "attach": "What the posted summary shares in its thread: pdf, docx or off.",
}
PAPER_SETTINGS_AGAIN = "Slack did not open the form in time. Please type `/plan settings` again."
PAPER_SETTINGS_OPENED = "The board paper settings of plan `{plan}` are open in a form."
PAPER_SETTINGS_SAVED = "Saved the board paper settings of plan `{plan}`: {changed}."
PAPER_SETTINGS_UNCHANGED = "Nothing to change in the board paper settings of plan `{plan}`."
SUMMARY_PAPER_REFUSED = " Its board paper was not shared in the thread: {error} (the app needs the files:write scope)."
