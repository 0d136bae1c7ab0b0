-- Failed console logins, by address, reason, region, user and MFA.
SELECT
  sourceIPAddress AS "ipAddr",
  errorMessage AS "reason",
  awsRegion AS "region",
  userIdentity_arn AS "userARN",
  additionalEventData_MFAUsed AS "MFAUsed",
  count(*) AS "count()"
FROM ev
WHERE "dt.system.bucket" = 'my_aws_bucket'
  AND "aws.service" = 'cloudtrail'
  AND eventSource = 'signin.amazonaws.com'
  AND eventName = 'ConsoleLogin'
  AND responseElements_ConsoleLogin = 'Failure'
GROUP BY ALL;
