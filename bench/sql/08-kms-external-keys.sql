-- KMS keys created with external key material (filterOut keeps rows whose origin is null).
SELECT
  eventName AS "eventName",
  requestParameters_origin AS "origin",
  responseElements_keyMetadata_keyUsage AS "keyUsage",
  awsRegion AS "region",
  userIdentity_arn AS "userARN",
  responseElements_keyMetadata_keyId AS "keyId"
FROM ev
WHERE "dt.system.bucket" = 'my_aws_bucket'
  AND "aws.service" = 'cloudtrail'
  AND eventName = 'CreateKey'
  AND NOT coalesce(starts_with(requestParameters_origin, 'AWS_'), false)
ORDER BY eventTime DESC;
