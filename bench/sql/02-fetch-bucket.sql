-- fetch logs | filter dt.system.bucket == … | filter aws.service == "cloudtrail" (row count)
SELECT count(*) AS "rows"
FROM ev
WHERE "dt.system.bucket" = 'my_aws_bucket'
  AND "aws.service" = 'cloudtrail';
