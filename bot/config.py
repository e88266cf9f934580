"""Settings from the environment, read once by the command line and handed to the factories."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_URL

SLACK_DEFAULT_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    database_url: str = DEFAULT_URL
    slack_api_url: str = SLACK_DEFAULT_API_URL
    log_level: str = "INFO"

    @property
    def api_url(self) -> str:
        """The Web API base URL in slack_sdk's form (ending in a slash)."""
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"

    def missing_for_http(self) -> list[str]:
        return [
            name
            for name, value in (
                ("SLACK_BOT_TOKEN", self.slack_bot_token),
                ("SLACK_SIGNING_SECRET", self.slack_signing_secret),
            )
            if value is None or not value.get_secret_value()
        ]

    def missing_for_socket(self) -> list[str]:
        missing = [] if self.slack_bot_token and self.slack_bot_token.get_secret_value() else ["SLACK_BOT_TOKEN"]
        if not (self.slack_app_token and self.slack_app_token.get_secret_value()):
            missing.append("SLACK_APP_TOKEN")
        return missing
