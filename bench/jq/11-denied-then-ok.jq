# Identities with denied calls, joined to their successful calls (null identities never match).
[.Records[]] as $all
| ($all | map(select(.errorCode == null and .userIdentity.arn != null))
   | group_by(.userIdentity.arn) | map({key: .[0].userIdentity.arn, value: length}) | from_entries) as $ok
| $all
| map(select((.errorCode == "AccessDenied" or .errorCode == "UnauthorizedOperation") and .userIdentity.arn != null))
| group_by(.userIdentity.arn)
| map(select($ok[.[0].userIdentity.arn] != null)
      | {user: .[0].userIdentity.arn, denied: length, ok: $ok[.[0].userIdentity.arn]})
| .[]
