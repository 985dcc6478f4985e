//! Rendering diagnostics: terminal text (ariadne) and JSON.
