//! `trailscope gen`: a deterministic generator of realistic CloudTrail exports, for the bundled
//! sample and for benchmarks. The same seed gives byte-identical output.
//!
//! The mix: IAM users, assumed roles with session context, AWS services and the root user;
//! services and event names in proportions typical of a production account; AccessDenied,
//! UnauthorizedOperation and throttling errors; console sign-ins with failures and MFA flags;
//! KMS CreateKey with AWS_KMS and EXTERNAL key material. About 1.2 KB of JSON per event.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use trailscope_engine::time::{format_timestamp, NS_PER_SEC};
use trailscope_engine::value::write_json_string;

/// SplitMix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(u64::from(total)) as u32;
        for (it, w) in items {
            if r < *w {
                return it;
            }
            r -= w;
        }
        &items[0].0
    }
    pub fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::new();
        while s.len() < n {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(n);
        s
    }
    pub fn upper_alnum(&mut self, n: usize) -> String {
        const C: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        (0..n).map(|_| C[self.below(32) as usize] as char).collect()
    }
}

/// A stable pseudo-random id for a name (the same name gives the same id).
fn stable(account: &str, name: &str, n: usize) -> String {
    let seed = account
        .bytes()
        .chain(name.bytes())
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    Rng::new(seed).upper_alnum(n)
}

/// A tiny JSON writer that keeps key order.
struct Obj(String);

impl Obj {
    fn new() -> Self {
        Obj(String::from("{"))
    }
    fn key(&mut self, k: &str) -> &mut Self {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        write_json_string(&mut self.0, k);
        self.0.push(':');
        self
    }
    fn s(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        write_json_string(&mut self.0, v);
        self
    }
    fn raw(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        self.0.push_str(v);
        self
    }
    fn b(&mut self, k: &str, v: bool) -> &mut Self {
        self.raw(k, if v { "true" } else { "false" })
    }
    fn done(&mut self) -> String {
        self.0.push('}');
        std::mem::take(&mut self.0)
    }
}

const ACCOUNTS: &[&str] = &["111122223333", "444455556666", "777788889999"];
const REGIONS: &[(&str, u32)] = &[
    ("us-east-1", 50),
    ("eu-west-1", 20),
    ("us-west-2", 15),
    ("eu-central-1", 10),
    ("ap-southeast-2", 5),
];
const USERS: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "svc-backup",
    "ci-bot",
    "terraform",
];
const ROLES: &[(&str, &str)] = &[
    ("OrganizationAccountAccessRole", "alice@example.com"),
    ("ci-deployer", "gh-actions-4711"),
    ("AdminRole", "bob@example.com"),
    ("ReadOnly", "auditor@example.com"),
    ("lambda-orders-exec", "orders-handler"),
    ("eks-nodegroup-NodeInstanceRole", "i-0a1b2c3d4e5f60718"),
    ("DevOpsRole", "mallory"),
];
const SERVICES: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "cloudformation.amazonaws.com",
    "autoscaling.amazonaws.com",
    "config.amazonaws.com",
];
const IPS: &[&str] = &[
    "203.0.113.45",
    "198.51.100.23",
    "192.0.2.77",
    "203.0.113.200",
    "198.51.100.9",
    "52.95.110.1",
    "34.201.7.64",
    "10.0.12.34",
];
const AGENTS: &[&str] = &[
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/ec2.describe-instances",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
    "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.51.3",
    "Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.41.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.51.1",
    "console.amazonaws.com",
    "AWS Internal",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
];

/// (eventSource, eventName, readOnly, weight). Data events (S3 objects, Lambda invokes) dominate,
/// as they do in accounts that log them.
const CALLS: &[((&str, &str, bool), u32)] = &[
    (("s3.amazonaws.com", "GetObject", true), 140),
    (("s3.amazonaws.com", "PutObject", false), 60),
    (("s3.amazonaws.com", "ListBuckets", true), 10),
    (("s3.amazonaws.com", "GetBucketPolicy", true), 8),
    (("s3.amazonaws.com", "GetBucketAcl", true), 8),
    (("ec2.amazonaws.com", "DescribeInstances", true), 60),
    (("ec2.amazonaws.com", "DescribeSecurityGroups", true), 20),
    (("ec2.amazonaws.com", "DescribeVolumes", true), 15),
    (("ec2.amazonaws.com", "RunInstances", false), 4),
    (("ec2.amazonaws.com", "CreateTags", false), 6),
    (
        ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false),
        2,
    ),
    (("sts.amazonaws.com", "AssumeRole", true), 70),
    (("sts.amazonaws.com", "GetCallerIdentity", true), 25),
    (("iam.amazonaws.com", "ListUsers", true), 6),
    (("iam.amazonaws.com", "GetUser", true), 6),
    (("iam.amazonaws.com", "ListRoles", true), 6),
    (("iam.amazonaws.com", "CreateUser", false), 1),
    (("iam.amazonaws.com", "AttachUserPolicy", false), 1),
    (("iam.amazonaws.com", "CreateAccessKey", false), 1),
    (("kms.amazonaws.com", "Decrypt", true), 60),
    (("kms.amazonaws.com", "GenerateDataKey", true), 30),
    (("kms.amazonaws.com", "DescribeKey", true), 8),
    (("kms.amazonaws.com", "CreateKey", false), 1),
    (("lambda.amazonaws.com", "Invoke", false), 40),
    (("lambda.amazonaws.com", "ListFunctions20150331", true), 4),
    (("logs.amazonaws.com", "CreateLogStream", false), 20),
    (("secretsmanager.amazonaws.com", "GetSecretValue", true), 12),
    (("ssm.amazonaws.com", "GetParameter", true), 15),
    (("dynamodb.amazonaws.com", "DescribeTable", true), 10),
    (("cloudtrail.amazonaws.com", "LookupEvents", true), 3),
    (("cloudtrail.amazonaws.com", "DescribeTrails", true), 2),
    (("signin.amazonaws.com", "ConsoleLogin", false), 6),
];

pub struct Event {
    pub time_ns: i64,
    pub account: &'static str,
    pub region: &'static str,
    pub json: String,
}

/// Generates `n` events between `start_ns` and `start_ns + span_ns`, oldest first.
pub fn events(n: usize, seed: u64, start_ns: i64, span_ns: i64) -> Vec<Event> {
    let mut rng = Rng::new(seed);
    let mut times: Vec<i64> = (0..n)
        .map(|_| start_ns + (rng.below(span_ns.max(1) as u64) as i64 / NS_PER_SEC) * NS_PER_SEC)
        .collect();
    times.sort_unstable();
    times.into_iter().map(|t| event(&mut rng, t)).collect()
}

fn identity(rng: &mut Rng, account: &str, event_source: &str, t: i64) -> (String, Option<String>) {
    let kind = rng.weighted(&[
        ("IAMUser", 25u32),
        ("AssumedRole", 55),
        ("AWSService", 15),
        ("Root", 2),
        ("FederatedUser", 3),
    ]);
    // Identities have stable ids and a few access keys each (sessions), as in real trails.
    let ak = format!(
        "AKIA{}",
        stable(account, &format!("key{}", rng.below(4)), 16)
    );
    let mut o = Obj::new();
    let arn = match *kind {
        "IAMUser" => {
            let u = rng.pick(USERS);
            let arn = format!("arn:aws:iam::{account}:user/{u}");
            o.s("type", "IAMUser")
                .s("principalId", &format!("AIDA{}", stable(account, u, 17)))
                .s("arn", &arn)
                .s("accountId", account)
                .s("accessKeyId", &ak)
                .s("userName", u);
            Some(arn)
        }
        "AssumedRole" => {
            let (role, session) = rng.pick(ROLES);
            let role_id = format!("AROA{}", stable(account, role, 17));
            let arn = format!("arn:aws:sts::{account}:assumed-role/{role}/{session}");
            let mut issuer = Obj::new();
            issuer
                .s("type", "Role")
                .s("principalId", &role_id)
                .s("arn", &format!("arn:aws:iam::{account}:role/{role}"))
                .s("accountId", account)
                .s("userName", role);
            let mut attrs = Obj::new();
            attrs
                .s("creationDate", &format_timestamp(t - 1800 * NS_PER_SEC))
                .s(
                    "mfaAuthenticated",
                    if rng.chance(0.3) { "true" } else { "false" },
                );
            let mut ctx = Obj::new();
            ctx.raw("sessionIssuer", &issuer.done())
                .raw("webIdFederationData", "{}")
                .raw("attributes", &attrs.done());
            o.s("type", "AssumedRole")
                .s("principalId", &format!("{role_id}:{session}"))
                .s("arn", &arn)
                .s("accountId", account)
                .s(
                    "accessKeyId",
                    &format!(
                        "ASIA{}",
                        stable(account, &format!("{session}{}", rng.below(8)), 16)
                    ),
                )
                .raw("sessionContext", &ctx.done());
            Some(arn)
        }
        "AWSService" => {
            let svc = SERVICES[rng.below(SERVICES.len() as u64) as usize];
            o.s("type", "AWSService").s("invokedBy", svc);
            None
        }
        "Root" => {
            let arn = format!("arn:aws:iam::{account}:root");
            o.s("type", "Root")
                .s("principalId", account)
                .s("arn", &arn)
                .s("accountId", account)
                .s("accessKeyId", &ak);
            Some(arn)
        }
        _ => {
            let arn = format!("arn:aws:sts::{account}:federated-user/{}", rng.pick(USERS));
            o.s("type", "FederatedUser")
                .s("principalId", &format!("{account}:{}", rng.pick(USERS)))
                .s("arn", &arn)
                .s("accountId", account)
                .s("accessKeyId", &format!("ASIA{}", rng.upper_alnum(16)));
            Some(arn)
        }
    };
    let _ = event_source;
    (o.done(), arn)
}

fn event(rng: &mut Rng, t: i64) -> Event {
    let account = *rng.pick(ACCOUNTS);
    let (source, name, read_only) = *rng.weighted(CALLS);
    let region = if source == "signin.amazonaws.com" || source == "iam.amazonaws.com" {
        "us-east-1"
    } else {
        *rng.weighted(REGIONS)
    };
    let (identity_json, _arn) = identity(rng, account, source, t);
    let ip = if identity_json.contains("\"AWSService\"") {
        rng.pick(SERVICES).to_string()
    } else {
        rng.pick(IPS).to_string()
    };
    let agent = if source == "signin.amazonaws.com" {
        AGENTS[6]
    } else {
        *rng.pick(AGENTS)
    };
    let mut e = Obj::new();
    e.s("eventVersion", "1.09")
        .raw("userIdentity", &identity_json)
        .s("eventTime", &format_timestamp(t))
        .s("eventSource", source)
        .s("eventName", name)
        .s("awsRegion", region)
        .s("sourceIPAddress", &ip)
        .s("userAgent", agent);
    // Errors: ~6% denied, ~2% throttled; EC2 spells them its own way.
    let ec2 = source == "ec2.amazonaws.com";
    let roll = rng.below(1000);
    let error: Option<(&str, &str)> = if source == "signin.amazonaws.com" {
        None
    } else if roll < 45 {
        Some(if ec2 {
            ("Client.UnauthorizedOperation", "You are not authorized to perform this operation. User is not authorized to perform this action because no identity-based policy allows it.")
        } else {
            ("AccessDenied", "User is not authorized to perform this action because no identity-based policy allows the action")
        })
    } else if roll < 60 {
        Some((
            "UnauthorizedOperation",
            "You are not authorized to perform this operation.",
        ))
    } else if roll < 80 {
        Some(if ec2 {
            ("Client.RequestLimitExceeded", "Request limit exceeded.")
        } else {
            ("ThrottlingException", "Rate exceeded")
        })
    } else {
        None
    };
    let mut additional: Option<String> = None;
    let (request, response): (String, String) = match name {
        "ConsoleLogin" => {
            let ok = !rng.chance(0.25);
            let mfa = rng.chance(0.6);
            let mut a = Obj::new();
            a.s("LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true").s("MobileVersion", "No").s("MFAUsed", if mfa && ok { "Yes" } else { "No" });
            additional = Some(a.done());
            if !ok {
                e.s("errorMessage", if rng.chance(0.8) { "Failed authentication" } else { "No username found in supplied account" });
            }
            ("null".into(), format!("{{\"ConsoleLogin\":\"{}\"}}", if ok { "Success" } else { "Failure" }))
        }
        "CreateKey" => {
            let origin = *rng.weighted(&[("AWS_KMS", 85u32), ("EXTERNAL", 10), ("AWS_CLOUDHSM", 5)]);
            let key_id = rng.uuid();
            let req = format!("{{\"keyUsage\":\"ENCRYPT_DECRYPT\",\"keySpec\":\"SYMMETRIC_DEFAULT\",\"origin\":\"{origin}\",\"bypassPolicyLockoutSafetyCheck\":false}}");
            let resp = format!("{{\"keyMetadata\":{{\"AWSAccountId\":\"{account}\",\"keyId\":\"{key_id}\",\"arn\":\"arn:aws:kms:{region}:{account}:key/{key_id}\",\"creationDate\":\"{}\",\"enabled\":{},\"description\":\"\",\"keyUsage\":\"ENCRYPT_DECRYPT\",\"keyState\":\"{}\",\"origin\":\"{origin}\",\"keyManager\":\"CUSTOMER\",\"customerMasterKeySpec\":\"SYMMETRIC_DEFAULT\",\"keySpec\":\"SYMMETRIC_DEFAULT\",\"encryptionAlgorithms\":[\"SYMMETRIC_DEFAULT\"],\"multiRegion\":false}}}}", format_timestamp(t), origin == "AWS_KMS", if origin == "EXTERNAL" { "PendingImport" } else { "Enabled" });
            (req, resp)
        }
        "GetObject" | "PutObject" => {
            let bucket = rng.pick(&["orders-prod-data", "analytics-raw", "backups-eu", "cloudtrail-logs-central"]);
            let key = format!("{}/{}/part-{:05}.parquet", rng.pick(&["2026", "exports", "tmp"]), rng.hex(8), rng.below(99999));
            (format!("{{\"bucketName\":\"{bucket}\",\"Host\":\"{bucket}.s3.{region}.amazonaws.com\",\"key\":\"{key}\"}}"), "null".into())
        }
        "AssumeRole" => {
            let (role, session) = rng.pick(ROLES);
            (format!("{{\"roleArn\":\"arn:aws:iam::{account}:role/{role}\",\"roleSessionName\":\"{session}\",\"durationSeconds\":3600}}"), format!("{{\"credentials\":{{\"accessKeyId\":\"ASIA{}\",\"sessionToken\":\"IQoJb3JpZ2luX2VjE{}\",\"expiration\":\"{}\"}},\"assumedRoleUser\":{{\"assumedRoleId\":\"AROA{}:{session}\",\"arn\":\"arn:aws:sts::{account}:assumed-role/{role}/{session}\"}}}}", rng.upper_alnum(16), rng.hex(40), format_timestamp(t + 3600 * NS_PER_SEC), rng.upper_alnum(17)))
        }
        "Decrypt" | "GenerateDataKey" | "DescribeKey" => {
            (format!("{{\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\",\"keyId\":\"arn:aws:kms:{region}:{account}:key/{}\",\"encryptionContext\":{{\"aws:lambda:FunctionArn\":\"arn:aws:lambda:{region}:{account}:function:orders-handler\"}}}}", rng.uuid()), "null".into())
        }
        "RunInstances" => (format!("{{\"instancesSet\":{{\"items\":[{{\"imageId\":\"ami-0{}\",\"minCount\":1,\"maxCount\":{}}}]}},\"instanceType\":\"{}\",\"monitoring\":{{\"enabled\":false}},\"disableApiTermination\":false}}", rng.hex(16), 1 + rng.below(4), rng.pick(&["t3.micro", "m5.large", "c5.4xlarge", "p3.16xlarge"])), "null".into()),
        "DescribeInstances" | "DescribeSecurityGroups" | "DescribeVolumes" => ("{\"maxResults\":1000,\"filterSet\":{},\"instancesSet\":{}}".into(), "null".into()),
        "GetSecretValue" => (format!("{{\"secretId\":\"arn:aws:secretsmanager:{region}:{account}:secret:prod/db/{}-{}\"}}", rng.pick(&["orders", "payments", "users"]), rng.upper_alnum(6)), "null".into()),
        "GetParameter" => (format!("{{\"name\":\"/prod/{}/api-key\",\"withDecryption\":true}}", rng.pick(&["orders", "payments", "users"])), "null".into()),
        "CreateUser" | "GetUser" | "CreateAccessKey" | "AttachUserPolicy" => (format!("{{\"userName\":\"{}\"}}", rng.pick(USERS)), "null".into()),
        "Invoke" => (format!("{{\"functionName\":\"arn:aws:lambda:{region}:{account}:function:orders-handler\",\"invocationType\":\"RequestResponse\"}}"), "null".into()),
        "CreateLogStream" => (format!("{{\"logGroupName\":\"/aws/lambda/orders-handler\",\"logStreamName\":\"2026/11/20/[$LATEST]{}\"}}", rng.hex(32)), "null".into()),
        _ => ("null".into(), "null".into()),
    };
    if let Some((code, msg)) = error {
        e.s("errorCode", code).s("errorMessage", msg);
    }
    let response = if error.is_some() && name != "ConsoleLogin" {
        "null".to_string()
    } else {
        response
    };
    e.raw("requestParameters", &request)
        .raw("responseElements", &response);
    if let Some(a) = additional {
        e.raw("additionalEventData", &a);
    }
    e.s("requestID", &rng.uuid())
        .s("eventID", &rng.uuid())
        .b("readOnly", read_only);
    let data_event = matches!(name, "GetObject" | "PutObject" | "Invoke");
    if data_event {
        e.raw("resources", &format!("[{{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::orders-prod-data/{}\"}},{{\"accountId\":\"{account}\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::orders-prod-data\"}}]", rng.hex(12)));
    }
    e.s(
        "eventType",
        if name == "ConsoleLogin" {
            "AwsConsoleSignIn"
        } else {
            "AwsApiCall"
        },
    )
    .b("managementEvent", !data_event)
    .s("recipientAccountId", account);
    if !data_event && source != "signin.amazonaws.com" {
        e.s("eventCategory", "Management");
    } else {
        e.s(
            "eventCategory",
            if data_event { "Data" } else { "Management" },
        );
    }
    if source != "signin.amazonaws.com" {
        e.raw("tlsDetails", &format!("{{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"{}.{region}.amazonaws.com\"}}", source.trim_end_matches(".amazonaws.com")));
    }
    Event {
        time_ns: t,
        account,
        region,
        json: e.done(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GenFormat {
    /// S3 delivery layout: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<5-minute files>.json.gz
    S3,
    /// One event per line.
    Ndjson,
    /// One `{"Records":[...]}` file.
    Records,
}

/// Writes the events in the chosen layout under `out` (a folder for S3, a file otherwise).
pub fn write(events: &[Event], format: GenFormat, out: &Path, gzip: bool) -> std::io::Result<u64> {
    let mut bytes = 0u64;
    match format {
        GenFormat::S3 => {
            use std::collections::BTreeMap;
            // One object per account, region and 5-minute window, as CloudTrail delivers them.
            let mut files: BTreeMap<(String, String, i64), Vec<&Event>> = BTreeMap::new();
            for e in events {
                files
                    .entry((
                        e.account.to_string(),
                        e.region.to_string(),
                        e.time_ns / (300 * NS_PER_SEC),
                    ))
                    .or_default()
                    .push(e);
            }
            let mut rng = Rng::new(7);
            for ((account, region, window), evs) in files {
                let stamp = format_timestamp(window * 300 * NS_PER_SEC);
                let (date, clock) = (&stamp[..10], &stamp[11..16]);
                let dir = out.join(format!(
                    "AWSLogs/{account}/CloudTrail/{region}/{}",
                    date.replace('-', "/")
                ));
                std::fs::create_dir_all(&dir)?;
                let name = format!(
                    "{account}_CloudTrail_{region}_{}T{}Z_{}.json.gz",
                    date.replace('-', ""),
                    clock.replace(':', ""),
                    rng.upper_alnum(16)
                );
                let body = records(evs.iter().copied());
                bytes += body.len() as u64;
                write_file(&dir.join(name), body.as_bytes(), true)?;
            }
        }
        GenFormat::Ndjson => {
            let mut body = String::with_capacity(events.len() * 1300);
            for e in events {
                body.push_str(&e.json);
                body.push('\n');
            }
            bytes = body.len() as u64;
            write_file(out, body.as_bytes(), gzip)?;
        }
        GenFormat::Records => {
            let body = records(events.iter());
            bytes = body.len() as u64;
            write_file(out, body.as_bytes(), gzip)?;
        }
    }
    Ok(bytes)
}

fn records<'a>(events: impl Iterator<Item = &'a Event>) -> String {
    let mut s = String::from("{\"Records\":[");
    for (i, e) in events.enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&e.json);
    }
    s.push_str("]}");
    s
}

fn write_file(path: &Path, body: &[u8], gzip: bool) -> std::io::Result<()> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    let f = std::io::BufWriter::new(std::fs::File::create(path)?);
    if gzip {
        let mut g = flate2::write::GzEncoder::new(f, flate2::Compression::new(6));
        g.write_all(body)?;
        g.finish()?.flush()
    } else {
        let mut f = f;
        f.write_all(body)?;
        f.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_valid() {
        let a = events(300, 42, 0, 3600 * NS_PER_SEC);
        let b = events(300, 42, 0, 3600 * NS_PER_SEC);
        assert!(a.iter().zip(&b).all(|(x, y)| x.json == y.json));
        let text: String = a.iter().map(|e| e.json.clone() + "\n").collect();
        let (store, report) =
            trailscope_engine::load_bytes("gen.ndjson", text.as_bytes(), Default::default());
        assert_eq!(report.events(), 300, "{}", report.summary());
        assert_eq!(store.len(), 300);
        let avg = text.len() / 300;
        assert!((700..2000).contains(&avg), "average event size {avg}");
    }
}
