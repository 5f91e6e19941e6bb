//! How an [`Error`](super::Error) crosses a socket (the token agent's answers): its own serde,
//! `{"kind": "<variant>", …fields}`, so the CLI rebuilds exactly the error the agent met (same
//! words, code and exit status). The helpers here give the variants that hold one value a
//! named field (`{"kind":"keychain_locked","message":"…"}`, `{"kind":"api","api":{…}}`), and
//! carry an I/O error as its words.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value under a field name of its own.
macro_rules! field {
    ($module:ident, $field:ident, $ty:ty) => {
        pub mod $module {
            use super::*;

            #[derive(Serialize)]
            struct Out<'a> {
                $field: &'a $ty,
            }

            #[derive(Deserialize)]
            struct In {
                $field: $ty,
            }

            pub fn serialize<S: Serializer>(value: &$ty, s: S) -> Result<S::Ok, S::Error> {
                Out { $field: value }.serialize(s)
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                In::deserialize(d).map(|i| i.$field)
            }
        }
    };
}

field!(message, message, String);
field!(name, name, String);
field!(api, api, crate::error::ApiError);

/// An I/O error as its words (rebuilt as [`std::io::Error::other`]).
pub mod io_words {
    use super::*;

    pub fn serialize<S: Serializer>(e: &Arc<std::io::Error>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&e.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<std::io::Error>, D::Error> {
        String::deserialize(d).map(|words| Arc::new(std::io::Error::other(words)))
    }
}
