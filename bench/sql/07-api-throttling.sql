-- makeTimeseries count() by eventName of throttled calls.
WITH bins AS (
  SELECT eventName, time_bucket(INTERVAL 15 MINUTE, eventTime) AS bin, count(*) AS n
  FROM ev
  WHERE "dt.system.bucket" = 'my_aws_bucket'
  AND "aws.service" = 'cloudtrail'
    AND errorCode = 'Client.RequestLimitExceeded'
  GROUP BY ALL
)
SELECT eventName AS "eventName", sum(n)::BIGINT AS "count()", count(*) AS "bins"
FROM bins
GROUP BY ALL;
