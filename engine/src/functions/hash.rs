//! Hash functions of a string's UTF-8 bytes (or a binary value's bytes). The digests (MD5, SHA-1, SHA-256, SHA-512) are
//! lower-case hexadecimal text; CRC-32 and xxHash32 the unsigned 32-bit value and xxHash64 the
//! signed 64-bit value, in decimal text, as Dynatrace shows them (all return strings).
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/hash-functions>.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::Imp::Scalar;
use super::{at, ex, new_str, req, Family, Function, Ty};
use crate::value::Value;

const HASH: Function = Function {
    family: Family::Hash,
    params: &[req("expression", Ty::STRING.or(Ty::BINARY))],
    returns: Ty::STRING,
    ..Function::BASE
};

/// `hashX(s)`: the documented example, the empty string, and a non-string field (null).
macro_rules! hash {
    ($name:literal, $doc:literal, $documented:literal, $empty:literal, $f:expr) => {
        Function {
            name: $name,
            doc: $doc,
            examples: &[
                ex(concat!($name, "(\"DQL is awesome!\")"), $documented),
                ex(concat!($name, "(\"\")"), $empty),
                ex(
                    concat!($name, "(decodeBase64ToBinary(\"RFFMIGlzIGF3ZXNvbWUh\"))"),
                    $documented,
                ),
                ex(
                    concat!("data record(s = 42) | fields h = ", $name, "(s)"),
                    r#"{"h":null}"#,
                ),
            ],
            see: dynatrace_docs!(concat!("hash-functions#", $name)),
            imp: Scalar(|a, _| match at(a, 0) {
                Value::Str(s) => {
                    let h: String = $f(s.as_bytes());
                    new_str(h.len(), || h)
                }
                Value::Binary(bytes) => {
                    let h: String = $f(bytes);
                    new_str(h.len(), || h)
                }
                _ => Value::Null,
            }),
            ..HASH
        }
    };
}

pub(super) static FUNCTIONS: &[Function] = &[
    hash!(
        "hashMd5",
        "The MD5 digest, as 32 hexadecimal digits.",
        r#""7079b75cde92a3cb0a58b6347ad7bf30""#,
        r#""d41d8cd98f00b204e9800998ecf8427e""#,
        |b: &[u8]| hex(&Md5::digest(b))
    ),
    hash!(
        "hashSha1",
        "The SHA-1 digest, as 40 hexadecimal digits.",
        r#""baed79aa71682fb2027cf134f5c1e21feb3a3aeb""#,
        r#""da39a3ee5e6b4b0d3255bfef95601890afd80709""#,
        |b: &[u8]| hex(&Sha1::digest(b))
    ),
    hash!(
        "hashSha256",
        "The SHA-256 digest, as 64 hexadecimal digits.",
        r#""f9ab878b03cb66c7b3f13cc2c65847ad9bc9de4f5117c03ea9e2e1dfd5d0c0ee""#,
        r#""e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""#,
        |b: &[u8]| hex(&Sha256::digest(b))
    ),
    hash!(
        "hashSha512",
        "The SHA-512 digest, as 128 hexadecimal digits.",
        r#""a0801fb53ece541b204a1c54c709ba42a4b4d6ba71ff85a73b747083253983aed5e5f6c53f3b3467419d7c1a04fb9986a7a8aba5882eef8b450ec943f85cbf54""#,
        r#""cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e""#,
        |b: &[u8]| hex(&Sha512::digest(b))
    ),
    hash!(
        "hashCrc32",
        "The CRC-32 checksum (IEEE), as decimal text.",
        r#""36481747""#,
        r#""0""#,
        |b: &[u8]| crc32fast::hash(b).to_string()
    ),
    hash!(
        "hashXxHash32",
        "The xxHash32 hash (seed 0), as decimal text of the unsigned value.",
        r#""1018219528""#,
        r#""46947589""#,
        |b: &[u8]| xxhash_rust::xxh32::xxh32(b, 0).to_string()
    ),
    hash!(
        "hashXxHash64",
        "The xxHash64 hash (seed 0), as decimal text of the signed value.",
        r#""-458681598079680010""#,
        r#""-1205034819632174695""#,
        |b: &[u8]| (xxhash_rust::xxh64::xxh64(b, 0) as i64).to_string()
    ),
];

/// Lower-case hexadecimal digits of bytes.
pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}
