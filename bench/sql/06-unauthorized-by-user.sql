-- makeTimeseries count() by user and eventName: counts per 15-minute bin, then per series.
WITH bins AS (
  SELECT userIdentity_arn AS "user", eventName, time_bucket(INTERVAL 15 MINUTE, eventTime) AS bin, count(*) AS n
  FROM ev
  WHERE "dt.system.bucket" = 'my_aws_bucket'
  AND "aws.service" = 'cloudtrail'
    AND errorCode IN ('AccessDenied', 'UnauthorizedOperation')
  GROUP BY ALL
)
SELECT "user", eventName AS "eventName", sum(n)::BIGINT AS "count()", count(*) AS "bins"
FROM bins
GROUP BY ALL;
