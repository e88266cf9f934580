"""`planbot sandbox`: the real planbot app, the local Slack and a web page that plays the Slack
client, in one process on 127.0.0.1.

- `people`: who can be switched to on the page, and the demo plan they act on;
- `payloads`: the requests Slack sends an app when someone clicks or submits, built from what
  the local Slack holds;
- `client`: the part of Slack people use (typing a command, clicking, submitting a modal, the
  modal stack, App Home), sending each request signed to the app's own `/slack/events`;
- `web`: the WSGI app (the page, its JSON API, and planbot's own routes);
- `server`: starting it all, for the `planbot sandbox` command.
"""
