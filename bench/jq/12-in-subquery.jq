# Everything done from an address that was denied at least once, per eventName.
[.Records[]] as $all
| ($all | map(select((.errorCode == "AccessDenied" or .errorCode == "UnauthorizedOperation") and .sourceIPAddress != null)
          | {key: .sourceIPAddress, value: true}) | from_entries) as $ips
| $all
| map(select(.sourceIPAddress != null and $ips[.sourceIPAddress] == true))
| group_by(.eventName)
| map({eventName: .[0].eventName, "count()": length})
| .[]
