-- The DPL parse of query 09 as DuckDB writes it: regexp_extract of the account (a number) and
-- the user name from IAM users' ARNs. Trailscope's query reads them out of each event's text
-- (`content`); DuckDB reads the ARN column of its table (it keeps no event text).
SELECT CAST(regexp_extract(userIdentity_arn, '^arn:aws:iam::([0-9]+):user/(.+)$', 1) AS BIGINT) AS "account",
       regexp_extract(userIdentity_arn, '^arn:aws:iam::([0-9]+):user/(.+)$', 2) AS "userName",
       count(*) AS "count()"
FROM ev
WHERE "dt.system.bucket" = 'my_aws_bucket'
  AND "aws.service" = 'cloudtrail'
  AND regexp_matches(userIdentity_arn, '^arn:aws:iam::([0-9]+):user/(.+)$')
GROUP BY ALL;
