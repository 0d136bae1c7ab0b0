# Every event (jq has no bucket or service: all events of the file qualify); the row count.
{rows: (.Records | length)}
