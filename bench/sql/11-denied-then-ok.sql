-- Identities with denied calls, joined to their successful calls (join of two aggregations;
-- a null identity matches nothing, in DQL as in SQL).
WITH denied AS (
  SELECT userIdentity_arn AS "user", count(*) AS denied
  FROM ev
  WHERE "aws.service" = 'cloudtrail'
    AND errorCode IN ('AccessDenied', 'UnauthorizedOperation')
  GROUP BY ALL
), ok AS (
  SELECT userIdentity_arn AS "user", count(*) AS ok
  FROM ev
  WHERE errorCode IS NULL
  GROUP BY ALL
)
SELECT denied."user" AS "user", denied.denied AS "denied", ok.ok AS "ok"
FROM denied JOIN ok ON denied."user" = ok."user";
