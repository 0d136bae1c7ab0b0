-- fetch logs | filter aws.service == "cloudtrail"
-- DQL returns the rows (lazily); here only their count, which favours DuckDB.
SELECT count(*) AS "rows"
FROM ev
WHERE "aws.service" = 'cloudtrail';
