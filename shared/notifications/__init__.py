"""Notifications: the email each event causes, to candidates and to HR, exactly once per event,
recipient and kind; preferences, one-click unsubscribe, a suppression list, a delivery log."""
