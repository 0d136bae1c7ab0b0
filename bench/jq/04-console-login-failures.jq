# Failed console logins, by address, reason, region, user and MFA.
[.Records[]
 | select(.eventSource == "signin.amazonaws.com"
          and .eventName == "ConsoleLogin"
          and .responseElements.ConsoleLogin == "Failure")
 | [.sourceIPAddress, .errorMessage, .awsRegion, .userIdentity.arn, .additionalEventData.MFAUsed]]
| group_by(.)[]
| {ipAddr: .[0][0], reason: .[0][1], region: .[0][2], userARN: .[0][3], MFAUsed: .[0][4],
   "count()": length}
