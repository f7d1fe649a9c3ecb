from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # Fuzzy matches guess a translation from a similar string and were wrong more often than
    # right here ("Notifications" became "Hủy vi phạm"): new strings stay empty until translated.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
