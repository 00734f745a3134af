"""The one shape of a refusal by a business rule, shared by every app's domain functions."""


class RuleRefused(Exception):
    """A rule refused the action; ``message`` says why, in the reader's language (views show it
    as a form error or a message)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message
