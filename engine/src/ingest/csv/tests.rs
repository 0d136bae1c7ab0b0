//! Tests of `csv.rs`.

use super::*;

fn read(text: &[u8], chunk: usize) -> Vec<(u64, Result<String, String>)> {
    let mut r = CsvEvents::new();
    let mut got = Vec::new();
    let mut out = |rec: CsvRecord| {
        got.push((
            rec.line,
            rec.result.map(|b| String::from_utf8(b).expect("utf-8")),
        ))
    };
    for c in text.chunks(chunk.max(1)) {
        r.push(c, &mut out);
    }
    r.finish(&mut out);
    got
}

fn read_all_chunkings(text: &[u8]) -> Vec<(u64, Result<String, String>)> {
    let whole = read(text, text.len());
    for size in [1, 2, 3, 7, 64, 4096] {
        assert_eq!(read(text, size), whole, "chunk size {size}");
    }
    whole
}

const CONSOLE_HEADER: &str = "Event ID,Event time,User name,Event name,Resource type,Resource name,AWS access key,Source IP address,AWS region,Error code,Read-only,Event source,Request ID,Event type,Resources\r\n";

#[test]
fn console_event_history() {
    let csv = format!(
        "\u{feff}{CONSOLE_HEADER}\
         e1,2024-01-02T03:04:05Z,alice,ConsoleLogin,,,,198.51.100.7,us-east-1,,false,signin.amazonaws.com,,AwsConsoleSignIn,\r\n\
         e2,\"2024-01-02, 03:04:06\",bob,PutObject,AWS::S3::Object,\"my-bucket/a,b.json\",AKIAEXAMPLE,10.0.0.1,eu-west-1,AccessDenied,false,s3.amazonaws.com,R1,AwsApiCall,\"[{{\"\"resourceType\"\":\"\"AWS::S3::Bucket\"\",\"\"resourceName\"\":\"\"my-bucket\"\"}}]\"\r\n\
         e3,2024-01-02 03:04:07 UTC,carol,\"Multi\nLine\",,,,,,,true,,,,not json\n\
         e4,soon,dave,X,,,,,,,,,,,\n"
    );
    let got = read_all_chunkings(csv.as_bytes());
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(
        got[0],
        (2, Ok(r#"{"eventID":"e1","eventTime":"2024-01-02T03:04:05Z","userIdentity":{"userName":"alice"},"eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.7","awsRegion":"us-east-1","readOnly":false,"eventSource":"signin.amazonaws.com","eventType":"AwsConsoleSignIn"}"#.into()))
    );
    assert_eq!(got[1].0, 3);
    let e2 = got[1].1.as_ref().expect("e2");
    assert!(
        e2.contains(r#""userIdentity":{"userName":"bob","accessKeyId":"AKIAEXAMPLE"}"#),
        "{e2}"
    );
    assert!(
        e2.contains(r#""Resource name":"my-bucket/a,b.json""#),
        "{e2}"
    );
    assert!(
        e2.contains(
            r#""resources":[{"resourceType":"AWS::S3::Bucket","resourceName":"my-bucket"}]"#
        ),
        "{e2}"
    );
    assert!(e2.contains(r#""errorCode":"AccessDenied""#), "{e2}");
    assert_eq!(got[2].0, 4);
    let e3 = got[2].1.as_ref().expect("e3");
    assert!(
        e3.contains(r#""eventName":"Multi\nLine""#) && e3.contains(r#""resources":"not json""#),
        "{e3}"
    );
    assert_eq!(got[3].0, 6);
    assert_eq!(
        got[3].1,
        Err("event time \"soon\" is not a date and time this reader knows".into())
    );
}

#[test]
fn full_event_column_wins() {
    let csv = "Event ID,Event time,CloudTrail event\n\
               e1,2024-01-02T03:04:05Z,\"{\"\"eventID\"\":\"\"e1\"\",\"\"eventTime\"\":\"\"2024-01-02T03:04:05Z\"\",\"\"userIdentity\"\":{\"\"type\"\":\"\"Root\"\"}}\"\n\
               e2,2024-01-02T03:04:05Z,{broken\n";
    let got = read_all_chunkings(csv.as_bytes());
    assert_eq!(
        got[0].1,
        Ok(
            r#"{"eventID":"e1","eventTime":"2024-01-02T03:04:05Z","userIdentity":{"type":"Root"}}"#
                .into()
        )
    );
    assert_eq!(
        got[1].1,
        Ok(r#"{"eventID":"e2","eventTime":"2024-01-02T03:04:05Z"}"#.into())
    );
}

#[test]
fn lake_query_result() {
    let csv = "eventid,eventtime,useridentity,eventsource,eventname,requestparameters,readonly,resources,recipientaccountid,tlsdetails,custom\n\
               id-1,2023-05-04 12:34:56.000,\"{type=IAMUser, principalid=AIDAEXAMPLE, arn=arn:aws:iam::111122223333:user/alice, accountid=111122223333, invokedby=null, accesskeyid=AKIAEXAMPLE, username=alice, sessioncontext=null}\",s3.amazonaws.com,GetObject,\"{bucketName=logs, key=a b.json}\",true,\"[{accountid=111122223333, type=AWS::S3::Bucket, arn=arn:aws:s3:::logs}]\",111122223333,\"{tlsversion=TLSv1.3, ciphersuite=TLS_AES_128_GCM_SHA256, clientprovidedhostheader=logs.s3.amazonaws.com}\",null\n";
    let got = read_all_chunkings(csv.as_bytes());
    assert_eq!(
        got,
        vec![(2, Ok(r#"{"eventID":"id-1","eventTime":"2023-05-04T12:34:56Z","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE","userName":"alice"},"eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName":"logs","key":"a b.json"},"readOnly":true,"resources":[{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::logs"}],"recipientAccountId":"111122223333","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"logs.s3.amazonaws.com"}}"#.into()))]
    );
}

#[test]
fn header_detection() {
    assert_eq!(
        detect_csv(CONSOLE_HEADER.as_bytes()),
        Some(CsvKind::ConsoleEventHistory)
    );
    assert_eq!(
        detect_csv(b"\xEF\xBB\xBF\"Event time\",\"Event name\"\r\n"),
        Some(CsvKind::ConsoleEventHistory)
    );
    assert_eq!(
        detect_csv(b"eventTime,eventName,awsRegion\nrest"),
        Some(CsvKind::LakeQueryResult)
    );
    assert_eq!(detect_csv(b"eventname,cnt\n"), None);
    assert_eq!(detect_csv(b"{\"Records\":[]}"), None);
    let got = read(b"name,price\napple,1\npear,2\n", 3);
    assert_eq!(got.len(), 1);
    assert!(got[0]
        .1
        .as_ref()
        .unwrap_err()
        .starts_with("not a CloudTrail CSV export: the header row (name, price)"));
    assert_eq!(
        read(b"", 1),
        vec![(1, Err("empty CSV file: no header row".into()))]
    );
    assert_eq!(read(b"\xEF\xBB", 1).len(), 1);
    // Found by fuzzing: a header row with an unterminated quote is reported once, at its
    // line, and not again as an empty file (line numbers never go back).
    let got = read(b"\neventtime,\"{open", 4);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 2);
}

#[test]
fn quoting_edge_cases() {
    let cases: &[(&[u8], &[&str], bool)] = &[
        (b"a,b,c", &["a", "b", "c"], true),
        (b"\"a,b\",\"c\"\"d\",", &["a,b", "c\"d", ""], true),
        (b"\"x\ny\",z", &["x\ny", "z"], true),
        (b"5\" disk,b", &["5\" disk", "b"], true),
        (b"\"ab\"c,d", &["abc", "d"], true),
        (b"\"open,x", &["open,x"], false),
        (b"", &[""], true),
    ];
    for (raw, want, closed) in cases {
        let (f, c) = split_fields(raw, false);
        assert_eq!(
            (f.iter().map(String::as_str).collect::<Vec<_>>(), c),
            (want.to_vec(), *closed),
            "{raw:?}"
        );
    }
}

#[test]
fn bad_records_do_not_stop_the_rest() {
    let csv = "eventTime,eventName\n\
               2024-01-01 00:00:00,A\n\
               2024-01-01 00:00:01,B,extra\n\
               \n\
               2024-01-01 00:00:02,C\n\
               2024-01-01 00:00:03,\"D\n\
               2024-01-01 00:00:04,E\n\
               2024-01-01 00:00:05,F";
    let got = read_all_chunkings(csv.as_bytes());
    let lines: Vec<(u64, bool)> = got.iter().map(|(l, r)| (*l, r.is_ok())).collect();
    assert_eq!(
        lines,
        vec![
            (2, true),
            (3, false),
            (5, true),
            (6, false),
            (7, true),
            (8, true)
        ],
        "{got:?}"
    );
    assert!(got[1]
        .1
        .as_ref()
        .unwrap_err()
        .contains("3 fields but the header has 2"));
    assert!(got[3]
        .1
        .as_ref()
        .unwrap_err()
        .contains("unterminated quoted field"));
}

#[test]
fn over_long_record_is_skipped_to_the_next_line() {
    let mut csv = b"eventTime,eventName\n2024-01-01 00:00:00,\"".to_vec();
    csv.resize(csv.len() + MAX_RECORD + 10, b'x');
    csv.extend_from_slice(b"\n2024-01-01 00:00:01,after\n");
    let got = read(&csv, 1 << 20);
    assert_eq!(
        got.len(),
        2,
        "{:?}",
        got.iter().map(|g| g.0).collect::<Vec<_>>()
    );
    assert_eq!(got[0].0, 2);
    assert!(got[0]
        .1
        .as_ref()
        .unwrap_err()
        .contains("longer than 16 MiB"));
    assert_eq!(
        got[1],
        (
            3,
            Ok(r#"{"eventTime":"2024-01-01T00:00:01Z","eventName":"after"}"#.into())
        )
    );
}

/// The splitter's records: `(line, fields)` or `(line, why)`.
type Split = Vec<(u64, Result<Fields, String>)>;

/// What the splitter makes of `text`, the same whatever the chunks.
fn split(text: &[u8]) -> Split {
    let run = |chunk: usize| {
        let mut s = Splitter::new(1);
        let mut got = Vec::new();
        let mut emit = |line, r| got.push((line, r));
        for c in text.chunks(chunk) {
            s.push(c, &mut emit);
        }
        s.finish(&mut emit);
        got
    };
    let whole = run(text.len().max(1));
    for size in 1..text.len() {
        assert_eq!(run(size), whole, "chunk size {size}");
    }
    whole
}

#[test]
fn policy_around_csv_core() {
    let ok = |line: u64, fields: &[&str]| {
        (
            line,
            Ok((fields.iter().map(|f| f.to_string()).collect(), true)),
        )
    };
    let open = "unterminated quoted field (a `\"` opened here is never closed); record skipped";
    let cases: Vec<(&[u8], Split)> = vec![
        // csv-core would drop a BOM at the start of its input: here it is text (the file's
        // own BOM is dropped by `CsvEvents`), also at the start of a record.
        (b"\xEF\xBB\xBFa,b\n", vec![ok(1, &["\u{feff}a", "b"])]),
        (
            b"x\n\xEF\xBB\xBFa\n",
            vec![ok(1, &["x"]), ok(2, &["\u{feff}a"])],
        ),
        // Only LF ends a record; an unquoted CR before it is dropped, a quoted one is text.
        (
            b"a\r\n\"b\r\"\r\nc\rd\n",
            vec![ok(1, &["a"]), ok(2, &["b\r"]), ok(3, &["c\rd"])],
        ),
        // Blank lines (spaces, tabs, CR) are no records; a quoted blank is one.
        (
            b"\n \t\r\n\" \"\n\n,\n",
            vec![ok(3, &[" "]), ok(5, &["", ""])],
        ),
        // An open quote at the end: reported at its line, the lines after it read again.
        (
            b"a\n\"b\nc,d\r\n\ne\"f,\"g",
            vec![
                ok(1, &["a"]),
                (2, Err(open.to_string())),
                ok(3, &["c", "d"]),
                (5, Ok((vec!["e\"f".to_string(), "g".to_string()], false))),
            ],
        ),
        (b"\"a\nb", vec![(1, Err(open.to_string())), ok(2, &["b"])]),
        // No line break at the end.
        (b"a,\"b\"\"c\"", vec![ok(1, &["a", "b\"c"])]),
    ];
    for (text, want) in cases {
        assert_eq!(split(text), want, "{:?}", String::from_utf8_lossy(text));
    }
}

#[test]
fn output_is_always_valid_json() {
    let mut seed = 7u64;
    let alphabet = b"ab,\"\n\r{}[]=\\ \x01\xc3\xa9:";
    for _ in 0..400 {
        let mut text = b"eventTime,eventName,useridentity,x\n2024-01-01 00:00:00,".to_vec();
        for _ in 0..60 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        for (_, r) in read(&text, 5) {
            if let Ok(json) = r {
                assert_eq!(map::json_len(json.as_bytes()), Some(json.len()), "{json}");
            }
        }
    }
}
