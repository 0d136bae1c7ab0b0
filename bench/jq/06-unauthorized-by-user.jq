# Access-denied calls per user and eventName (the series' totals).
[.Records[]
 | select(.errorCode == "AccessDenied" or .errorCode == "UnauthorizedOperation")
 | [.userIdentity.arn, .eventName]]
| group_by(.)[]
| {user: .[0][0], eventName: .[0][1], "count()": length}
