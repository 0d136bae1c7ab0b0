-- Query 10 parses the same ARN field with DPL: the same regexp_extract over the ARN column.
SELECT CAST(regexp_extract(userIdentity_arn, '^arn:aws:iam::([0-9]+):user/(.+)$', 1) AS BIGINT) AS "account",
       regexp_extract(userIdentity_arn, '^arn:aws:iam::([0-9]+):user/(.+)$', 2) AS "userName",
       count(*) AS "count()"
FROM ev
WHERE "dt.system.bucket" = 'my_aws_bucket'
  AND "aws.service" = 'cloudtrail'
  AND regexp_matches(userIdentity_arn, '^arn:aws:iam::([0-9]+):user/(.+)$')
GROUP BY ALL;
