-- Everything done from an address that was denied at least once, per eventName
-- (`x in [sub-query]`; a null address is in nothing, in DQL as in SQL).
SELECT eventName AS "eventName", count(*) AS "count()"
FROM ev
WHERE "aws.service" = 'cloudtrail'
  AND sourceIPAddress IN (
    SELECT sourceIPAddress FROM ev
    WHERE errorCode IN ('AccessDenied', 'UnauthorizedOperation')
  )
GROUP BY ALL;
