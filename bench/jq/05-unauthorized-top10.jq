# Access-denied calls per eventName in 15-minute bins; the 10 series with the highest average
# over their non-empty bins (as DQL's arrayAvg over a makeTimeseries array).
[.Records[]
 | select(.errorCode == "AccessDenied" or .errorCode == "UnauthorizedOperation")
 | {n: .eventName, b: (.eventTime | fromdateiso8601 / 900 | floor)}]
| group_by(.n)
| map({eventName: .[0].n, event_count: length, avg: (length / (map(.b) | unique | length))})
| sort_by(-.avg)
| .[:10][]
