"""Settings from the environment, read once by the command line and handed to the factories."""

from __future__ import annotations

from datetime import datetime

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_URL

SLACK_DEFAULT_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    # Many workspaces (bot/slack/installs.py): the app's OAuth credentials instead of one bot token.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_state_secret: SecretStr | None = None
    slack_redirect_uri: str | None = None
    planbot_encryption_key: SecretStr | None = None
    database_url: str = DEFAULT_URL
    slack_api_url: str = SLACK_DEFAULT_API_URL
    log_level: str = "INFO"
    # How often `planbot serve` checks for due summaries, in seconds.
    planbot_scheduler_interval: float = 60.0
    # How often `planbot serve` checks for reminders due, and the seconds between two reminder DMs.
    planbot_reminder_interval: float = 300.0
    planbot_reminder_pace: float = 1.0
    # For trials and tests only: the clock starts at this instant and runs on from there.
    planbot_clock_start: datetime | None = None

    @field_validator("planbot_scheduler_interval", "planbot_reminder_interval")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be more than 0 seconds")
        return value

    @field_validator("planbot_reminder_pace")
    @classmethod
    def _not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("must be 0 seconds or more")
        return value

    @field_validator("planbot_clock_start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a timezone, e.g. 2027-03-01T08:59:00Z")
        return value

    @property
    def api_url(self) -> str:
        """The Web API base URL in slack_sdk's form (ending in a slash)."""
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"

    @property
    def many_workspaces(self) -> bool:
        """Installed by OAuth in any number of workspaces, rather than with one bot token."""
        return bool(self.slack_client_id) and not (self.slack_bot_token and self.slack_bot_token.get_secret_value())

    def missing_for_many_workspaces(self) -> list[str]:
        return [
            name
            for name, value in (
                ("SLACK_CLIENT_SECRET", self.slack_client_secret),
                ("SLACK_STATE_SECRET", self.slack_state_secret),
                ("SLACK_SIGNING_SECRET", self.slack_signing_secret),
                ("PLANBOT_ENCRYPTION_KEY", self.planbot_encryption_key),
            )
            if value is None or not value.get_secret_value()
        ]

    def missing_for_http(self) -> list[str]:
        if self.many_workspaces:
            return self.missing_for_many_workspaces()
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
