"""(being written)"""

from slack_bolt import App

from bot.slack.context import Deps


def register(app: App, deps: Deps) -> None:
    pass
