-- makeTimeseries by eventName (15-minute bins, as the engine picks for a day of data), then
-- the 10 series with the highest average over their non-empty bins (arrayAvg skips nulls).
WITH bins AS (
  SELECT eventName, time_bucket(INTERVAL 15 MINUTE, eventTime) AS bin, count(*) AS n
  FROM ev
  WHERE "dt.system.bucket" = 'my_aws_bucket'
  AND "aws.service" = 'cloudtrail'
    AND errorCode IN ('AccessDenied', 'UnauthorizedOperation')
  GROUP BY ALL
)
SELECT eventName AS "eventName", sum(n)::BIGINT AS "event_count", avg(n) AS "avg"
FROM bins
GROUP BY ALL
ORDER BY "avg" DESC
LIMIT 10;
