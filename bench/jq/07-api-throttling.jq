# Throttled calls per eventName (the series' totals).
[.Records[] | select(.errorCode == "Client.RequestLimitExceeded") | .eventName]
| group_by(.)[]
| {eventName: .[0], "count()": length}
