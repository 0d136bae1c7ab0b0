-- … | parse content, "JSON:event": the table is already parsed, so this is 02 again.
SELECT count(*) AS "rows"
FROM ev
WHERE "dt.system.bucket" = 'my_aws_bucket'
  AND "aws.service" = 'cloudtrail';
