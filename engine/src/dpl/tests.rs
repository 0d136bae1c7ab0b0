//! Unit tests of the matcher engine: one line per case (pattern, text, exports as JSON), the
//! documented DPL examples first; then errors; then costs.

use super::*;

/// The exports of a prefix match as `{"name":value,…}`, or `-` for no match.
fn run(pattern: &str, text: &str) -> String {
    let p = Pattern::compile(pattern).unwrap_or_else(|d| {
        panic!(
            "{pattern}: {}",
            d.iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        )
    });
    match p.parse(text) {
        None => "-".into(),
        Some(vals) => {
            let fields: Vec<(Arc<str>, Value)> = p.exports().iter().cloned().zip(vals).collect();
            Value::Record(Arc::new(crate::value::Record { fields })).to_json()
        }
    }
}

#[test]
fn documented_examples() {
    // Each from docs.dynatrace.com/docs/platform/grail/dynatrace-pattern-language/…
    let cases: &[(&str, &str, &str)] = &[
        // …/log-processing-lines-strings
        ("LD:line EOL", "Red fox jumps over lazy dog\n", r#"{"line":"Red fox jumps over lazy dog"}"#),
        ("LD:line EOL", "\nThe end\n", "-"),
        (
            "TIMESTAMP:date_time ',' IPADDR:ip ',' LD:username ',' LD EOL;",
            "2016-01-03 00:13:28,110.188.4.216,forerequest,200\n",
            r#"{"date_time":"2016-01-03T00:13:28Z","ip":"110.188.4.216","username":"forerequest"}"#,
        ),
        ("SQS:sq_string EOL", "'Homer said: d\\'oh!'\n", r#"{"sq_string":"Homer said: d'oh!"}"#),
        ("SQS:sq_string EOL", "''\n", "-"),
        ("CSVSQS:s EOL", "'Red fox jumps over ''lazy'' dog'\n", r#"{"s":"Red fox jumps over 'lazy' dog"}"#),
        (
            "TIMESTAMP:date_time ',' IPADDR:ip ',' LOWER{4,15}:username ',' LD EOL;",
            "2016-01-06 06:35:24,48.242.116.66,02rioting,200\n",
            "-",
        ),
        ("DATA:record (EOL EOL)", "aaa\nbbb\nccc\n\nddd\n\n", r#"{"record":"aaa\nbbb\nccc"}"#),
        ("DATA:record EOL EOL", "aaa\nbbb\nccc\n\nddd\n\n", "-"),
        // …/log-processing-numeric
        ("BOOLEAN:b EOL", "TrUe\n", r#"{"b":true}"#),
        ("FLOAT(min=1, max=3)?:f EOL", "3e0\n", r#"{"f":3.0}"#),
        ("FLOAT(min=1, max=3)?:f EOL", "\n", r#"{"f":null}"#),
        ("INT:i", "1-10+20", r#"{"i":1}"#),
        ("HEXINT:h EOL;", "0xa01F\n", r#"{"h":40991}"#),
        ("HEXINT:h EOL;", "-xFE\n", r#"{"h":-254}"#),
        ("HEXINT:h EOL;", "10fE\n", r#"{"h":4350}"#),
        ("LONG:l EOL", "-2000\n", r#"{"l":-2000}"#),
        // …/log-processing-time-date
        ("ISO8601:t", "2019-01-01T13:23:45Z", r#"{"t":"2019-01-01T13:23:45Z"}"#),
        ("HTTPDATE:t", "26/Dec/2018:02:59:40 +0100", r#"{"t":"2018-12-26T01:59:40Z"}"#),
        ("JSONTIMESTAMP:t", "2019-01-01T01:01:01.123PST", r#"{"t":"2019-01-01T09:01:01.123Z"}"#),
        ("TIMESTAMP('yyyy M d H:m:s', tz='PST'):r", "2019 1 23 1:35:47", r#"{"r":"2019-01-23T09:35:47Z"}"#),
        ("TIMESTAMP('s'):r", "1576590440", r#"{"r":"2019-12-17T13:47:20Z"}"#),
        // …/log-processing-network
        ("IPADDR:ip EOL;", "1080:0:0:0:8:800:200C:417A\n", r#"{"ip":"1080::8:800:200c:417a"}"#),
        ("IPV6:ip EOL;", "2a00:1450:4010:c05::69\n", r#"{"ip":"2a00:1450:4010:c05::69"}"#),
        // …/log-processing-modifiers
        ("IPADDR:ip_addr <<INT(min=50) EOL", "1.2.3.40\n", "-"),
        ("IPADDR:ip_addr <<INT(min=50) EOL", "1.2.3.55\n", r#"{"ip_addr":"1.2.3.55"}"#),
        (
            "(HTTPDATE:datetime UPPER:severity ALNUM?:user INT:response)(fs=',') EOL;",
            "14/Mar/2016:23:37:07 +0200,INFO,,200\n",
            r#"{"datetime":"2016-03-14T21:37:07Z","severity":"INFO","user":null,"response":200}"#,
        ),
        (
            "(HTTPDATE:datetime UPPER:severity ALNUM?:user INT:response)(fs=',') EOL;",
            "14/Mar/2016:23:37:13 +0200,INFO,500\n",
            r#"{"datetime":"2016-03-14T21:37:13Z","severity":"INFO","user":null,"response":500}"#,
        ),
        (
            "(HTTPDATE:datetime UPPER:severity ALNUM?:user INT:response)(fs=',') EOL;",
            "14/Mar/2016:23:37:06 +0200,INFO,mary01,200\n",
            r#"{"datetime":"2016-03-14T21:37:06Z","severity":"INFO","user":"mary01","response":200}"#,
        ),
        (
            "(IPADDR:\"ip.address\" | [ a-zA-Z0-9.-]*:fqdn):remote EOL",
            "0000:0000:0000:0159:0000:0000:0000:0016\n",
            r#"{"ip.address":"::159:0:0:0:16","fqdn":null,"remote":"0000:0000:0000:0159:0000:0000:0000:0016"}"#,
        ),
        (
            "(IPADDR:\"ip.address\" | [ a-zA-Z0-9.-]*:fqdn):remote EOL",
            "www.example.com\n",
            r#"{"ip.address":null,"fqdn":"www.example.com","remote":"www.example.com"}"#,
        ),
        // …/log-processing-alternatives-group
        ("(IPADDR:ip | LD:host):alt_grp EOL;", "www.example.com\n", r#"{"ip":null,"host":"www.example.com","alt_grp":"www.example.com"}"#),
        // …/log-processing-sequence-group
        (
            "TIMESTAMP:datetime ';' LD:question ( '(' IPADDR:server ')' )? EOL",
            "2016-03-14 23:37:06;www.example.com\n",
            r#"{"datetime":"2016-03-14T23:37:06Z","question":"www.example.com","server":null}"#,
        ),
        // …/log-processing-structure
        ("STRUCTURE{ INT:i ',' LD:string }:struct EOL;", "1,red fox jumps \n", r#"{"struct":{"i":1,"string":"red fox jumps "}}"#),
        // …/log-processing-array
        ("ARRAY{ INT*:i '/'? }{3,5}:int_array EOL;", "201//203//205\n", r#"{"int_array":[201,null,203,null,205]}"#),
        ("ARRAY{ INT*:i '/'? }{3,5}:int_array EOL;", "/302/303/304\n", r#"{"int_array":[null,302,303,304]}"#),
        ("ARRAY{ INT*:i '/'? }{3,5}:int_array EOL;", "101/102\n", "-"),
        // …/log-processing-key-value-pairs
        ("KVP{ [a-z]:key '=' INT:value ' '? }:attr EOL", "a=1 b=2\n", r#"{"attr":{"a":1,"b":2}}"#),
        // …/log-processing-enum
        (
            "LD:username ';' ENUM{''=-3, 'success'=0, 'Wrong password'=1, 'tech error'=2}(cis=true):result ';' LD*:comment EOL;",
            "Bob;Wrong password;attempts left 2\n",
            r#"{"username":"Bob","result":1,"comment":"attempts left 2"}"#,
        ),
        (
            "LD:username ';' ENUM{''=-3, 'success'=0, 'Wrong password'=1, 'tech error'=2}(cis=true):result ';' LD*:comment EOL;",
            "Mallory;;doodaloo\n",
            r#"{"username":"Mallory","result":-3,"comment":"doodaloo"}"#,
        ),
        // …/log-processing-positional-matchers
        ("BOF LD:header EOL;", "\"name\";\"age\"\nHomer", r#"{"header":"\"name\";\"age\""}"#),
        ("LD:footer EOS", "total:2 persons", r#"{"footer":"total:2 persons"}"#),
        // …/log-processing-json-object
        (
            r#"JSON{ IPADDR:"ip", INT:"port", TIMESTAMP('yyyy-MM-dd HH:mm:ss Z'):"client time":client_time }(greedy='other members'):host"#,
            r#"{"ip":"192.168.3.20","port":443,"client time":"2018-07-25 13:18:57 -0600","ready":true,"descr":"2'nd floor printer"}"#,
            r#"{"host":{"ip":"192.168.3.20","port":443,"client_time":"2018-07-25T19:18:57Z","other members":{"ready":true,"descr":"2'nd floor printer"}}}"#,
        ),
        ("JSON{ STRING+:name, INT+:age, STRING:biography }(maxlen=51000):person", r#"{"name":"Eve", "gender":"female"}"#, "-"),
        ("JSON{ INT[]:items }:data", r#"{ "items":[1,8000,42,200,-999999] }"#, r#"{"data":{"items":[1,8000,42,200,-999999]}}"#),
        ("JSON { LONG[][]:items }:data", r#"{ "items":[[1,3],[4,4]] }"#, r#"{"data":{"items":[[1,3],[4,4]]}}"#),
        (
            "JSON { STRING:name, INT:age, JSON { STRING:nickname, IPV4:ip }:callerId }:person",
            r#"{"name":"Evelyn","age":32,"pId":1,"callerId":{"nickname":"eve","ip":"192.168.1.0"}}"#,
            r#"{"person":{"name":"Evelyn","age":32,"callerId":{"nickname":"eve","ip":"192.168.1.0"}}}"#,
        ),
        // …/log-processing-json-array, …/log-processing-json-value
        ("JSON_ARRAY:array", r#"[5,null,2.2,"17.9"]"#, r#"{"array":[5,null,2.2,"17.9"]}"#),
        ("JSON_ARRAY{ DOUBLE }(typed=true):double_arr", r#"[223423,-343.8e7,null,"3.14"]"#, r#"{"double_arr":[223423.0,-3438000000.0,null,3.14]}"#),
        ("JSON_ARRAY{ INT }:a", r#"[1,"x"]"#, r#"{"a":null}"#),
        ("JSON_VALUE{}:auto EOL JSON_VALUE{IPADDR}:ip", "33\n\"::1\"", r#"{"auto":33,"ip":"::1"}"#),
        // The parse command page and the string functions page.
        (
            "IPV4:ip LD HTTPDATE:time ']' LD:text",
            "117.16.75.9--[14/Mar/2016:23:34:25 +0200] GET//setup.php HTTP/1.1 404 474",
            r#"{"ip":"117.16.75.9","time":"2016-03-14T21:34:25Z","text":" GET//setup.php HTTP/1.1 404 474"}"#,
        ),
        ("( INT:sequence LD:username IPADDR:ip)(fs=',')", "2,,10.6.24.18", "-"),
        ("LONG:result", "45 46 47 48", r#"{"result":45}"#),
        (
            "KVP{LD:key'='(LONG:valueLong | STRING:valueStr)'; '?}:person",
            "name=\"john\"; age=33; city=\"Atlanta\"",
            r#"{"person":{"name":"john","age":33,"city":"Atlanta"}}"#,
        ),
        (
            "JSON{ STRING:verb, JSON{string:username}(flat=true):user, JSON_ARRAY{ipaddr}(typed=true):sourceIPs }(flat=true)",
            r#"{"verb":"get","user":{"username":"system:kube"},"sourceIPs":["10.0.0.1"]}"#,
            r#"{"verb":"get","username":"system:kube","sourceIPs":["10.0.0.1"]}"#,
        ),
        ("JSON:event", " {\"a\":1} trailing", r#"{"event":{"a":1}}"#),
        ("JSON:event", "[1]", r#"-"#),
        // The CloudTrail Secrets Manager use case.
        (
            "LD ':secret:' STRING:secretId",
            "User: arn:aws:sts::4:assumed-role/x/y is not authorized on resource: arn:aws:secretsmanager:eu-west-1:4:secret:prod/db/master-password because no policy allows it",
            r#"{"secretId":"prod/db/master-password"}"#,
        ),
        ("LD ':secret:' STRING:secretId", "no secret here", "-"),
    ];
    let mut failures = Vec::new();
    for (pattern, text, want) in cases {
        let got = run(pattern, text);
        if got != *want {
            failures.push(format!(
                "{pattern}\n  on   {text:?}\n  want {want}\n  got  {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn semantics() {
    let cases: &[(&str, &str, &str)] = &[
        // Committed repetition: `[a-z0-9]+` keeps the digit the next matcher wanted.
        ("[a-z0-9]+:w [0-9]:d", "abc1", "-"),
        ("[a-z]+:w [0-9]:d", "abc1", r#"{"w":"abc","d":"1"}"#),
        // LD stops at the first place its follow chain matches, skipping optional ones.
        ("LD:a ' '? INT:b", "abc 12", r#"{"a":"abc","b":12}"#),
        ("LD:a ' '? INT:b", "ab12", r#"{"a":"ab","b":12}"#),
        // LD in the last place takes the rest of the line.
        ("INT:a LD:rest", "1 two\nthree", r#"{"a":1,"rest":" two"}"#),
        (
            "INT:a DATA:rest",
            "1 two\nthree",
            r#"{"a":1,"rest":" two\nthree"}"#,
        ),
        // Maximum: LD{0,3} cannot reach the literal.
        ("LD{0,3} 'x'", "abcdx", "-"),
        ("LD{0,4}:a 'x'", "abcdx", r#"{"a":"abcd"}"#),
        // Unicode: characters, not bytes, are taken one at a time.
        (
            "LD:a '→' LD:b",
            "héllo→wörld",
            r#"{"a":"héllo","b":"wörld"}"#,
        ),
        ("[é]+:e", "ééa", r#"{"e":"éé"}"#),
        ("[^a]+:x", "日本a", r#"{"x":"日本"}"#),
        // Alternatives: first that matches; exports of the others are null.
        ("(INT:n | LD:s) EOS", "12", r#"{"n":12,"s":null}"#),
        ("(INT:n EOS | LD:s) ", "12x", r#"{"n":null,"s":"12x"}"#),
        // Optional group and its exports.
        ("('[' INT:n ']')? LD:rest", "x", r#"{"n":null,"rest":"x"}"#),
        // Lookahead does not move; negative lookahead.
        (">>'ab' LD:x", "abc", r#"{"x":"abc"}"#),
        ("!>>'ab' LD:x", "abc", "-"),
        // Numbers out of range fail.
        ("INT:i", "2147483648", "-"),
        (
            "LONG:l",
            "9223372036854775807",
            r#"{"l":9223372036854775807}"#,
        ),
        ("INT(min=10):i", "9", "-"),
        // STRING: quoted, or a token.
        ("STRING:s", "'a b' c", r#"{"s":"a b"}"#),
        ("STRING:s", "abc def", r#"{"s":"abc"}"#),
        ("STRING:s ';'", "ab;cd", r#"{"s":"ab"}"#),
        // Empty input.
        ("LD:x", "", "-"),
        ("LD*:x", "", r#"{"x":""}"#),
        ("EOS", "", "{}"),
        // Macros.
        ("$n = INT ','; $n:a $n:b", "1,2,", r#"{"a":"1,","b":"2,"}"#),
        // Case-insensitive matcher names, lower case docs spellings.
        ("ipaddr:ip ld", "10.0.0.1 rest", r#"{"ip":"10.0.0.1"}"#),
        ("json:event", "{}", r#"{"event":{}}"#),
        // A pattern gives the same export twice: the one that matched.
        ("(INT:x | 'a' LD:x)", "ab", r#"{"x":"b"}"#),
        // POSIX notation as a whole group.
        (
            "[:alpha:]+:a [!:space:]+:b",
            "ab12 x",
            r#"{"a":"ab","b":"12"}"#,
        ),
        // UUIDs, booleans, doubles with a comma.
        (
            "UUIDSTRING:u",
            "123e4567-e89b-12d3-a456-426614174000",
            r#"{"u":"123e4567-e89b-12d3-a456-426614174000"}"#,
        ),
        ("CDOUBLE:d", "3,25", r#"{"d":3.25}"#),
        // DIGIT exports a number (Dynatrace's catalogue: integer); a character group text.
        (
            "DIGIT{4}:y '-' [0-9]+:m",
            "2019-08",
            r#"{"y":2019,"m":"08"}"#,
        ),
    ];
    let mut failures = Vec::new();
    for (pattern, text, want) in cases {
        let got = run(pattern, text);
        if got != *want {
            failures.push(format!(
                "{pattern}\n  on   {text:?}\n  want {want}\n  got  {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn whole_and_search() {
    let p = Pattern::compile("TIME ' : ' LONG").unwrap();
    assert_eq!(p.matches("2023-11-01 12:52:12 : 766"), Some(true));
    assert_eq!(p.matches("2023-11-01 12:53:00:123"), Some(false));
    assert_eq!(p.matches("2023-11-01 12:55:59 : 192.168.0.1"), Some(false));
    let p = Pattern::compile("LONG").unwrap();
    let mut spans = Vec::new();
    p.find_spans("DQL 2019-08-01 09:30:00", |s, e| spans.push((s, e)));
    assert_eq!(
        spans,
        [(4, 8), (8, 11), (11, 14), (15, 17), (18, 20), (21, 23)]
    );
    let p = Pattern::compile("LONG:field1 ' ' LONG:field2").unwrap();
    let mut all = Vec::new();
    p.find_all("45 46 47 48", |_, _, v| all.push(v));
    assert_eq!(
        all,
        [
            vec![Value::Long(45), Value::Long(46)],
            vec![Value::Long(47), Value::Long(48)]
        ]
    );
}

#[test]
fn single_json_export_is_only_plain_json() {
    let name = |s: &str| {
        Pattern::compile(s)
            .unwrap()
            .single_json_export()
            .map(|n| n.to_string())
    };
    assert_eq!(name("JSON:event").as_deref(), Some("event"));
    assert_eq!(name(" json_object:e ;").as_deref(), Some("e"));
    assert_eq!(name("JSON{INT:a}:e"), None);
    assert_eq!(name("JSON?:e"), None);
    assert_eq!(name("LD JSON:e"), None);
    assert_eq!(name("JSON(maxlen=10):e"), None);
}

#[test]
fn errors_point_into_the_pattern() {
    // (pattern, the text the first error's span covers, a word of its message or hint)
    let cases: &[(&str, &str, &str)] = &[
        ("JSNO:event", "JSNO", "did you mean `JSON`?"),
        ("LD ':' INTEGR:port", "INTEGR", "did you mean `INT"),
        ("XML:doc", "XML", "not supported"),
        ("INT(mn=3):x", "mn", "did you mean `min`?"),
        ("LD 'abc", "'abc", "unterminated literal"),
        ("[a-z", "[a-z", "unterminated character group"),
        ("(INT | LD", "", "expected `)`"),
        ("INT{5,2}", "{5,2}", "min ≤ max"),
        ("LD:", "", "export name"),
        ("ARRAY{INT:i}:a", "ARRAY{INT:i}", "quantifier"),
        ("KVP{INT:a}:k", "KVP{INT:a}", "`key`"),
        ("TIMESTAMP('yyyy-QQ'):t", "'yyyy-QQ'", "time format letter"),
        (
            "TIMESTAMP(tz='Europe/Vienna'):t",
            "tz='Europe/Vienna'",
            "time zone",
        ),
        ("$m:x", "$m", "unknown macro"),
        ("[[:alpah:]]", "alpah", "did you mean `[:alpha:]`?"),
        ("JSON(strict=false):x", "strict=false", "not supported"),
        ("LD{DATA}:e", "LD{DATA}", "without `{ … }`"),
        ("INT:'a' :b", "", "export name"),
    ];
    let mut failures = Vec::new();
    for (pattern, covered, word) in cases {
        match Pattern::compile(pattern) {
            Ok(_) => failures.push(format!("{pattern}: compiled")),
            Err(d) => {
                let first = &d[0];
                let text = &pattern[first.span.range()];
                let all = format!("{} {} {:?}", first.message, first.label, first.hints);
                if (!covered.is_empty() && text != *covered) || !all.contains(word) {
                    failures.push(format!("{pattern}: covers {text:?}, says {all}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Steps stay within a small multiple of the text length for the patterns users write.
#[test]
fn documented_patterns_are_linear() {
    let line = "117.16.75.9--[14/Mar/2016:23:34:25 +0200] GET//setup.php HTTP/1.1 404 474 ";
    let cases: &[(&str, u64)] = &[
        ("IPV4:ip LD HTTPDATE:time ']' LD:text", 8),
        ("LD ':secret:' STRING:secretId", 4),
        ("LD 'zzz' LD:x", 4),
        ("LD INT:n LD 'q'", 8),
        ("(LD ',')* LD:rest", 8),
        ("[^,]+:x 'zz'", 8),
        ("[a-z0-9/.]+ ' 4' INT", 8),
    ];
    for n in [1usize, 10, 100] {
        let text = line.repeat(n);
        for (pattern, per_byte) in cases {
            let p = Pattern::compile(pattern).unwrap();
            let (_, cost) = p.parse_counted(&text);
            assert!(!cost.gave_up, "{pattern} gave up on {} bytes", text.len());
            assert!(
                cost.steps <= 50 + per_byte * text.len() as u64,
                "{pattern}: {} steps on {} bytes",
                cost.steps,
                text.len()
            );
            // A search (every start position) too.
            let cost = search_cost(&p, &text);
            assert!(
                cost.steps <= 100 + 4 * per_byte * text.len() as u64,
                "{pattern} searched: {} steps on {} bytes",
                cost.steps,
                text.len()
            );
        }
    }
}

/// A pathological pattern gives up within its budget instead of hanging.
#[test]
fn pathological_patterns_give_up() {
    let text = "a".repeat(3000);
    for pattern in [
        "((LD 'a' | LD 'b')* 'c')",
        "([a-z]+ 'x' | [a-z] 'y')+ 'z'",
        "(DATA (DATA (DATA 'x')))",
        "((('a' | 'a')+)+ 'b')",
        "(LD{0,4096} LD{0,4096} LD{0,4096} 'b')",
        "((!<<(DATA 'b') 'a')+ 'c')",
    ] {
        let p = Pattern::compile(pattern).unwrap();
        let (out, cost) = p.parse_counted(&text);
        assert!(
            cost.steps <= cost.limit + text.len() as u64,
            "{pattern}: {cost:?}"
        );
        assert!(out.is_none() || !cost.gave_up, "{pattern}");
        let cost = search_cost(&p, &text);
        assert!(
            cost.steps <= cost.limit + text.len() as u64,
            "{pattern}: {cost:?}"
        );
        println!("{pattern}: {cost:?}");
    }
    // The look-behind scanning 64 bytes at every character is over budget.
    let p = Pattern::compile("((!<<(DATA 'b') 'a')+ 'c')").unwrap();
    assert!(p.parse_counted(&text).1.gave_up);
    assert!(take_gave_up() >= 1);
}
