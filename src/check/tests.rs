//! Tests of the checker: small sources, asserted codes, messages and spans.
