# KMS keys created with external key material (an event without origin is kept, as filterOut
# keeps rows whose condition is null).
.Records[]
| select(.eventName == "CreateKey")
| select(.requestParameters.origin | if type == "string" then startswith("AWS_") else false end | not)
| {eventName, origin: .requestParameters.origin, keyUsage: .responseElements.keyMetadata.keyUsage,
   region: .awsRegion, userARN: .userIdentity.arn, keyId: .responseElements.keyMetadata.keyId}
