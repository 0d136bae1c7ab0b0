//! Vector distance functions: two arrays of numbers of the same length as vectors. Arrays of
//! different lengths, or holding anything but numbers (nulls included), give null.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/functions/vector-distance-functions>.

use super::Imp::Scalar;
use super::{at, ex, req, Family, Function, Ty};
use crate::value::Value;

const VECTOR: Function = Function {
    family: Family::Vector,
    params: &[
        req("firstExpression", Ty::ARRAY),
        req("secondExpression", Ty::ARRAY),
    ],
    returns: Ty::DOUBLE,
    ..Function::BASE
};

/// A distance: Dynatrace's first example, then unequal lengths and a non-number.
macro_rules! distance {
    ($name:literal, $doc:literal, $documented:literal, $extra:expr, $f:expr) => {
        Function {
            name: $name,
            doc: $doc,
            examples: &[
                ex(
                    concat!($name, "(array(1, 1, 1), array(1, 2, 3))"),
                    $documented,
                ),
                $extra,
                ex(concat!($name, "(array(1, 2), array(1, 2, 3))"), "null"),
                ex(concat!($name, "(array(1, 2), array(1, \"foo\"))"), "null"),
            ],
            see: dynatrace_docs!(concat!("vector-distance-functions#", $name)),
            imp: Scalar(|a, _| match pairs(a) {
                Some(p) => {
                    let d: f64 = $f(&p);
                    if d.is_finite() {
                        Value::Double(d + 0.0)
                    } else {
                        Value::Null
                    }
                }
                None => Value::Null,
            }),
            ..VECTOR
        }
    };
}

pub(super) static FUNCTIONS: &[Function] = &[
    distance!(
        "vectorL1Distance",
        "The taxicab distance: the sum of the absolute differences.",
        "3.0",
        ex("vectorL1Distance(array(1.5, -1), array(0, 1))", "3.5"),
        |p: &[(f64, f64)]| p.iter().map(|(x, y)| (x - y).abs()).sum()
    ),
    distance!(
        "vectorL2Distance",
        "The Euclidean distance: the square root of the sum of the squared differences.",
        "2.23606797749979",
        ex("vectorL2Distance(array(0, 0), array(3, 4))", "5.0"),
        |p: &[(f64, f64)]| p.iter().map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
    ),
    distance!(
        "vectorCosineDistance",
        "1 minus the cosine of the angle between the vectors: 0 for the same direction, 2 for opposite ones (null when either has length 0).",
        "0.07417990022744847",
        ex("vectorCosineDistance(array(1, 0), array(-2, 0))", "2.0"),
        |p: &[(f64, f64)]| {
            let dot: f64 = p.iter().map(|(x, y)| x * y).sum();
            let nx: f64 = p.iter().map(|(x, _)| x * x).sum::<f64>().sqrt();
            let ny: f64 = p.iter().map(|(_, y)| y * y).sum::<f64>().sqrt();
            1.0 - dot / (nx * ny)
        }
    ),
    distance!(
        "vectorInnerProductDistance",
        "The negated dot product of the vectors.",
        "-6.0",
        ex("vectorInnerProductDistance(array(1, 2), array(1, 2))", "-5.0"),
        |p: &[(f64, f64)]| -p.iter().map(|(x, y)| x * y).sum::<f64>()
    ),
];

/// The vectors' components side by side; None unless both are arrays of numbers of the same
/// length.
fn pairs(a: &[Value]) -> Option<Vec<(f64, f64)>> {
    let (Value::Array(x), Value::Array(y)) = (at(a, 0), at(a, 1)) else {
        return None;
    };
    if x.len() != y.len() {
        return None;
    }
    x.iter()
        .zip(y.iter())
        .map(|(p, q)| Some((p.as_f64()?, q.as_f64()?)))
        .collect()
}
