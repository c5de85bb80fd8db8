from django.core.management.base import BaseCommand, CommandParser

from propass.notifications.selectors import outbox_list


class Command(BaseCommand):
    help = "Lists stored e-mails (newest first) with their plain-text bodies, links included."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", default="", help="only messages to this address")
        parser.add_argument("--last", action="store_true", help="only the newest message")
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args: object, **options: object) -> None:
        messages = outbox_list(to=str(options["to"]))
        limit = 1 if options["last"] else int(options["limit"])  # type: ignore[call-overload]
        shown = list(messages[:limit])
        if not shown:
            self.stdout.write("The outbox is empty.")
            return
        for message in shown:
            self.stdout.write("=" * 72)
            self.stdout.write(f"#{message.pk}  {message.created_at:%Y-%m-%d %H:%M:%S %Z}  [{message.status}]")
            self.stdout.write(f"From:    {message.sender}")
            self.stdout.write(f"To:      {message.to}")
            self.stdout.write(f"Subject: {message.subject}")
            self.stdout.write("")
            self.stdout.write(message.body_text)
