//! Reading what real servers send rather than what their documentation promises: `null`
//! where a list belongs, a number where a string belongs, one item where a list belongs.
//!
//! Used with `#[serde(default, deserialize_with = "…")]` on the fields of answer bodies, so an
//! odd type in one field never hides the API's code and message in the others.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A list that may come as `null`, a single item, or a list with items of other shapes
/// (those are skipped).
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        one => serde_json::from_value(one).ok().into_iter().collect(),
    })
}

/// Words (a code, a message) that may come as a string, a number or a boolean; anything else
/// (null, an object, a list) and blank text read as absent.
pub fn text<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::String(s) => Some(s).filter(|s| !s.trim().is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// A token: a string or nothing. A number or an object where a token belongs is not one (and
/// is never turned into one); blank text is absent.
pub fn token<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::String(s) => Some(s).filter(|s| !s.trim().is_empty()),
        _ => None,
    })
}

/// A nested object that may come as `null` or some other type: absent unless it reads as `T`.
pub fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(serde_json::from_value(Value::deserialize(deserializer)?).ok())
}

/// A lifetime in seconds as answers send it: a number or a numeric string (Smartling documents
/// a string and sends a number); `None` unless it is a positive whole number.
pub fn seconds(value: Option<&Value>) -> Option<i64> {
    let secs = match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    secs.filter(|s| *s > 0)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        #[serde(default, deserialize_with = "super::text")]
        message: Option<String>,
        #[serde(default, deserialize_with = "super::token")]
        token: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Body {
        #[serde(default, deserialize_with = "super::list")]
        fields: Vec<String>,
        #[serde(default, deserialize_with = "super::list")]
        errors: Vec<Item>,
        #[serde(default, deserialize_with = "super::object")]
        inner: Option<Item>,
    }

    fn read(json: &str) -> Option<Body> {
        serde_json::from_str(json).ok()
    }

    #[test]
    fn nulls_and_odd_types_read_as_empty_or_absent() {
        let empty = Body {
            fields: vec![],
            errors: vec![],
            inner: None,
        };
        assert_eq!(
            read(r#"{"fields":null,"errors":null,"inner":null}"#),
            Some(empty)
        );
        let odd =
            read(r#"{"fields":"one","errors":[{"message":42},7,{"message":null}],"inner":"x"}"#);
        assert_eq!(
            odd,
            Some(Body {
                fields: vec!["one".into()],
                errors: vec![
                    Item {
                        message: Some("42".into()),
                        token: None,
                    },
                    Item {
                        message: None,
                        token: None,
                    }
                ],
                inner: None,
            })
        );
        assert_eq!(
            read(r#"{"inner":{"message":true,"token":"t"}}"#).and_then(|b| b.inner),
            Some(Item {
                message: Some("true".into()),
                token: Some("t".into()),
            })
        );
        // Blank words are absent; a number is never a token.
        assert_eq!(
            read(r#"{"inner":{"message":"  ","token":12345}}"#).and_then(|b| b.inner),
            Some(Item {
                message: None,
                token: None,
            })
        );
    }
}
