//! Iterative expressions: `a[]` stands for each element of the array `a`, and the expression
//! around it is evaluated once per element. `iCollectArray` gathers the results into an array
//! (and is implied around an iterative expression that no function of this family encloses),
//! `iAny` says whether one was true, `iIndex()` is the element's position. Arrays of unequal
//! length, or one that is null, make the whole expression null.
//! Reference: <https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/operators#iterative-expressions>.
//!
//! The planner builds these (`PExpr::Iterate`); the declarations here name them, check their
//! arity and document them.

use super::{ex, req, Family, Function, Imp, Iterative, Ty};

const ITERATIVE: Function = Function {
    family: Family::Iterative,
    ..Function::BASE
};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "iAny",
        params: &[req("expression", Ty::BOOL)],
        returns: Ty::BOOL,
        doc: "True if the iterative condition is true for at least one element, false if for none (null if it is null for all).",
        examples: &[
            ex(
                "data record(a = array(1, 2, 3)),\n     record(a = array(4, 5, 6))\n| fieldsAdd iAny(a[] >= 4)",
                "{\"a\":[1,2,3],\"iAny(a[] >= 4)\":false}\n{\"a\":[4,5,6],\"iAny(a[] >= 4)\":true}",
            ),
            ex("iAny(array(\"Java\", \"Go\")[] == \"Go\")", "true"),
            ex("iAny(array(null, null)[] == \"Go\")", "null"),
        ],
        see: "https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/operators#iAny",
        imp: Imp::Iterative(Iterative::Any),
        ..ITERATIVE
    },
    Function {
        name: "iCollectArray",
        params: &[req("expression", Ty::ANY)],
        returns: Ty::ARRAY,
        doc: "The results of an iterative expression, one per element, as an array (null if the arrays differ in length or one is null).",
        examples: &[
            ex(
                "data record(a = array(1, 2, 3), b = array(10, 20, 30))\n| fieldsAdd iCollectArray(a[] + b[])",
                "{\"a\":[1,2,3],\"b\":[10,20,30],\"iCollectArray(a[] + b[])\":[11,22,33]}",
            ),
            ex("arraySum(iCollectArray(array(1, 2)[] * 10))", "30.0"),
            ex("iCollectArray(array(1, 2)[] + array(1)[])", "null"),
        ],
        see: "https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/operators#iCollectArray",
        imp: Imp::Iterative(Iterative::Collect),
        ..ITERATIVE
    },
    Function {
        name: "iIndex",
        params: &[],
        returns: Ty::LONG,
        doc: "The 0-based position of the current element in an iterative expression.",
        examples: &[ex(
            "data record(a = array(2, 3))\n| fieldsAdd a_indexed = record(value = a[], index = iIndex())",
            "{\"a\":[2,3],\"a_indexed\":[{\"value\":2,\"index\":0},{\"value\":3,\"index\":1}]}",
        )],
        see: "https://docs.dynatrace.com/docs/platform/grail/dynatrace-query-language/operators#iIndex",
        imp: Imp::Iterative(Iterative::Index),
        ..ITERATIVE
    },
];
