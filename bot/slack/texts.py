"""Words the Slack app says to people, in one place (tests assert on them)."""

UNEXPECTED = (
    "Sorry, something went wrong on our side (error id `{error_id}`). "
    "Please try again; if it keeps happening, give that id to whoever runs planbot."
)
