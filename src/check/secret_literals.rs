//! Literals that look like secrets (W0320): a key with a well-known prefix
//! (`sk_live_`, `AKIA`, `ghp_`, `xoxb-`, ...), a PEM private key, or a long
//! high-entropy token, written as plain text in a spec.
//!
//! Input: the spec modules of a workspace (the stdlib is not scanned). Output:
//! one warning per string literal, at the literal, naming what it looks like
//! and never repeating the value. Only the text of literals is read: doc
//! comments, secret descriptions and `require` messages are prose, and an
//! interpolated value is whatever it refers to.

use crate::check::find;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Expr, ExprKind, StringPart};
use crate::workspace::{ModuleOrigin, Workspace};

/// Known token prefixes: the prefix, what it is, and how many characters at
/// least follow it in a real token (so `"sk_live_"` alone, in a comment-like
/// string, is not reported).
const PREFIXES: &[(&str, &str, usize)] = &[
    ("sk_live_", "a Stripe live secret key", 16),
    ("rk_live_", "a Stripe restricted key", 16),
    ("sk_test_", "a Stripe test secret key", 16),
    ("AKIA", "an AWS access key id", 16),
    ("ASIA", "an AWS temporary access key id", 16),
    ("ghp_", "a GitHub personal access token", 30),
    ("gho_", "a GitHub OAuth token", 30),
    ("ghs_", "a GitHub app token", 30),
    ("ghu_", "a GitHub user token", 30),
    ("ghr_", "a GitHub refresh token", 30),
    ("github_pat_", "a GitHub fine-grained token", 30),
    ("glpat-", "a GitLab access token", 20),
    ("xoxb-", "a Slack bot token", 10),
    ("xoxp-", "a Slack user token", 10),
    ("xoxa-", "a Slack app token", 10),
    ("xoxr-", "a Slack refresh token", 10),
    ("xoxs-", "a Slack session token", 10),
    ("AIza", "a Google API key", 35),
    ("npm_", "an npm access token", 36),
];

/// A token at least this long, of base64 or hex characters, mixing upper
/// case, lower case and digits, is a candidate for the entropy test.
const MIN_RANDOM_LENGTH: usize = 32;
/// Bits of Shannon entropy per character above which such a token reads as
/// random (40 random base64 characters give about 5; English words and
/// CamelCase names stay under 4).
const MIN_ENTROPY_BITS: f64 = 4.2;
/// The share of capitals among a random token's letters lies between this
/// and one minus this.
const MIN_CAPITALS: f64 = 0.25;

/// W0320 for every spec string literal that looks like a secret.
pub fn check(workspace: &Workspace) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (_, module) in workspace.iter_modules() {
        if matches!(module.origin, ModuleOrigin::Std(_)) {
            continue;
        }
        for item in &module.ast.items {
            for root in find::item_exprs(item) {
                scan(root, &mut found);
            }
        }
    }
    found
}

fn scan(expr: &Expr, found: &mut Vec<Diagnostic>) {
    if let ExprKind::String(lit) = &expr.kind {
        let text: String = lit
            .parts
            .iter()
            .filter_map(|part| match part {
                StringPart::Text(text) => Some(text.as_str()),
                StringPart::Interpolation(_) => None,
            })
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(what) = looks_like_secret(&text) {
            found.push(warning(what, lit.span));
        }
    }
    for child in find::children(expr) {
        scan(child, found);
    }
}

fn warning(what: &str, span: crate::source::Span) -> Diagnostic {
    Diagnostic::new(
        Code::SecretLiteral,
        format!("this string looks like {what}, written in plain text"),
        span,
        "a secret here would be in the templates, the stack's console and the repository",
    )
    .with_help(
        "declare it in a layer (`secret api_key = \"what it is\"`), set its value outside mdl (`aws ssm put-parameter --type SecureString --name <params>/api_key`), and pass it to a field of type `secret` (`secrets = { API_KEY = core.api_key }`); rotate the key if it was real",
    )
}

/// What `text` looks like, if it looks like a secret.
pub fn looks_like_secret(text: &str) -> Option<&'static str> {
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") {
        return Some("a PEM private key");
    }
    // Certificates and public keys are base64 too, and meant to be shared.
    let public = ["-----BEGIN", "ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-"];
    if public.iter().any(|marker| text.contains(marker)) {
        return None;
    }
    let separators = |c: char| c.is_whitespace() || "\"'`,;:=()[]{}<>".contains(c);
    text.split(separators).filter(|t| !t.is_empty()).find_map(token_kind)
}

fn token_kind(token: &str) -> Option<&'static str> {
    for (prefix, what, at_least) in PREFIXES {
        if let Some(rest) = token.strip_prefix(prefix) {
            let body = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || "_-".contains(*c)).count();
            if body >= *at_least {
                return Some(what);
            }
        }
    }
    is_random(token).then_some("a random key or token")
}

/// A long token of key characters mixing cases and digits, with high
/// entropy. Random letters are about half upper case; words, CamelCase names
/// included, have far fewer capitals, so the share of capitals tells them apart.
fn is_random(token: &str) -> bool {
    let key_chars = token.chars().all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c));
    let letters = token.chars().filter(char::is_ascii_alphabetic).count();
    let upper = token.chars().filter(char::is_ascii_uppercase).count();
    let digits = token.chars().any(|c| c.is_ascii_digit());
    let capitals = if letters == 0 { 0.0 } else { upper as f64 / letters as f64 };
    token.len() >= MIN_RANDOM_LENGTH
        && key_chars
        && digits
        && (MIN_CAPITALS..=1.0 - MIN_CAPITALS).contains(&capitals)
        && entropy(token) >= MIN_ENTROPY_BITS
}

/// Shannon entropy of `text`, in bits per character.
fn entropy(text: &str) -> f64 {
    let mut counts = [0usize; 128];
    for b in text.bytes() {
        if let Some(count) = counts.get_mut(b as usize) {
            *count += 1;
        }
    }
    let total = text.len() as f64;
    counts.iter().filter(|c| **c > 0).map(|&c| c as f64 / total).map(|p| -p * p.log2()).sum()
}

#[cfg(test)]
mod tests {
    use super::looks_like_secret;

    #[test]
    fn known_prefixes_and_pem_keys() {
        let stripe = format!("sk_live_{}", "51HxYzAbCdEfGhIjKlMn");
        assert_eq!(looks_like_secret(&stripe), Some("a Stripe live secret key"));
        assert_eq!(looks_like_secret(&format!("Bearer {stripe}")), Some("a Stripe live secret key"));
        assert_eq!(looks_like_secret(&format!("AKIA{}", "IOSFODNN7EXAMPLE")), Some("an AWS access key id"));
        assert_eq!(
            looks_like_secret(&format!("ghp_{}", "16C7e42F292c6912E7710c838347Ae178B4a")),
            Some("a GitHub personal access token")
        );
        assert_eq!(
            looks_like_secret(&format!("xoxb-{}", "1234567890-abcdefghij")),
            Some("a Slack bot token")
        );
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----";
        assert_eq!(looks_like_secret(pem), Some("a PEM private key"));
    }

    #[test]
    fn random_tokens_over_the_length() {
        let aws_secret = format!("wJalrXUtnFEMI/K7MDENG/{}", "bPxRfiCYEXAMPLEKEY");
        assert_eq!(looks_like_secret(&aws_secret), Some("a random key or token"));
        assert_eq!(looks_like_secret(&aws_secret[..20]), None, "too short to tell");
    }

    #[test]
    fn ordinary_values_are_not_secrets() {
        for text in [
            "sk_live_",
            "public.ecr.aws/docker/library/nginx:1.27",
            "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
            "/megadolls/infra",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "postgres://app@db.internal:5432/app",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "megadolls has no domain, hence no certificate, yet",
            "AKIA is the prefix of an access key id",
            "ThisIsAVeryLongCamelCaseNameWithoutDigits",
            "DjangoServiceTaskDefinitionExecutionRole2",
            "MegadollsProdMicroservicesDjangoBlueTargetGroup1",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb2X7kq9mJv3QFhTzX8cY1pL0w2nR4sV6tU8yZ0aB1c ops@example",
            "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----",
        ] {
            assert_eq!(looks_like_secret(text), None, "{text}");
        }
    }
}
