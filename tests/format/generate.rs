//! Small mdl programs for property tests, as token lists.
//!
//! Tokens are joined by random separators — spaces, newlines, blank lines,
//! block and line comments — so the same program is tried in many layouts
//! with comments in every gap the grammar allows. A token never contains a
//! place where a separator would change its meaning (`2 GB`, `a.b`, strings).

use proptest::prelude::*;
use proptest::sample::select;

type Toks = Vec<String>;

fn toks(parts: &[&str]) -> Toks {
    parts.iter().map(|s| s.to_string()).collect()
}

fn cat(parts: Vec<Toks>) -> Toks {
    parts.into_iter().flatten().collect()
}

/// One token from a fixed list.
fn one(options: &'static [&'static str]) -> impl Strategy<Value = Toks> {
    select(options).prop_map(|s| vec![s.to_string()])
}

fn leaf() -> BoxedStrategy<Toks> {
    prop_oneof![
        (0i64..1000).prop_map(|n| vec![n.to_string()]),
        one(&["1_000", "2.5", "0.25"]),
        one(&["2 GB", "512 MiB", "0.5 vcpu", "10%", "5 min", "1day", "30 s"]),
        one(&[r#""plain""#, r#""a ${x} b""#, r#""esc \" \n ${ y + 1 }""#, r#""http://x /* no */""#]),
        one(&["a", "env.name", "vpc.id", "spot", "true", "false", "none"]),
        // Long enough that a few of them overflow a line and break brackets.
        one(&[
            r#""arn:aws:iam::123456789012:role/service-role/a-rather-long-role-name""#,
            "a_rather_long_binding_name"
        ]),
    ]
    .boxed()
}

/// `{ a = 1, bb = x, stage build when c = x }`, commas optional.
fn record(inner: BoxedStrategy<Toks>) -> impl Strategy<Value = Toks> {
    let name = prop_oneof![
        4 => one(&["a", "bb", "ccc", r#""aws:Key""#]),
        1 => one(&["build", "approve"]).prop_map(|n| cat(vec![toks(&["stage"]), n])),
        1 => Just(toks(&["stage", "deploy", "when", "env.approval"])),
    ];
    let field = (name, inner, any::<bool>()).prop_map(|(name, value, comma)| {
        cat(vec![name, toks(&["="]), value, toks(if comma { &[","] } else { &[] })])
    });
    prop::collection::vec(field, 0..4).prop_map(|fields| cat(vec![toks(&["{"]), cat(fields), toks(&["}"])]))
}

fn comma_list(items: Vec<Toks>, trailing: bool) -> Toks {
    let mut out = Vec::new();
    let count = items.len();
    for (i, item) in items.into_iter().enumerate() {
        out.extend(item);
        if i + 1 < count || (trailing && count > 0) {
            out.push(",".to_string());
        }
    }
    out
}

fn pattern() -> impl Strategy<Value = Toks> {
    prop_oneof![
        one(&["_", "1", r#""s""#, "true", "spot", "Rollout.linear", "2 GB"]),
        Just(toks(&["linear", "{", "a", ",", "b", "}"])),
    ]
}

/// Expressions up to a few levels deep.
pub fn expr() -> BoxedStrategy<Toks> {
    leaf()
        .prop_recursive(3, 24, 4, |inner| {
            let arm = (pattern(), inner.clone()).prop_map(|(p, e)| cat(vec![p, toks(&["=>"]), e]));
            prop_oneof![
                (inner.clone(), one(&["+", "-", "*", "/", "%", "==", "<=", "&&", "||"]), inner.clone())
                    .prop_map(|(a, op, b)| cat(vec![a, op, b])),
                (one(&["-", "!"]), inner.clone()).prop_map(|(op, e)| cat(vec![op, e])),
                inner.clone().prop_map(|e| cat(vec![toks(&["("]), e, toks(&[")"])])),
                (prop::collection::vec(inner.clone(), 0..4), any::<bool>()).prop_map(|(items, t)| cat(vec![
                    toks(&["["]),
                    comma_list(items, t),
                    toks(&["]"])
                ])),
                record(inner.clone()),
                (one(&["svc", "ecs.service"]), record(inner.clone())).prop_map(|(t, r)| cat(vec![t, r])),
                (one(&["len", "max"]), prop::collection::vec(inner.clone(), 0..3))
                    .prop_map(|(f, args)| cat(vec![f, toks(&["("]), comma_list(args, false), toks(&[")"])])),
                (leaf(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| cat(vec![
                    toks(&["if"]),
                    c,
                    toks(&["{"]),
                    a,
                    toks(&["}", "else", "{"]),
                    b,
                    toks(&["}"])
                ])),
                (leaf(), prop::collection::vec(arm, 0..3)).prop_map(|(s, arms)| cat(vec![
                    toks(&["match"]),
                    s,
                    toks(&["{"]),
                    cat(arms),
                    toks(&["}"])
                ])),
                (inner.clone(), inner.clone(), prop::option::of(leaf())).prop_map(|(e, l, c)| {
                    let filter = c.map(|c| cat(vec![toks(&["if"]), c])).unwrap_or_default();
                    cat(vec![toks(&["["]), e, toks(&["for", "x", "in"]), l, filter, toks(&["]"])])
                }),
            ]
        })
        .boxed()
}

fn doc() -> impl Strategy<Value = Toks> {
    prop_oneof![3 => Just(vec![]), 1 => Just(toks(&["/// Doc text.\n"]))]
}

fn type_expr() -> impl Strategy<Value = Toks> {
    prop_oneof![
        one(&["int", "string", "cpu", "ecs.cluster"]),
        Just(toks(&["[", "string", "]"])),
        Just(toks(&["map", "<", "int", ">", "?"])),
        Just(toks(&["deploy", "<", "string", ">"])),
        Just(toks(&["{", "min", ":", "int", ",", "max", ":", "int", "=", "3", "}"])),
    ]
}

fn field_decl() -> impl Strategy<Value = Toks> {
    let range = prop_oneof![
        Just(vec![]),
        // A range stays on one line (its upper bound ends there), so it is one token.
        Just(toks(&["in 0..10"])),
        Just(toks(&["in 0.25 vcpu .. 4 vcpu"])),
        Just(toks(&["in 1.."])),
        Just(toks(&["in ..9"])),
    ];
    (doc(), one(&["cpu", "memory", "desired_count"]), type_expr(), range, prop::option::of(expr())).prop_map(
        |(d, n, t, r, default)| {
            let default = default.map(|e| cat(vec![toks(&["="]), e])).unwrap_or_default();
            cat(vec![d, n, toks(&[":"]), t, r, default])
        },
    )
}

fn member() -> impl Strategy<Value = (Toks, Toks, bool)> {
    let body = prop_oneof![
        (one(&["web", "db", "queue", "load_balancer_listener"]), expr()).prop_map(|(n, e)| cat(vec![
            n,
            toks(&["="]),
            e
        ])),
        (one(&["publish", "output", "service"]), one(&["vpc_id", "arn"]), expr())
            .prop_map(|(k, n, e)| cat(vec![k, n, toks(&["="]), e])),
        Just(toks(&["secret", "stripe", "=", r#""Stripe key""#])),
        Just(toks(&["secret", "token"])),
        expr().prop_map(|e| cat(vec![toks(&["require"]), e, toks(&["else", r#""must hold""#])])),
        (record(leaf()), prop::option::of(record(leaf()))).prop_map(|(p, o)| {
            let with = o.map(|o| cat(vec![toks(&["with"]), o])).unwrap_or_default();
            cat(vec![toks(&["resource", r#""AWS::SNS::Topic""#, "alerts"]), p, with])
        }),
        field_decl(),
    ];
    (doc(), body, any::<bool>())
}

/// Members in a body. A doc comment right after an expression reads as `/`
/// and a line comment (see the grammar's `div_op`), so a documented member
/// mostly follows a comma; without one the program often fails to parse and
/// is skipped, and when it parses it divides (which the formatter keeps).
fn members() -> impl Strategy<Value = Toks> {
    (prop::collection::vec(member(), 0..5), any::<bool>()).prop_map(|(members, glued)| {
        let mut out = Vec::new();
        let mut comma_before = true;
        for (doc, body, comma) in members {
            if !doc.is_empty() && !comma_before && !glued {
                out.push(",".to_string());
            }
            out.extend(doc);
            out.extend(body);
            if comma {
                out.push(",".to_string());
            }
            comma_before = comma;
        }
        out
    })
}

fn item() -> impl Strategy<Value = Toks> {
    let variant = (doc(), one(&["a", "bb", "linear"]), prop::option::of(one(&[r#""text""#])), any::<bool>())
        .prop_map(|(d, n, v, f)| {
            let value = v.map(|v| cat(vec![toks(&["="]), v])).unwrap_or_default();
            let fields = if f {
                toks(&["{", "step", ":", "percent", ",", "every", ":", "duration", "}"])
            } else {
                vec![]
            };
            cat(vec![d, n, value, fields])
        });
    let body = prop_oneof![
        (one(&["core", "app"]), members()).prop_map(|(n, m)| cat(vec![
            toks(&["layer"]),
            n,
            toks(&["{"]),
            m,
            toks(&["}"])
        ])),
        members().prop_map(|m| cat(vec![toks(&["construct", "svc", "{"]), m, toks(&["}"])])),
        prop::collection::vec(variant, 0..4).prop_map(|v| cat(vec![
            toks(&["enum", "Size", "{"]),
            cat(v),
            toks(&["}"])
        ])),
        (type_expr(), any::<bool>()).prop_map(|(t, w)| {
            let wh = if w { toks(&["where", "{", "require", "true", "else", r#""x""#, "}"]) } else { vec![] };
            cat(vec![toks(&["type", "T", "="]), t, wh])
        }),
        record(expr()).prop_map(|r| cat(vec![toks(&["environment", "dev"]), r])),
        prop::collection::vec(field_decl(), 0..3).prop_flat_map(|settings| {
            let parts = vec![
                toks(&["environments", "{", "dev", ",", "prod", "}"]),
                cat(vec![toks(&["settings", "{"]), cat(settings), toks(&["}"])]),
                toks(&["/// The SSM prefix.\n", "params", "=", r#""/p""#, ","]),
            ];
            Just(parts)
                .prop_shuffle()
                .prop_map(|parts| cat(vec![toks(&["project", "p", "{"]), cat(parts), toks(&["}"])]))
        }),
        Just(toks(&["import", r#""./x.mdl""#])),
        Just(toks(&["import", "std/aws/{", "ecs", ",", "ecr", "}"])),
        Just(toks(&["import", "std/aws/network"])),
    ];
    (doc(), body).prop_map(|(d, b)| cat(vec![d, b]))
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        12 => Just(" "),
        4 => Just("\n"),
        1 => Just("\n\n\n"),
        1 => Just(" /* b */ "),
        1 => Just(" // line\n"),
        1 => Just("\n  // own\n"),
        1 => Just("\n/* own\n   block */\n"),
        1 => Just("\t/* a /* nested */ // not a line */\t"),
        1 => Just(" // a /* not a block\r\n"),
        1 => Just("\r\n\t"),
    ]
}

/// A whole file: a few items, every gap filled by a random separator.
pub fn program() -> impl Strategy<Value = String> {
    prop::collection::vec(item(), 0..4)
        .prop_map(cat)
        .prop_flat_map(|tokens| {
            let count = tokens.len() + 1;
            (Just(tokens), prop::collection::vec(separator(), count))
        })
        .prop_map(|(tokens, seps)| {
            let mut out = String::from(seps[0].trim_start_matches(' '));
            for (token, sep) in tokens.iter().zip(&seps[1..]) {
                out.push_str(token);
                out.push_str(sep);
            }
            out
        })
}
