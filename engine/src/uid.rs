//! DQL's `uid` type: 64 or 128 bits with a subtype (`uid64`, `uid128`, `uuid`) that decides how
//! it is written: 16 hex digits, 32 hex digits, or the 8-4-4-4-12 form of a UUID. CloudTrail
//! writes its ids (eventID, requestID, sharedEventID) as UUID text; `toUid(eventID)` reads one.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/conversion-and-casting-functions#toUid>.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Uid64,
    Uid128,
    Uuid,
}

/// A uid: its bits (a uid64 holds them in the low 64) and its subtype. The bits are kept as
/// bytes (big-endian) so that a `Value` stays three words, as an `ip` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Uid {
    bytes: [u8; 16],
    pub kind: Kind,
}

impl Uid {
    pub fn new(bits: u128, kind: Kind) -> Uid {
        Uid {
            bytes: bits.to_be_bytes(),
            kind,
        }
    }

    pub fn bits(&self) -> u128 {
        u128::from_be_bytes(self.bytes)
    }

    pub fn uid64(v: i64) -> Uid {
        Uid::new(u128::from(v as u64), Kind::Uid64)
    }

    /// `uid128(high, low)` and `uuid(high, low)`: the most and least significant 64 bits.
    pub fn from_halves(high: i64, low: i64, kind: Kind) -> Uid {
        Uid::new(
            (u128::from(high as u64) << 64) | u128::from(low as u64),
            kind,
        )
    }

    /// The most significant 64 bits (0 for a uid64), as `getHighBits` gives them.
    pub fn high(&self) -> i64 {
        (self.bits() >> 64) as u64 as i64
    }

    pub fn low(&self) -> i64 {
        self.bits() as u64 as i64
    }

    /// `uid/uid64`, `uid/uid128`, `uid/uuid`: what `type(…, withSubtype: true)` says.
    pub fn subtype(&self) -> &'static str {
        match self.kind {
            Kind::Uid64 => "uid/uid64",
            Kind::Uid128 => "uid/uid128",
            Kind::Uuid => "uid/uuid",
        }
    }

    /// Reads the three written forms: 16 hex digits (uid64), 32 (uid128), or 8-4-4-4-12 with
    /// hyphens (uuid). Either case; nothing else (no braces, no `0x`).
    pub fn parse(text: &str) -> Option<Uid> {
        let hex = |s: &str| -> Option<u128> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            u128::from_str_radix(s, 16).ok()
        };
        let b = text.as_bytes();
        match b.len() {
            16 => Some(Uid::new(hex(text)?, Kind::Uid64)),
            32 => Some(Uid::new(hex(text)?, Kind::Uid128)),
            36 if [8, 13, 18, 23].iter().all(|&i| b[i] == b'-') => {
                let digits: String = text.split('-').collect();
                (digits.len() == 32).then_some(())?;
                Some(Uid::new(hex(&digits)?, Kind::Uuid))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Uid64 => write!(f, "{:016x}", self.bits() as u64),
            Kind::Uid128 => write!(f, "{:032x}", self.bits()),
            Kind::Uuid => {
                let h = format!("{:032x}", self.bits());
                write!(
                    f,
                    "{}-{}-{}-{}-{}",
                    &h[..8],
                    &h[8..12],
                    &h[12..16],
                    &h[16..20],
                    &h[20..]
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms_read_back_as_they_are_written() {
        for text in [
            "000000000000007b",
            "000000000000007b00000000000001c8",
            "550e8400-e29b-41d4-a716-446655440000",
            "ffffffffffffffff",
        ] {
            assert_eq!(Uid::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            Uid::parse("550E8400-E29B-41D4-A716-446655440000")
                .unwrap()
                .kind,
            Kind::Uuid
        );
        for bad in [
            "",
            "7b",
            "550e8400e29b-41d4-a716-446655440000x",
            "g00000000000007b",
            "+00000000000007b",
            "550e8400-e29b-41d4-a716+446655440000",
        ] {
            assert_eq!(Uid::parse(bad), None, "{bad}");
        }
        let u = Uid::from_halves(123, 456, Kind::Uuid);
        assert_eq!(u.to_string(), "00000000-0000-007b-0000-0000000001c8");
        assert_eq!((u.high(), u.low()), (123, 456));
        assert_eq!(Uid::uid64(-1).to_string(), "ffffffffffffffff");
        assert_eq!(Uid::uid64(-1).low(), -1);
        assert_eq!(Uid::uid64(-1).high(), 0);
    }
}
